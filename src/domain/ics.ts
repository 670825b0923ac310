/**
 * iCalendar (RFC 5545) for one event, so a fan can add it to their calendar. Pure: the route
 * gives the event's fields and the site address.
 */
export type CalendarEntry = {
  /** Globally unique and stable, so a second download updates the entry instead of adding one. */
  uid: string;
  name: string;
  description: string;
  location: string;
  startsAt: number;
  endsAt: number;
  /** When this version of the event was written (DTSTAMP and LAST-MODIFIED). */
  updatedAt: number;
  url: string;
};

const CRLF = "\r\n";
const encoder = new TextEncoder();

/** A UTC date-time in the basic form RFC 5545 §3.3.5 wants: 20300601T190000Z. */
export function icsDateTime(ms: number): string {
  return `${new Date(ms)
    .toISOString()
    .replace(/[-:]/g, "")
    .replace(/\.\d{3}/, "")}`;
}

/** TEXT escaping (§3.3.11): backslash, semicolon and comma escaped; line breaks become `\n`. */
export function icsText(s: string): string {
  return s
    .replace(/\\/g, "\\\\")
    .replace(/;/g, "\\;")
    .replace(/,/g, "\\,")
    .replace(/\r\n|\r|\n/g, "\\n");
}

/**
 * Folds a content line at 75 octets (§3.1): each continuation starts with one space, and a
 * multi-byte UTF-8 character is never split between lines.
 */
export function icsFold(line: string): string {
  const out: string[] = [];
  let current = "";
  let octets = 0;
  for (const ch of line) {
    const n = encoder.encode(ch).length;
    // The first line holds 75 octets; later ones 74 after their leading space.
    if (octets + n > (out.length === 0 ? 75 : 74)) {
      out.push(current);
      current = "";
      octets = 0;
    }
    current += ch;
    octets += n;
  }
  out.push(current);
  return out.join(`${CRLF} `);
}

/** A VCALENDAR with one VEVENT, CRLF line endings, every line folded. */
export function eventIcs(e: CalendarEntry): string {
  const lines = [
    "BEGIN:VCALENDAR",
    "VERSION:2.0",
    "PRODID:-//edge-tickets//fan site//EN",
    "CALSCALE:GREGORIAN",
    "METHOD:PUBLISH",
    "BEGIN:VEVENT",
    `UID:${e.uid}`,
    `DTSTAMP:${icsDateTime(e.updatedAt)}`,
    `LAST-MODIFIED:${icsDateTime(e.updatedAt)}`,
    `DTSTART:${icsDateTime(e.startsAt)}`,
    `DTEND:${icsDateTime(e.endsAt)}`,
    `SUMMARY:${icsText(e.name)}`,
    `LOCATION:${icsText(e.location)}`,
    ...(e.description ? [`DESCRIPTION:${icsText(e.description)}`] : []),
    `URL:${e.url}`,
    "END:VEVENT",
    "END:VCALENDAR",
  ];
  return lines.map(icsFold).join(CRLF) + CRLF;
}
