/** Formatting shared by the templates: HTML escaping, money, dates in the venue's time zone. */

const HTML_ESCAPES: Record<string, string> = { "&": "&amp;", "<": "&lt;", ">": "&gt;", '"': "&quot;", "'": "&#39;" };

/** Escapes text for HTML element content and quoted attribute values. */
export function escapeHtml(value: string): string {
  return value.replace(/[&<>"']/g, (ch) => HTML_ESCAPES[ch]!);
}

/** `amount` in minor units as the currency's usual display ("€50.00", "¥5,000"). */
export function formatMoney(amount: number, currency: string, locale = "en-GB"): string {
  try {
    const fmt = new Intl.NumberFormat(locale, { style: "currency", currency: currency.toUpperCase() });
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
  try {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone }).format(new Date(ms));
  } catch {
    return new Intl.DateTimeFormat(locale, { ...opts, timeZone: "UTC" }).format(new Date(ms));
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
