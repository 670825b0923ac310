import { and, eq, inArray, isNull } from "drizzle-orm";
import { getOrder } from "../db/queries/orders";
import { events, orderLines, orders, payments, tickets, type OrderRow } from "../db/schema";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import { inventoryStub } from "./event-lifecycle";
import { eventCancelled, refundUnavailable, type Deps } from "./refunds";
import { buildTickets, eventKeys } from "./ticket-issuer";
import { METRIC, count } from "../observability/metrics";
import { log } from "../observability/log";

/** The parts of a PaymentIntent the outcomes need. */
export type IntentFacts = {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  failure?: string;
};

const SETTLED = ["paid", "partially_refunded", "refunded", "refunded_unavailable"] as const;

async function orderOf(deps: Deps, intent: IntentFacts): Promise<OrderRow | undefined> {
  const id = intent.metadata.order_id;
  if (id) return getOrder(deps.db, id);
  const row = await deps.db
    .select({ orderId: payments.orderId })
    .from(payments)
    .where(eq(payments.providerRef, intent.id))
    .get();
  return row ? getOrder(deps.db, row.orderId) : undefined;
}

/**
 * `payment_intent.succeeded`: the inventory sells the hold's seats (or re-acquires them when the
 * hold lapsed), then ONE D1 batch marks the order paid, issues the tickets and writes the
 * notification and audit messages to the outbox. Every step converges when repeated, so a
 * replayed or concurrent delivery issues one set of tickets. Seats gone → automatic refund.
 */
export async function paymentSucceeded(deps: Deps, intent: IntentFacts): Promise<string> {
  const order = await orderOf(deps, intent);
  if (!order) return "unknown_order";
  if ((SETTLED as readonly string[]).includes(order.status)) return "already_settled";
  if (intent.amount !== order.amount || intent.currency.toLowerCase() !== order.currency.toLowerCase()) {
    log("error", "payment amount mismatch", {
      orderId: order.id,
      intent: intent.id,
      amount: intent.amount,
      expected: order.amount,
    });
  }
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
    // The hold lapsed (or was released after a decline) before this success arrived.
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
  await db.batch([
    db
      .update(orders)
      .set({ status: "paid", holdId, paidAt: now, updatedAt: now, closedAt: null })
      .where(and(eq(orders.id, order.id), inArray(orders.status, ["pending_payment", "failed", "expired"]))),
    db.insert(tickets).values(issued).onConflictDoNothing({ target: tickets.id }),
    db
      .update(payments)
      .set({ status: "succeeded", updatedAt: now })
      .where(and(eq(payments.orderId, order.id), eq(payments.providerRef, intent.id))),
    db
      .update(events)
      .set({ firstSaleAt: now })
      .where(and(eq(events.id, order.eventId), isNull(events.firstSaleAt))),
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
  ]);
  await shipOutbox(db, deps.env, [`notifications:paid:${order.id}`, `audit:paid:${order.id}`]);
  count(deps.env, METRIC.paymentOk, [order.eventId, order.currency]);
  await freeShoppingSlot(deps, order);
  return "paid";
}

/**
 * `payment_intent.payment_failed` / `canceled`: the seats go back at once and the order fails.
 * A failure that arrives after the success (or for an older attempt) changes nothing.
 */
export async function paymentFailed(deps: Deps, intent: IntentFacts, kind: "failed" | "canceled"): Promise<string> {
  const order = await orderOf(deps, intent);
  if (!order) return "unknown_order";
  const { db } = deps;
  const now = Date.now();
  const charge = await db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, order.id), eq(payments.providerRef, intent.id)))
    .get();
  const current = charge?.idempotencyKey.endsWith(`_attempt_${order.paymentAttempt}`) ?? true;
  await db
    .update(payments)
    .set({ status: kind === "canceled" ? "canceled" : "failed", lastError: intent.failure ?? kind, updatedAt: now })
    .where(and(eq(payments.providerRef, intent.id), eq(payments.status, "pending")));
  if (order.status !== "pending_payment" || !current) return "ignored";
  const released = await inventoryStub(deps.env.EVENT_INVENTORY, order.eventId).abandon(order.holdId);
  if (!released.ok) return "ignored"; // already sold: the success won the race
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
        outboxItem("notifications", `failed:${order.id}:${order.paymentAttempt}`, {
          type: "payment_failed",
          orderId: order.id,
        }),
        outboxItem("audit", `failed:${order.id}:${order.paymentAttempt}`, {
          action: `payment.${kind}`,
          actorId: order.userId,
          eventId: order.eventId,
          orderId: order.id,
          data: { intent: intent.id, reason: intent.failure ?? null },
          at: now,
        }),
      ],
      now,
    ),
  ]);
  await shipOutbox(db, deps.env, [
    `notifications:failed:${order.id}:${order.paymentAttempt}`,
    `audit:failed:${order.id}:${order.paymentAttempt}`,
  ]);
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
