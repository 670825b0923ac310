/** Formatting shared by the templates: HTML escaping, money, dates in the venue's time zone. */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** `amount` in minor units as the currency's usual display ("€50.00", "¥5,000"). */
// Building an Intl formatter costs far more than using one: each locale, currency and zone is built once.
const moneyFormats = new Map<string, Intl.NumberFormat>();
const dateFormats = new Map<string, Intl.DateTimeFormat>();

export function formatMoney(amount: number, currency: string, locale = "en-GB"): string {
  try {
    const code = currency.toUpperCase();
    let fmt = moneyFormats.get(`${locale}|${code}`);
    if (!fmt) {
      fmt = new Intl.NumberFormat(locale, { style: "currency", currency: code });
      moneyFormats.set(`${locale}|${code}`, fmt);
    }
    const digits = fmt.resolvedOptions().maximumFractionDigits ?? 2;
    return fmt.format(amount / 10 ** digits);
  } catch {
    // An unknown currency code must not stop a confirmation from going out.
    return `${(amount / 100).toFixed(2)} ${currency.toUpperCase()}`;
  }
}

/** A date and time as the venue's audience reads it, with the zone's short name. */
export function formatEventDate(ms: number, timeZone: string, locale = "en-GB"): string {
  const opts: Intl.DateTimeFormatOptions = {
    weekday: "short",
    day: "numeric",
    month: "short",
    year: "numeric",
    hour: "2-digit",
    minute: "2-digit",
    timeZoneName: "short",
  };
  const formatter = (zone: string) => {
    let fmt = dateFormats.get(`${locale}|${zone}`);
    if (!fmt) {
      fmt = new Intl.DateTimeFormat(locale, { ...opts, timeZone: zone });
      dateFormats.set(`${locale}|${zone}`, fmt);
    }
    return fmt;
  };
  try {
    return formatter(timeZone).format(new Date(ms));
  } catch {
    return formatter("UTC").format(new Date(ms));
  }
}

/** Shortens `text` to `max` characters, ending with an ellipsis when cut. */
export function truncate(text: string, max: number): string {
  return text.length <= max ? text : `${text.slice(0, Math.max(0, max - 1)).trimEnd()}…`;
}

/**
 * An SMS of at most `max` characters (one GSM segment is 160): the message is shortened, the
 * link at the end never is, because a cut link is worse than no link.
 */
export function smsText(message: string, link?: string, max = 160): string {
  if (!link) return truncate(message, max);
  return `${truncate(message, max - link.length - 1)} ${link}`;
}
