import { and, eq, inArray, isNull } from "drizzle-orm";
import { getOrder } from "../db/queries/orders";
import { toD1 } from "../db/raw";
import { events, type OrderRow, orderLines, orders, payments, tickets } from "../db/schema";
import { log } from "../observability/log";
import { count, METRIC } from "../observability/metrics";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import { inventoryStub } from "./event-lifecycle";
import { attemptOfKey, decideSuccess } from "./payment-decision";
import { type Deps, eventCancelled, refundUnavailable } from "./refunds";
import { refundStray } from "./stray-payments";
import { buildTickets, eventKeys } from "./ticket-issuer";

/** The parts of a PaymentIntent the outcomes need. */
export type IntentFacts = {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  failure?: string;
};

type ChargeRow = typeof payments.$inferSelect;

/**
 * The order an intent belongs to, found from the charges the order recorded; the metadata's
 * order id is only a fallback, for an intent the order never created (which is refunded).
 */
async function orderOf(deps: Deps, intent: IntentFacts): Promise<{ order: OrderRow; charge: ChargeRow | null } | null> {
  const charge = await deps.db
    .select()
    .from(payments)
    .where(and(eq(payments.kind, "charge"), eq(payments.providerRef, intent.id)))
    .get();
  const order = await getOrder(deps.db, charge?.orderId ?? intent.metadata.order_id ?? "");
  return order ? { order, charge: charge ?? null } : null;
}

/**
 * `payment_intent.succeeded`. Only the order's current attempt, for the recorded amount, may buy
 * seats (see `decideSuccess`); any other success is refunded to its own intent and audited. A
 * sale: the inventory sells the hold's seats (or re-acquires them, under the same rules as a new
 * hold, when the hold lapsed), then ONE D1 batch marks the order paid, issues the tickets and
 * writes the outbox. Every step converges when repeated. Seats gone → automatic refund.
 */
export async function paymentSucceeded(deps: Deps, intent: IntentFacts): Promise<string> {
  const found = await orderOf(deps, intent);
  if (!found) {
    log("warn", "payment success for no known order", { intent: intent.id });
    return "unknown_order";
  }
  const { order, charge } = found;
  const decision = decideSuccess({
    order,
    charge: charge && { ...charge, attempt: attemptOfKey(charge.idempotencyKey) },
    intent,
  });
  if (decision.action === "done") {
    // A retried delivery after a crash between the sale and its cancellation check converges here.
    await refundIfCancelled(deps, order);
    return "already_settled";
  }
  if (decision.action === "refund") {
    const outcome = await refundStray(deps, order, intent, decision.reason, charge?.id ?? null);
    // A wrong amount spends the current attempt: its seats go back and the fan may pay again.
    if (decision.reason === "mismatch" && charge && attemptOfKey(charge.idempotencyKey) === order.paymentAttempt) {
      await failAttempt(deps, order, intent, "mismatch", "the amount or currency did not match the order");
    }
    return outcome;
  }
  return sell(deps, order, intent);
}

/** The sale itself: the object sells (or re-acquires) the seats, then one D1 batch records it. */
async function sell(deps: Deps, order: OrderRow, intent: IntentFacts): Promise<string> {
  const stub = inventoryStub(deps.env.EVENT_INVENTORY, order.eventId);
  if (await eventCancelled(deps.db, order.eventId)) {
    await stub.abandon(order.holdId);
    await refundUnavailable(deps, order, intent.id, "event cancelled");
    return "refunded_unavailable";
  }
  const lines = await deps.db.select().from(orderLines).where(eq(orderLines.orderId, order.id)).all();
  let holdId = order.holdId;
  const confirmed = await stub.confirm(order.holdId, order.id);
  if (!confirmed.ok) {
    // The hold lapsed (or was released after a decline) before this success arrived. The object
    // applies the rules of a new hold (cap, sales window, waiting room) and refuses seats the fan
    // gave back on purpose.
    const area = lines.find((l) => l.areaId);
    const again = await stub.reacquire(
      area
        ? { area: { id: area.areaId!, quantity: area.quantity } }
        : { seats: lines.flatMap((l) => (l.seatId ? [l.seatId] : [])) },
      order.id,
      order.userId,
    );
    if (!again.ok) {
      await refundUnavailable(deps, order, intent.id, again.detail);
      return "refunded_unavailable";
    }
    holdId = again.holdId;
  }

  const now = Date.now();
  const keys = await eventKeys(deps.db, order.eventId);
  const issued = await buildTickets(order, lines, keys, now);
  const { db } = deps;
  const d1 = deps.env.DB;
  const cancelRefund = outboxItem("payments", `cancelled:${order.id}`, {
    type: "refund_order",
    orderId: order.id,
    reason: "event_cancelled",
  });
  await d1.batch([
    toD1(
      d1,
      db
        .update(orders)
        .set({ status: "paid", holdId, paidAt: now, updatedAt: now, closedAt: null })
        .where(and(eq(orders.id, order.id), inArray(orders.status, ["pending_payment", "failed", "expired"]))),
    ),
    toD1(d1, db.insert(tickets).values(issued).onConflictDoNothing({ target: tickets.id })),
    toD1(
      d1,
      db
        .update(payments)
        .set({ status: "succeeded", updatedAt: now })
        .where(and(eq(payments.orderId, order.id), eq(payments.providerRef, intent.id))),
    ),
    toD1(
      d1,
      db
        .update(events)
        .set({ firstSaleAt: now })
        .where(and(eq(events.id, order.eventId), isNull(events.firstSaleAt))),
    ),
    toD1(
      d1,
      outboxInsert(
        db,
        [
          outboxItem("notifications", `paid:${order.id}`, { type: "order_paid", orderId: order.id }),
          outboxItem("audit", `paid:${order.id}`, {
            action: "order.paid",
            actorId: order.userId,
            eventId: order.eventId,
            orderId: order.id,
            data: { intent: intent.id, amount: intent.amount, tickets: issued.length },
            at: now,
          }),
        ],
        now,
      ),
    ),
    // Inside the same transaction as the sale: an event cancelled before this point lists no
    // order that is not yet paid, so the sale itself queues its refund. Either the cancellation's
    // list sees this order paid, or this statement sees the event cancelled.
    d1
      .prepare(
        `INSERT INTO outbox (id, queue, body, created_at) SELECT ?1, 'payments', ?2, ?3
         WHERE EXISTS (SELECT 1 FROM events WHERE id = ?4 AND status = 'cancelled') ON CONFLICT DO NOTHING`,
      )
      .bind(cancelRefund.id, JSON.stringify(cancelRefund.body), now, order.eventId),
  ]);
  await shipOutbox(db, deps.env, [`notifications:paid:${order.id}`, `audit:paid:${order.id}`, cancelRefund.id]);
  count(deps.env, METRIC.paymentOk, [order.eventId, order.currency]);
  await freeShoppingSlot(deps, order);
  return "paid";
}

/** A paid order of a cancelled event is refunded through the payments queue (idempotent). */
async function refundIfCancelled(deps: Deps, order: OrderRow): Promise<void> {
  if (order.status !== "paid" && order.status !== "partially_refunded") return;
  if (!(await eventCancelled(deps.db, order.eventId))) return;
  const item = outboxItem("payments", `cancelled:${order.id}`, {
    type: "refund_order",
    orderId: order.id,
    reason: "event_cancelled",
  });
  await outboxInsert(deps.db, [item]);
  await shipOutbox(deps.db, deps.env, [item.id]);
}

/**
 * `payment_intent.payment_failed` / `canceled`: the seats go back at once and the order fails.
 * A failure that arrives after the success (or for an older attempt) changes nothing.
 */
export async function paymentFailed(deps: Deps, intent: IntentFacts, kind: "failed" | "canceled"): Promise<string> {
  const found = await orderOf(deps, intent);
  if (!found) return "unknown_order";
  const { order, charge } = found;
  const now = Date.now();
  await deps.db
    .update(payments)
    .set({ status: kind === "canceled" ? "canceled" : "failed", lastError: intent.failure ?? kind, updatedAt: now })
    .where(and(eq(payments.providerRef, intent.id), eq(payments.status, "pending")));
  const current = charge ? attemptOfKey(charge.idempotencyKey) === order.paymentAttempt : false;
  if (order.status !== "pending_payment" || !current) return "ignored";
  return failAttempt(deps, order, intent, kind, intent.failure ?? null);
}

/** The current attempt failed: release the seats, fail the order, tell the fan. */
async function failAttempt(
  deps: Deps,
  order: OrderRow,
  intent: IntentFacts,
  kind: "failed" | "canceled" | "mismatch",
  reason: string | null,
): Promise<string> {
  const { db } = deps;
  const now = Date.now();
  const released = await inventoryStub(deps.env.EVENT_INVENTORY, order.eventId).abandon(order.holdId);
  if (!released.ok) return "ignored"; // already sold: the success won the race
  const key = `failed:${order.id}:${order.paymentAttempt}`;
  await db.batch([
    db
      .update(orders)
      .set({ status: "failed", updatedAt: now, closedAt: now })
      .where(
        and(
          eq(orders.id, order.id),
          eq(orders.status, "pending_payment"),
          eq(orders.paymentAttempt, order.paymentAttempt),
        ),
      ),
    outboxInsert(
      db,
      [
        outboxItem("notifications", key, { type: "payment_failed", orderId: order.id }),
        outboxItem("audit", key, {
          action: `payment.${kind}`,
          actorId: order.userId,
          eventId: order.eventId,
          orderId: order.id,
          data: { intent: intent.id, reason },
          at: now,
        }),
      ],
      now,
    ),
  ]);
  await shipOutbox(db, deps.env, [`notifications:${key}`, `audit:${key}`]);
  count(deps.env, METRIC.paymentFailed, [order.eventId, kind]);
  return "failed";
}

/**
 * During a waiting-room sale, a fan who has paid stops counting as shopping at once (else the
 * admission token's expiry frees the slot). Best effort.
 */
async function freeShoppingSlot(deps: Deps, order: OrderRow): Promise<void> {
  const e = await deps.db
    .select({ queueEnabled: events.queueEnabled })
    .from(events)
    .where(eq(events.id, order.eventId))
    .get();
  if (!e?.queueEnabled) return;
  try {
    await deps.env.WAITING_ROOM.getByName(order.eventId).purchased(order.userId);
  } catch (err) {
    log("warn", "waiting room not told of a purchase", { orderId: order.id, error: String(err) });
  }
}
