/**
 * The rows of an event's CSV exports, read from D1 (the ledger) one keyset page at a time, so an
 * export of a 50,000-seat event streams in pages and never holds the whole list in memory.
 */

export type AttendeeRow = {
  id: string;
  order_id: string;
  place: string;
  tier: string;
  price: number;
  status: string;
  used_at: number | null;
  created_at: number;
  email: string;
  currency: string;
};

export type OrderExportRow = {
  id: string;
  email: string;
  status: string;
  amount: number;
  refunded_amount: number;
  currency: string;
  created_at: number;
  paid_at: number | null;
  places: number;
};

/** Tickets of the event after ticket id `after` (in id order), with their buyer. */
export async function attendeePage(db: D1Database, eventId: string, after: string, limit: number) {
  const { results } = await db
    .prepare(
      "SELECT t.id, t.order_id, t.place, t.tier, t.price, t.status, t.used_at, t.created_at, o.email, o.currency " +
        "FROM tickets t JOIN orders o ON o.id = t.order_id WHERE t.event_id = ? AND t.id > ? ORDER BY t.id LIMIT ?",
    )
    .bind(eventId, after, limit)
    .all<AttendeeRow>();
  return results;
}

/** Orders of the event after order id `after` (in id order), with how many places each holds. */
export async function orderExportPage(db: D1Database, eventId: string, after: string, limit: number) {
  const { results } = await db
    .prepare(
      "SELECT o.id, o.email, o.status, o.amount, o.refunded_amount, o.currency, o.created_at, o.paid_at, " +
        "(SELECT COALESCE(SUM(l.quantity), 0) FROM order_lines l WHERE l.order_id = o.id) AS places " +
        "FROM orders o WHERE o.event_id = ? AND o.id > ? ORDER BY o.id LIMIT ?",
    )
    .bind(eventId, after, limit)
    .all<OrderExportRow>();
  return results;
}
