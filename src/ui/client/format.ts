const moneyFormats = new Map<string, Intl.NumberFormat>();

/** Money in minor units, formatted for the visitor's locale. */
export function money(amount: number, currency: string): string {
  try {
    // One formatter per currency: building one costs far more than formatting, and a stadium's
    // seat labels format 20,000 prices on the first snapshot.
    const code = currency.toUpperCase();
    const f = moneyFormats.get(code) ?? new Intl.NumberFormat(undefined, { style: "currency", currency: code });
    moneyFormats.set(code, f);
    return f.format(amount / 100);
  } catch {
    return `${(amount / 100).toFixed(2)} ${currency}`;
  }
}

const OFFSET_ONLY = /^(GMT|UTC)([+-]|$)/;

/**
 * A moment as people at the venue read it, with the zone named: "Sat, 12 Dec 2026, 20:00 CET".
 * Where the locale has no short name for the zone (it says "GMT+1"), the zone's IANA id follows
 * in brackets, so "20:00 GMT+1 (Europe/Berlin)" still says whose clock it is. Without `timeZone`
 * the visitor's own zone is used, and named too.
 */
export function dateTime(iso: string | null | undefined, timeZone?: string): string {
  if (!iso) return "—";
  const at = new Date(iso);
  try {
    const parts = new Intl.DateTimeFormat(undefined, {
      weekday: "short",
      day: "numeric",
      month: "short",
      year: "numeric",
      hour: "2-digit",
      minute: "2-digit",
      timeZone,
      timeZoneName: "short",
    }).formatToParts(at);
    const text = parts.map((p) => p.value).join("");
    const zone = parts.find((p) => p.type === "timeZoneName")?.value ?? "";
    return timeZone && OFFSET_ONLY.test(zone) ? `${text} (${timeZone})` : text;
  } catch {
    return at.toLocaleString();
  }
}

/** Day and month for a date chip, on the venue's calendar (an event at 00:30 there is that day's). */
export function shortDate(iso: string, timeZone?: string): { day: string; month: string } {
  const d = new Date(iso);
  try {
    const parts = new Intl.DateTimeFormat(undefined, { day: "numeric", month: "short", timeZone }).formatToParts(d);
    return {
      day: parts.find((p) => p.type === "day")?.value ?? String(d.getDate()),
      month: parts.find((p) => p.type === "month")?.value ?? "",
    };
  } catch {
    return { day: String(d.getDate()), month: d.toLocaleString(undefined, { month: "short" }) };
  }
}

/** The words of one grouped "taken" notice: one seat by name, several by count. */
export function takenText(names: string[]): string {
  if (names.length === 1) return `${names[0]} was just taken by someone else`;
  return `${names.length} seats you were looking at were taken: ${names.join("; ")}`;
}

export const titleCase = (s: string) => s.replace(/_/g, " ").replace(/^\w/, (c) => c.toUpperCase());

/** "2:05" from milliseconds. */
export function countdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  return `${Math.floor(s / 60)}:${String(s % 60).padStart(2, "0")}`;
}
