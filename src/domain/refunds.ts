import { and, eq, inArray } from "drizzle-orm";
import { toD1 } from "../db/raw";
import type { Db } from "../db/client";
import { events, orders, payments, tickets, type OrderRow } from "../db/schema";
import { AppError } from "../errors";
import type { PaymentProvider } from "../payments/provider";
import { PaymentProviderError } from "../payments/provider";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import { log } from "../observability/log";
import { inventoryStub } from "./event-lifecycle";
import { attemptKey } from "./payment-decision";
import { METRIC, count } from "../observability/metrics";

export type Deps = { db: Db; env: Env; provider: PaymentProvider };

export type RefundReason = "fan_cancel" | "organizer" | "event_cancelled" | "unavailable";

/**
 * The charge that paid for this order's tickets: its current attempt, succeeded. A success for
 * any other attempt never buys tickets (it is refunded to itself), so it is never this one.
 */
export async function succeededCharge(db: Db, order: Pick<OrderRow, "id" | "paymentAttempt">) {
  return db
    .select()
    .from(payments)
    .where(
      and(
        eq(payments.orderId, order.id),
        eq(payments.kind, "charge"),
        eq(payments.status, "succeeded"),
        eq(payments.idempotencyKey, attemptKey(order.id, order.paymentAttempt)),
      ),
    )
    .get();
}

/**
 * Refunds valid tickets of a paid order (all of them, or the given ids): in one D1 batch the
 * tickets become `refunded`, a refund row is recorded and the order's refunded amount and status
 * move; then the seats return to sale and the money goes back (from the queue if Stripe fails).
 */
export async function refundTickets(
  deps: Deps,
  order: OrderRow,
  reason: RefundReason,
  actorId: string | null,
  ticketIds?: string[],
) {
  const { db } = deps;
  if (order.status !== "paid" && order.status !== "partially_refunded") {
    throw new AppError("refund_not_allowed", `An order that is ${order.status} cannot be refunded`);
  }
  const all = await db.select().from(tickets).where(eq(tickets.orderId, order.id)).all();
  const wanted = ticketIds ? all.filter((t) => ticketIds.includes(t.id)) : all.filter((t) => t.status === "valid");
  if (ticketIds && wanted.length !== new Set(ticketIds).size)
    throw new AppError("unprocessable", "Some ticket ids are not part of this order");
  const blocked = wanted.filter((t) => t.status !== "valid");
  if (blocked.length) {
    throw new AppError(
      "refund_not_allowed",
      `${blocked.length} ticket(s) are ${blocked.map((t) => t.status).join(", ")} and cannot be refunded`,
      { extra: { tickets: blocked.map((t) => t.id) } },
    );
  }
  if (!wanted.length) throw new AppError("refund_not_allowed", "The order has no valid tickets left to refund");
  const charge = await succeededCharge(db, order);
  if (!charge?.providerRef) throw new AppError("refund_not_allowed", "The order has no settled payment to refund");

  const now = Date.now();
  const refundId = crypto.randomUUID();
  const ids = wanted.map((t) => t.id);
  // The refunded amount is summed from the tickets this batch actually flips, so two refunds
  // racing for one ticket can never pay it back twice.
  const d1 = deps.env.DB;
  const amountOf = `(SELECT COALESCE(SUM(price), 0) FROM tickets WHERE refund_id = ?1)`;
  await d1.batch([
    toD1(
      d1,
      db
        .update(tickets)
        .set({ status: "refunded", refundId, updatedAt: now })
        .where(and(inArray(tickets.id, ids), eq(tickets.status, "valid"))),
    ),
    d1
      .prepare(
        `INSERT INTO payments (id, order_id, kind, provider, idempotency_key, amount, currency, status, reason,
           charge_ref, created_at, updated_at)
         SELECT ?1, ?2, 'refund', ?3, ?4, ${amountOf}, ?5, 'pending', ?6, ?8, ?7, ?7 WHERE ${amountOf} > 0`,
      )
      .bind(refundId, order.id, charge.provider, `refund_${refundId}`, order.currency, reason, now, charge.providerRef),
    d1
      .prepare(
        `UPDATE orders SET refunded_amount = refunded_amount + ${amountOf},
           status = CASE WHEN refunded_amount + ${amountOf} >= amount THEN 'refunded' ELSE 'partially_refunded' END,
           updated_at = ?3
         WHERE id = ?2`,
      )
      .bind(refundId, order.id, now),
    toD1(
      d1,
      outboxInsert(
        db,
        [
          outboxItem("audit", `refund:${refundId}`, {
            action: "order.refund",
            actorId,
            eventId: order.eventId,
            orderId: order.id,
            data: { refundId, reason, tickets: ids },
            at: now,
          }),
          outboxItem("notifications", `refund:${refundId}`, {
            type: "order_refunded",
            orderId: order.id,
            refundId,
            amount: wanted.reduce((n, t) => n + t.price, 0),
          }),
          // The seats go back on sale from the queue too, so a failed call below is retried.
          outboxItem("payments", `return:${refundId}`, { type: "return_to_sale", orderId: order.id, refundId }),
        ],
        now,
      ),
    ),
  ]);
  const row = await db.select().from(payments).where(eq(payments.id, refundId)).get();
  if (!row) throw new AppError("refund_not_allowed", "Those tickets were refunded by another request just now");
  try {
    await returnSeats(deps, order, refundId);
  } catch (err) {
    log("warn", "seats not returned yet; the payments queue retries", { orderId: order.id, error: String(err) });
  }
  await shipOutbox(db, deps.env, [
    `audit:refund:${refundId}`,
    `notifications:refund:${refundId}`,
    `payments:return:${refundId}`,
  ]);
  const sent = await sendRefund(deps, refundId);
  return { refundId, amount: row.amount, status: sent };
}

/**
 * Puts the seats (or GA places) of one refund back on sale in the event's object. Idempotent per
 * refund (the object records each refund id once), so the inline call and the queued message
 * may both run.
 */
export async function returnSeats(deps: Deps, order: Pick<OrderRow, "id" | "eventId">, refundId: string) {
  const flipped = await deps.db.select().from(tickets).where(eq(tickets.refundId, refundId)).all();
  if (!flipped.length) return;
  const places = flipped.filter((t) => t.areaId);
  await inventoryStub(deps.env.EVENT_INVENTORY, order.eventId).returnToSale({
    refundId,
    orderId: order.id,
    seats: flipped.flatMap((t) => (t.seatId ? [t.seatId] : [])),
    area: places.length ? { id: places[0]!.areaId!, quantity: places.length } : undefined,
  });
}

/**
 * A payment that succeeded when its seats were gone (or the event was cancelled): the whole
 * charge is refunded and the order ends `refunded_unavailable`. No paid order ends without
 * tickets or a refund.
 */
export async function refundUnavailable(deps: Deps, order: OrderRow, intentId: string, why: string) {
  const { db } = deps;
  const now = Date.now();
  const refundId = `unavailable_${order.id}`;
  await db.batch([
    db
      .update(orders)
      .set({ status: "refunded_unavailable", refundedAmount: order.amount, updatedAt: now, closedAt: now })
      .where(eq(orders.id, order.id)),
    db
      .update(payments)
      .set({ status: "succeeded", updatedAt: now })
      .where(and(eq(payments.orderId, order.id), eq(payments.providerRef, intentId))),
    db
      .insert(payments)
      .values({
        id: refundId,
        orderId: order.id,
        kind: "refund",
        provider: deps.provider.name,
        idempotencyKey: `refund_${refundId}`,
        amount: order.amount,
        currency: order.currency,
        reason: "unavailable",
        chargeRef: intentId,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    outboxInsert(
      db,
      [
        outboxItem("audit", `unavailable:${order.id}`, {
          action: "order.refunded_unavailable",
          actorId: null,
          eventId: order.eventId,
          orderId: order.id,
          data: { intentId, why },
          at: now,
        }),
        outboxItem("notifications", `refund:${refundId}`, {
          type: "order_refunded",
          orderId: order.id,
          refundId,
          amount: order.amount,
        }),
      ],
      now,
    ),
  ]);
  await shipOutbox(db, deps.env, [`audit:unavailable:${order.id}`, `notifications:refund:${refundId}`]);
  await sendRefund(deps, refundId);
}

/**
 * Sends a recorded refund to the provider once. A failure that may pass is queued for a retry
 * with backoff; the returned status says where the refund stands.
 */
export async function sendRefund(deps: Deps, refundRowId: string): Promise<"succeeded" | "queued" | "failed"> {
  const { db } = deps;
  const row = await db.select().from(payments).where(eq(payments.id, refundRowId)).get();
  if (row?.kind !== "refund") return "failed";
  if (row.status === "succeeded") return "succeeded";
  const now = Date.now();
  const order = row.chargeRef ? null : await db.select().from(orders).where(eq(orders.id, row.orderId)).get();
  const reference = row.chargeRef ?? (order ? (await succeededCharge(db, order))?.providerRef : null);
  if (!reference) {
    await db
      .update(payments)
      .set({ status: "failed", lastError: "no settled charge to refund", updatedAt: now })
      .where(eq(payments.id, row.id));
    return "failed";
  }
  try {
    const { refundId } = await deps.provider.refund({
      reference,
      amount: row.amount,
      idempotencyKey: row.idempotencyKey,
      reason: row.reason ?? "requested",
      refundRowId: row.id,
    });
    await db
      .update(payments)
      .set({ status: "succeeded", providerRef: refundId, attempts: row.attempts + 1, lastError: null, updatedAt: now })
      .where(eq(payments.id, row.id));
    count(deps.env, METRIC.refund, [row.reason, row.currency]);
    return "succeeded";
  } catch (err) {
    if (!(err instanceof PaymentProviderError)) throw err;
    await db
      .update(payments)
      .set({
        attempts: row.attempts + 1,
        lastError: err.message,
        status: err.retryable ? "pending" : "failed",
        updatedAt: now,
      })
      .where(eq(payments.id, row.id));
    if (!err.retryable) return "failed";
    await deps.env.PAYMENTS.send({ type: "refund", paymentId: row.id }, { contentType: "json" });
    return "queued";
  }
}

/** Orders of an event that hold money, for cancellation refunds. */
export async function refundableOrders(db: Db, eventId: string) {
  return db
    .select({ id: orders.id })
    .from(orders)
    .where(and(eq(orders.eventId, eventId), inArray(orders.status, ["paid", "partially_refunded"])))
    .all();
}

/** True when the event was cancelled: late payments for it are refunded, not ticketed. */
export async function eventCancelled(db: Db, eventId: string): Promise<boolean> {
  const e = await db.select({ status: events.status }).from(events).where(eq(events.id, eventId)).get();
  return e?.status === "cancelled";
}

/**
 * An event was cancelled: every order holding money gets a `refund_order` message on the payments
 * queue, which refunds it with retries. Sent in batches of 100 (the queue's batch limit).
 */
export async function queueCancellationRefunds(db: Db, env: Env, eventId: string): Promise<number> {
  const rows = await refundableOrders(db, eventId);
  for (let i = 0; i < rows.length; i += 100) {
    await env.PAYMENTS.sendBatch(
      rows.slice(i, i + 100).map((r) => ({
        body: { type: "refund_order", orderId: r.id, reason: "event_cancelled" },
        contentType: "json" as const,
      })),
    );
  }
  return rows.length;
}
