/**
 * CSV as spreadsheets read it (RFC 4180): a cell with a comma, a quote or a line break is quoted,
 * quotes doubled. A text cell that a spreadsheet would run as a formula (it starts with =, +, -,
 * @, a tab or a carriage return) is prefixed with an apostrophe, because buyer emails and names
 * come from the public and an export is opened by organizers (OWASP "CSV injection").
 */
export type CsvCell = string | number | null | undefined;

const FORMULA_START = /^[=+\-@\t\r]/;
const NEEDS_QUOTES = /[",\r\n]/;

export function csvCell(value: CsvCell): string {
  if (value === null || value === undefined) return "";
  if (typeof value === "number") return Number.isFinite(value) ? String(value) : "";
  const text = FORMULA_START.test(value) ? `'${value}` : value;
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

/** One record, CRLF-terminated as RFC 4180 says. */
export function csvRow(cells: readonly CsvCell[]): string {
  return `${cells.map(csvCell).join(",")}\r\n`;
}

/**
 * An amount in minor units as a plain decimal in its currency's own precision: 1500 GBP is
 * "15.00", 1500 JPY is "1500", 1500 KWD is "1.500". No symbol and no grouping, so spreadsheets
 * read it as a number.
 */
export function csvAmount(minor: number, currency: string): string {
  const digits = fractionDigits(currency);
  const sign = minor < 0 ? "-" : "";
  const abs = Math.abs(Math.trunc(minor));
  if (digits === 0) return `${sign}${abs}`;
  const unit = 10 ** digits;
  return `${sign}${Math.floor(abs / unit)}.${String(abs % unit).padStart(digits, "0")}`;
}

const digitsCache = new Map<string, number>();

function fractionDigits(currency: string): number {
  const code = currency.toUpperCase();
  let digits = digitsCache.get(code);
  if (digits === undefined) {
    try {
      digits = new Intl.NumberFormat("en", { style: "currency", currency: code }).resolvedOptions()
        .maximumFractionDigits as number;
    } catch {
      digits = 2; // not an ISO code Intl knows: the common case
    }
    digitsCache.set(code, digits);
  }
  return digits;
}

/** An epoch-millisecond time as ISO 8601 UTC (what spreadsheets parse), or empty. */
export const csvTime = (ms: number | null | undefined): string => (ms == null ? "" : new Date(ms).toISOString());
