import { AppError } from "../../errors";
import type { EventCategory, EventStatus } from "../schema/constants";

/** Statuses the public catalog shows; drafts are private and cancelled events are only reachable by id. */
export const LISTED_STATUSES = ["published", "on_sale", "closed"] as const;
const LISTED_SQL = LISTED_STATUSES.map((s) => `'${s}'`).join(",");

/**
 * Rewrites an event's full-text row from the current event and venue. Delete and insert run in one
 * batch (a transaction on D1), so readers never see the event twice or missing. Events that are not
 * publicly listed get no row, so search can never leak drafts or cancelled events.
 */
export async function reindexEvent(d1: D1Database, eventId: string): Promise<void> {
  await d1.batch([
    d1.prepare("DELETE FROM events_fts WHERE event_id = ?").bind(eventId),
    d1
      .prepare(
        `INSERT INTO events_fts (event_id, name, description, performers, venue, city)
         SELECT e.id, e.name, e.description,
                (SELECT coalesce(group_concat(p.value, ' '), '') FROM json_each(e.performers) p),
                v.name, v.city
         FROM events e JOIN venues v ON v.id = e.venue_id
         WHERE e.id = ? AND e.status IN (${LISTED_SQL})`,
      )
      .bind(eventId),
  ]);
}

/**
 * Turns free text into an FTS5 query of quoted prefix terms (`"word"*`), implicitly ANDed. Only
 * letters and digits survive, so FTS syntax (quotes, NEAR, parentheses, `^`, `*`) can never reach
 * the parser as syntax. Returns null when nothing searchable is left.
 */
export function toFtsQuery(q: string): string | null {
  const terms = q
    .normalize("NFKC")
    .split(/[^\p{L}\p{N}]+/u)
    .filter(Boolean)
    .slice(0, 16);
  return terms.length ? terms.map((t) => `"${t}"*`).join(" ") : null;
}

/** Opaque keyset cursor: base64url of `${startsAt}:${id}` of the last item on the page. */
export function encodeCursor(startsAt: number, id: string): string {
  return btoa(`${startsAt}:${id}`).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/** Decodes a cursor or throws a 400, so a tampered cursor is the caller's error, not a 500. */
export function decodeCursor(cursor: string): { startsAt: number; id: string } {
  const bad = () =>
    new AppError("validation_failed", "The query string is invalid", {
      extra: { errors: [{ path: "cursor", message: "Invalid cursor" }] },
    });
  let text: string;
  try {
    text = atob(cursor.replaceAll("-", "+").replaceAll("_", "/"));
  } catch {
    throw bad();
  }
  const m = /^(\d{1,16}):([A-Za-z0-9_-]{1,64})$/.exec(text);
  if (!m) throw bad();
  return { startsAt: Number(m[1]), id: m[2]! };
}

export type SearchParams = {
  q?: string;
  city?: string;
  country?: string;
  category?: EventCategory;
  from?: number;
  to?: number;
  onSaleNow?: boolean;
  cursor?: string;
  limit: number;
  now?: number;
};

/** One row of the list query, already joined with its venue and cheapest tier. */
export type EventListRow = {
  id: string;
  name: string;
  category: EventCategory;
  performers: string;
  starts_at: number;
  ends_at: number;
  status: EventStatus;
  sales_start_at: number | null;
  sales_end_at: number | null;
  venue_id: string;
  venue_name: string;
  city: string;
  country: string;
  timezone: string;
  price_from: number | null;
  price_currency: string | null;
};

/**
 * The public list: listed statuses, filters, ordered by (starts_at, id) with keyset pagination.
 * Fetches one extra row to know whether another page exists without a COUNT.
 */
export async function searchEvents(
  d1: D1Database,
  p: SearchParams,
): Promise<{ rows: EventListRow[]; nextCursor: string | null }> {
  const where = [`e.status IN (${LISTED_SQL})`];
  const args: unknown[] = [];
  const fts = p.q ? toFtsQuery(p.q) : null;
  if (fts) {
    where.push("e.id IN (SELECT event_id FROM events_fts WHERE events_fts MATCH ?)");
    args.push(fts);
  }
  if (p.city) {
    where.push("v.city = ? COLLATE NOCASE");
    args.push(p.city);
  }
  if (p.country) {
    where.push("v.country = ? COLLATE NOCASE");
    args.push(p.country);
  }
  if (p.category) {
    where.push("e.category = ?");
    args.push(p.category);
  }
  if (p.from !== undefined) {
    where.push("e.starts_at >= ?");
    args.push(p.from);
  }
  if (p.to !== undefined) {
    where.push("e.starts_at <= ?");
    args.push(p.to);
  }
  if (p.onSaleNow) {
    const now = p.now ?? Date.now();
    where.push(
      "e.status = 'on_sale' AND (e.sales_start_at IS NULL OR e.sales_start_at <= ?) " +
        "AND (e.sales_end_at IS NULL OR e.sales_end_at > ?) AND e.ends_at > ?",
    );
    args.push(now, now, now);
  }
  if (p.cursor) {
    const c = decodeCursor(p.cursor);
    where.push("(e.starts_at, e.id) > (?, ?)");
    args.push(c.startsAt, c.id);
  }
  const sql = `SELECT e.id, e.name, e.category, e.performers, e.starts_at, e.ends_at, e.status,
      e.sales_start_at, e.sales_end_at,
      v.id AS venue_id, v.name AS venue_name, v.city, v.country, v.timezone,
      (SELECT min(t.amount) FROM price_tiers t WHERE t.event_id = e.id) AS price_from,
      (SELECT t.currency FROM price_tiers t WHERE t.event_id = e.id ORDER BY t.amount LIMIT 1) AS price_currency
    FROM events e JOIN venues v ON v.id = e.venue_id
    WHERE ${where.join(" AND ")}
    ORDER BY e.starts_at, e.id LIMIT ?`;
  const { results } = await d1
    .prepare(sql)
    .bind(...args, p.limit + 1)
    .all<EventListRow>();
  const rows = results.slice(0, p.limit);
  const last = rows.at(-1);
  const nextCursor = results.length > p.limit && last ? encodeCursor(last.starts_at, last.id) : null;
  return { rows, nextCursor };
}
