import type { OrderStatus } from "../schema/constants";

/**
 * An organizer's search over one event's orders in D1 (the ledger, a moment behind the event's
 * object). Newest first, keyset-paged on (created_at, id), so a page never repeats or skips an
 * order while new ones arrive.
 */

export type EventOrderFilter = {
  eventId: string;
  /** Part of the buyer's email, any case. */
  email?: string;
  /** The whole order id, or its `ord_…` part. */
  orderId?: string;
  /** Orders with a line on one of these seats or areas (from `placesMatching`). */
  places?: { seats: string[]; areas: string[] };
  /**
   * The search box: an order matches when any of these does (email part, order id, place).
   * Separate from the fields above, which must all match.
   */
  any?: { text: string; places: { seats: string[]; areas: string[] } };
  status?: OrderStatus;
  limit: number;
  cursor?: OrderCursor;
};

/** Where the previous page ended. */
export type OrderCursor = { createdAt: number; id: string };

export type EventOrderRow = {
  id: string;
  user_id: string;
  email: string;
  status: OrderStatus;
  amount: number;
  currency: string;
  refunded_amount: number;
  created_at: number;
  paid_at: number | null;
};

/** `nextCursor` as the client sees it: opaque, URL-safe. */
export const encodeCursor = (c: OrderCursor) => btoa(`${c.createdAt}:${c.id}`).replace(/=+$/, "");

/** The cursor a client sent back, or null when it is not one of ours. */
export function decodeCursor(raw: string): OrderCursor | null {
  let text: string;
  try {
    text = atob(raw);
  } catch {
    return null;
  }
  const m = /^(\d{1,16}):([\x21-\x7e]{1,120})$/.exec(text);
  return m ? { createdAt: Number(m[1]), id: m[2]! } : null;
}

const likePart = (s: string) => `%${s.replace(/[\\%_]/g, (m) => `\\${m}`)}%`;

/** The whole id for `ord_…` or `evt_…~ord_…`. */
const fullId = (eventId: string, id: string) => (id.includes("~") ? id : `${eventId}~${id}`);

// Places travel as one JSON array each (json_each), so a long list never meets D1's 100-parameter cap.
const PLACE_SQL =
  "EXISTS (SELECT 1 FROM order_lines l WHERE l.order_id = o.id AND " +
  "(l.seat_id IN (SELECT value FROM json_each(?)) OR l.area_id IN (SELECT value FROM json_each(?))))";

/** One page of an event's orders matching `f`, and the cursor of the next page (null at the end). */
export async function searchEventOrders(db: D1Database, f: EventOrderFilter) {
  const where = ["o.event_id = ?"];
  const args: (string | number)[] = [f.eventId];
  if (f.email) {
    where.push("o.email LIKE ? ESCAPE '\\'");
    args.push(likePart(f.email));
  }
  if (f.orderId) {
    where.push("o.id = ?");
    args.push(fullId(f.eventId, f.orderId.toLowerCase()));
  }
  if (f.places) {
    where.push(PLACE_SQL);
    args.push(JSON.stringify(f.places.seats), JSON.stringify(f.places.areas));
  }
  if (f.any) {
    where.push(`(o.email LIKE ? ESCAPE '\\' OR o.id = ? OR ${PLACE_SQL})`);
    const { text, places } = f.any;
    args.push(likePart(text), fullId(f.eventId, text.toLowerCase()));
    args.push(JSON.stringify(places.seats), JSON.stringify(places.areas));
  }
  if (f.status) {
    where.push("o.status = ?");
    args.push(f.status);
  }
  if (f.cursor) {
    where.push("(o.created_at < ? OR (o.created_at = ? AND o.id < ?))");
    args.push(f.cursor.createdAt, f.cursor.createdAt, f.cursor.id);
  }
  const sql =
    "SELECT o.id, o.user_id, o.email, o.status, o.amount, o.currency, o.refunded_amount, o.created_at, o.paid_at " +
    `FROM orders o WHERE ${where.join(" AND ")} ORDER BY o.created_at DESC, o.id DESC LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...args, f.limit + 1)
    .all<EventOrderRow>();
  const page = results.slice(0, f.limit);
  const last = page[page.length - 1];
  return {
    rows: page,
    nextCursor: results.length > f.limit && last ? encodeCursor({ createdAt: last.created_at, id: last.id }) : null,
  };
}

export type PlaceLine = { order_id: string; seat_id: string | null; area_id: string | null; quantity: number };

/** The seat and area lines of the given orders (one query for a page). */
export async function linesOfOrders(db: D1Database, orderIds: string[]): Promise<PlaceLine[]> {
  if (!orderIds.length) return [];
  const { results } = await db
    .prepare(
      "SELECT order_id, seat_id, area_id, quantity FROM order_lines " +
        "WHERE order_id IN (SELECT value FROM json_each(?)) ORDER BY order_id, seat_id, area_id",
    )
    .bind(JSON.stringify(orderIds))
    .all<PlaceLine>();
  return results;
}
