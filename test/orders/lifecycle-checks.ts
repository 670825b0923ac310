import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { call } from "../helpers/http";
import { ledgerLag } from "../helpers/ledger";
import { until } from "../helpers/wait";

/** The object's own view of one event, read straight from its SQLite (no cache, no settling). */
export async function objectState(eventId: string) {
  const stub = env.EVENT_INVENTORY.getByName(eventId);
  return runInDurableObject(stub, (_i, state) => {
    const sql = state.storage.sql;
    return {
      seats: sql.exec<{ id: string; status: string }>("SELECT id, status FROM seats").toArray(),
      areas: sql.exec<{ id: string; sold: number; held: number }>("SELECT id, sold, held FROM areas").toArray(),
      holds: sql.exec<{ id: string; status: string }>("SELECT id, status FROM holds").toArray(),
      outbox: sql.exec<{ n: number }>("SELECT COUNT(*) AS n FROM outbox").one().n,
    };
  });
}

type OrderMoney = {
  id: string;
  status: string;
  captured: number;
  refunded: number;
  tickets: number;
  live: number;
};

const MONEY = `SELECT o.id, o.status,
  (SELECT COALESCE(SUM(amount), 0) FROM payments
    WHERE order_id = o.id AND kind = 'charge' AND status = 'succeeded') AS captured,
  (SELECT COALESCE(SUM(amount), 0) FROM payments
    WHERE order_id = o.id AND kind = 'refund' AND status <> 'failed') AS refunded,
  (SELECT COALESCE(SUM(price), 0) FROM tickets WHERE order_id = o.id AND status IN ('valid','used')) AS tickets,
  (SELECT COUNT(*) FROM tickets WHERE order_id = o.id AND status IN ('valid','used')) AS live
  FROM orders o WHERE o.event_id = ?`;

/**
 * Work still in flight for the event: outbox rows not yet shipped (D1 or the object), refunds not
 * yet sent, paid orders of a cancelled event whose refund_order has not run. Invariants are only
 * meaningful once this is empty, because the ledger follows the object through these queues.
 */
async function inFlight(eventId: string, objectOutbox: number): Promise<string[]> {
  const [outbox, pending, unrefunded] = await env.DB.batch<{ n: number }>([
    env.DB.prepare("SELECT COUNT(*) AS n FROM outbox"),
    env.DB.prepare(
      `SELECT COUNT(*) AS n FROM payments p JOIN orders o ON o.id = p.order_id
       WHERE o.event_id = ? AND p.kind = 'refund' AND p.status = 'pending'`,
    ).bind(eventId),
    env.DB.prepare(
      `SELECT COUNT(*) AS n FROM orders o JOIN events e ON e.id = o.event_id
       WHERE o.event_id = ? AND e.status = 'cancelled' AND o.status IN ('paid', 'partially_refunded')`,
    ).bind(eventId),
  ]);
  const busy: string[] = [];
  if (outbox?.results[0]?.n) busy.push(`${outbox.results[0].n} D1 outbox row(s) unshipped`);
  if (objectOutbox) busy.push(`${objectOutbox} object outbox row(s) unshipped`);
  if (pending?.results[0]?.n) busy.push(`${pending.results[0].n} refund(s) still pending`);
  if (unrefunded?.results[0]?.n) busy.push(`${unrefunded.results[0].n} paid order(s) of a cancelled event`);
  return busy;
}

/**
 * The object (the write side) and the D1 ledger agree: every order, payment and ticket of the
 * object is in D1 at the same version, with the same status and amounts.
 */
async function ledgerDisagreements(eventId: string): Promise<string[]> {
  const out = await ledgerLag(eventId);
  if (out.length) return out;
  const mine = await runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), (_i, state) => ({
    orders: state.storage.sql
      .exec<{ id: string; status: string; refunded_amount: number }>("SELECT id, status, refunded_amount FROM orders")
      .toArray(),
    tickets: state.storage.sql.exec<{ id: string; status: string }>("SELECT id, status FROM tickets").toArray(),
  }));
  const [orders, tickets] = await env.DB.batch<{ id: string; status: string; refunded_amount?: number }>([
    env.DB.prepare("SELECT id, status, refunded_amount FROM orders WHERE event_id = ?").bind(eventId),
    env.DB.prepare("SELECT id, status FROM tickets WHERE event_id = ?").bind(eventId),
  ]);
  const d1Orders = new Map(orders!.results.map((o) => [o.id, o]));
  for (const o of mine.orders) {
    const d = d1Orders.get(o.id);
    if (d?.status !== o.status || d.refunded_amount !== o.refunded_amount)
      out.push(`order ${o.id}: object ${o.status}/${o.refunded_amount}, D1 ${d?.status}/${d?.refunded_amount}`);
  }
  if (d1Orders.size !== mine.orders.length)
    out.push(`D1 has ${d1Orders.size} orders, the object ${mine.orders.length}`);
  const d1Tickets = new Map(tickets!.results.map((t) => [t.id, t.status]));
  for (const t of mine.tickets)
    if (d1Tickets.get(t.id) !== t.status) out.push(`ticket ${t.id}: object ${t.status}, D1 ${d1Tickets.get(t.id)}`);
  if (d1Tickets.size !== mine.tickets.length)
    out.push(`D1 has ${d1Tickets.size} tickets, the object ${mine.tickets.length}`);
  return out;
}

/** Every invariant the brief names, as a list of human-readable breaks (empty: all hold). */
export async function violations(eventId: string, tokens: Map<string, string>): Promise<string[]> {
  const object = await objectState(eventId);
  const out = await inFlight(eventId, object.outbox);
  // The ledger has drained: D1 says what the object says. The checks below read D1.
  out.push(...(await ledgerDisagreements(eventId)));

  // Money: what was captured is what the live tickets are worth plus what went (or goes) back.
  const money = (await env.DB.prepare(MONEY).bind(eventId).all<OrderMoney>()).results;
  for (const o of money) {
    if (o.captured !== o.tickets + o.refunded)
      out.push(`order ${o.id} (${o.status}): captured ${o.captured} != tickets ${o.tickets} + refunds ${o.refunded}`);
    if (o.status === "paid" && o.live === 0) out.push(`order ${o.id} is paid without a valid ticket`);
  }

  // Seats: the object's sold seats and the ledger's live tickets are the same set, one ticket each.
  const live = (
    await env.DB.prepare(
      `SELECT seat_id AS seat, COUNT(*) AS n FROM tickets
       WHERE event_id = ? AND status IN ('valid','used') AND seat_id IS NOT NULL GROUP BY seat_id`,
    )
      .bind(eventId)
      .all<{ seat: string; n: number }>()
  ).results;
  const ticketed = new Map(live.map((t) => [t.seat, t.n]));
  for (const [seat, n] of ticketed) if (n > 1) out.push(`seat ${seat} has ${n} valid tickets`);
  const sold = new Set(object.seats.filter((s) => s.status === "sold").map((s) => s.id));
  for (const seat of sold) if (!ticketed.has(seat)) out.push(`seat ${seat} is sold in the object but has no ticket`);
  for (const seat of ticketed.keys())
    if (!sold.has(seat)) out.push(`seat ${seat} has a valid ticket but is not sold in the object`);
  const ga = await env.DB.prepare(
    "SELECT COUNT(*) AS n FROM tickets WHERE event_id = ? AND status IN ('valid','used') AND area_id = 'pit'",
  )
    .bind(eventId)
    .first<{ n: number }>();
  const pitSold = object.areas.find((a) => a.id === "pit")?.sold ?? 0;
  if (pitSold !== (ga?.n ?? 0)) out.push(`pit: ${pitSold} sold in the object, ${ga?.n ?? 0} valid GA tickets`);

  // Payment attempts: terminal, or the live checkout of a pending order (its current hold, in checkout).
  const open = (
    await env.DB.prepare(
      `SELECT p.id, p.status, p.hold_id AS paysFor, o.id AS orderId, o.status AS orderStatus, o.hold_id AS current,
         o.user_id AS userId
       FROM payments p JOIN orders o ON o.id = p.order_id
       WHERE o.event_id = ? AND p.kind = 'charge' AND p.status NOT IN ('succeeded', 'failed', 'canceled')`,
    )
      .bind(eventId)
      .all<{
        id: string;
        status: string;
        paysFor: string;
        orderId: string;
        orderStatus: string;
        current: string;
        userId: string;
      }>()
  ).results;
  for (const p of open) {
    const what = `charge ${p.id} (${p.status}) of order ${p.orderId} (${p.orderStatus})`;
    if (p.orderStatus !== "pending_payment" || p.paysFor !== p.current) {
      out.push(`${what} is open but not the order's live checkout`);
      continue;
    }
    const res = await call("GET", `/v1/holds/${encodeURIComponent(`${eventId}~${p.current}`)}`, {
      token: tokens.get(p.userId),
    });
    const hold = res.status === 200 ? ((await res.json()) as { status: string }).status : `HTTP ${res.status}`;
    if (hold !== "checking_out") out.push(`${what} is open but its hold is ${hold}`);
  }
  return out;
}

/**
 * Waits (bounded) until nothing is in flight and every invariant holds; returns what still breaks.
 * A break that the queues repair within the wait is eventual consistency, not a bug.
 */
export function settled(eventId: string, tokens: Map<string, string>, ms = 10_000): Promise<string[]> {
  return until(
    () => violations(eventId, tokens),
    (v) => v.length === 0,
    ms,
  );
}
