import { and, eq, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { orderForHold } from "../db/queries/orders";
import { orderLines, orders, payments, type OrderRow } from "../db/schema";
import { AppError, notFound } from "../errors";
import type { AuthContext } from "../env";
import type { HoldView } from "../objects/inventory-types";
import type { PaymentHandle, PaymentProvider } from "../payments/provider";
import { PaymentProviderError } from "../payments/provider";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import { inventoryStub } from "./event-lifecycle";
import { locateHold } from "./event-ids";
import { inventoryError } from "./inventory-errors";
import { METRIC, count } from "../observability/metrics";
import { toD1 } from "../db/raw";
import { currentCharge } from "../db/queries/orders";
import { cancelCharge } from "./intent-cancel";
import { attemptKey } from "./payment-decision";

export type CheckoutResult = { order: OrderRow; payment: PaymentHandle; expiresAt: number };

export { attemptKey } from "./payment-decision";

type Ctx = { db: Db; ns: Env["EVENT_INVENTORY"]; provider: PaymentProvider; env: Env };

/**
 * Turns the caller's hold into an order awaiting payment and asks the provider for a payment.
 * Safe to repeat and to race: the order is unique per hold, the hold's move to `checking_out` is
 * idempotent, and the provider call reuses the attempt's idempotency key, so two concurrent
 * checkouts of one hold end as one order and one PaymentIntent.
 */
export async function checkout(ctx: Ctx, auth: AuthContext, publicHoldId: string): Promise<CheckoutResult> {
  const ids = await locateHold(ctx.env.DB, publicHoldId);
  const stub = inventoryStub(ctx.ns, ids.eventId);
  const got = await stub.getHold(ids.holdId);
  if (!got.ok || got.hold.userId !== auth.userId) throw notFound("Hold");
  const hold = got.hold;

  let order = await orderForHold(ctx.db, hold.id);
  if (order && order.status !== "pending_payment") {
    throw new AppError("order_not_payable", `The order for this hold is ${order.status}`, {
      extra: { orderId: order.id },
    });
  }
  if (!order) {
    if (hold.status !== "active" && hold.status !== "checking_out")
      throw new AppError("hold_not_active", `The hold is ${hold.status}`);
    order = await createOrder(ctx, auth, ids.eventId, hold);
  }

  const begun = await stub.beginCheckout(hold.id, auth.userId, order.id);
  if (!begun.ok) {
    await ctx.db
      .update(orders)
      .set({ status: "expired", updatedAt: Date.now(), closedAt: Date.now() })
      .where(and(eq(orders.id, order.id), eq(orders.status, "pending_payment")));
    throw inventoryError(begun);
  }
  await ctx.db.update(orders).set({ holdExpiresAt: begun.expiresAt }).where(eq(orders.id, order.id));
  const payment = await requestPayment(ctx, order, ids.eventId);
  await auditCheckout(ctx, order, auth, payment);
  count(ctx.env, METRIC.checkout, [ids.eventId]);
  return { order, payment, expiresAt: begun.expiresAt };
}

/** One audit entry per payment attempt (a replayed checkout finds it written already). */
async function auditCheckout(ctx: Ctx, order: OrderRow, auth: AuthContext, payment: PaymentHandle): Promise<void> {
  const now = Date.now();
  const item = outboxItem("audit", `checkout:${order.id}:${Math.max(1, order.paymentAttempt)}`, {
    action: "order.checkout",
    actorId: auth.userId,
    eventId: order.eventId,
    orderId: order.id,
    data: {
      amount: order.amount,
      currency: order.currency,
      provider: payment.provider,
      reference: payment.reference,
      attempt: Math.max(1, order.paymentAttempt),
    },
    at: now,
  });
  await outboxInsert(ctx.db, [item], now);
  await shipOutbox(ctx.db, ctx.env, [item.id]);
}

/**
 * Inserts the order and its lines in one D1 batch (one transaction): never an order without its
 * lines. When a concurrent checkout of the same hold won the race, its order is returned.
 */
async function createOrder(ctx: Ctx, auth: AuthContext, eventId: string, hold: HoldView): Promise<OrderRow> {
  const { db } = ctx;
  const d1 = ctx.env.DB;
  const now = Date.now();
  const id = crypto.randomUUID();
  const amount = hold.lines.reduce((n, l) => n + l.price * l.quantity, 0);
  const insertOrder = db
    .insert(orders)
    .values({
      id,
      userId: auth.userId,
      eventId,
      holdId: hold.id,
      amount,
      currency: hold.currency,
      email: auth.email,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing({ target: orders.holdId });
  // A line is written only when this batch's own order went in (not when another checkout won).
  const insertLine = d1.prepare(
    `INSERT INTO order_lines (id, order_id, seat_id, area_id, tier, price, quantity)
     SELECT ?1, ?2, ?3, ?4, ?5, ?6, ?7 WHERE EXISTS (SELECT 1 FROM orders WHERE id = ?2)`,
  );
  await d1.batch([
    toD1(d1, insertOrder),
    ...hold.lines.map((l) => insertLine.bind(crypto.randomUUID(), id, l.seatId, l.areaId, l.tier, l.price, l.quantity)),
  ]);
  const order = await orderForHold(db, hold.id);
  if (!order) throw new AppError("internal_error", "order vanished after insert");
  return order;
}

/**
 * Asks the provider for this attempt's payment (creating attempt 1 on first use). A provider
 * failure that may pass answers 503 with Retry-After and leaves hold and order as they are; a
 * definitive refusal fails the order and releases the seats.
 */
export async function requestPayment(ctx: Ctx, order: OrderRow, eventId: string): Promise<PaymentHandle> {
  if (order.paymentAttempt === 0) {
    await ctx.db
      .update(orders)
      .set({ paymentAttempt: 1 })
      .where(and(eq(orders.id, order.id), eq(orders.paymentAttempt, 0)));
    order = { ...order, paymentAttempt: 1 };
  }
  const key = attemptKey(order.id, order.paymentAttempt);
  const now = Date.now();
  try {
    const handle = await ctx.provider.createPayment({
      orderId: order.id,
      holdId: order.holdId,
      eventId,
      amount: order.amount,
      currency: order.currency,
      email: order.email,
      userId: order.userId,
      idempotencyKey: key,
    });
    await ctx.db
      .insert(payments)
      .values({
        id: crypto.randomUUID(),
        orderId: order.id,
        kind: "charge",
        provider: ctx.provider.name,
        providerRef: handle.reference,
        holdId: order.holdId,
        idempotencyKey: key,
        amount: order.amount,
        currency: order.currency,
        attempts: 1,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoUpdate({
        target: payments.idempotencyKey,
        set: {
          providerRef: handle.reference,
          attempts: sql`${payments.attempts} + 1`,
          lastError: null,
          updatedAt: now,
        },
      });
    return handle;
  } catch (err) {
    if (!(err instanceof PaymentProviderError)) throw err;
    if (err.retryable) {
      throw new AppError(
        "payment_provider_unavailable",
        "The payment provider is not answering; retry shortly — your seats stay held",
        { headers: { "Retry-After": "2" }, cause: err },
      );
    }
    await ctx.db
      .update(orders)
      .set({ status: "failed", updatedAt: now, closedAt: now })
      .where(and(eq(orders.id, order.id), eq(orders.status, "pending_payment")));
    await inventoryStub(ctx.ns, eventId).abandon(order.holdId);
    throw new AppError("order_not_payable", `The payment provider refused the payment: ${err.message}`, { cause: err });
  }
}

/**
 * One live intent per order: before a new attempt, the previous attempt's intent is cancelled, so
 * it can never take money later. If it was paid after all, that success is applied instead (by
 * the webhook's rules) and no new attempt opens while the order is no longer `failed`.
 */
async function retirePreviousIntent(ctx: Ctx, order: OrderRow): Promise<void> {
  const previous = await currentCharge(ctx.db, order.id);
  if (!previous?.providerRef || previous.status === "canceled") return;
  try {
    if ((await cancelCharge(ctx, previous)) !== "already_succeeded") return;
  } catch (err) {
    if (err instanceof PaymentProviderError && err.retryable) {
      throw new AppError("payment_provider_unavailable", "The payment provider is not answering; retry shortly", {
        headers: { "Retry-After": "2" },
        cause: err,
      });
    }
    throw err;
  }
  const now = await ctx.db.select().from(orders).where(eq(orders.id, order.id)).get();
  if (now?.status !== "failed") {
    throw new AppError("order_not_payable", `The earlier payment went through after all; this order is ${now?.status}`);
  }
}

/**
 * "Try another card" after a decline: holds the order's same seats (or GA places) again under a
 * new hold, bumps the attempt (so the provider sees a new idempotency key) and asks for payment.
 */
export async function retryPayment(
  ctx: Ctx,
  auth: AuthContext,
  orderId: string,
  admissionFor: (eventId: string) => Promise<{ ticket: string; expiresAt: number } | undefined> = async () => undefined,
): Promise<CheckoutResult> {
  const order = await ctx.db.select().from(orders).where(eq(orders.id, orderId)).get();
  if (!order || order.userId !== auth.userId) throw notFound("Order");
  const admission = await admissionFor(order.eventId);
  if (order.status !== "failed")
    throw new AppError("order_not_payable", `Only a failed order can be paid again; this one is ${order.status}`);
  await retirePreviousIntent(ctx, order);
  const lines = await ctx.db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).all();
  const seats = lines.flatMap((l) => (l.seatId ? [l.seatId] : []));
  const area = lines.find((l) => l.areaId);
  const stub = inventoryStub(ctx.ns, order.eventId);
  // With the waiting room on, the object lets the order's own admission (still in its window)
  // stand for a new token; a fresh token from queueing again also works.
  const held = await stub.hold({
    userId: auth.userId,
    request: area ? { area: area.areaId!, quantity: area.quantity } : { seats },
    orderId,
    ...(admission ? { admission } : {}),
  });
  if (!held.ok) throw inventoryError(held);
  const now = Date.now();
  const moved = await ctx.db
    .update(orders)
    .set({
      status: "pending_payment",
      holdId: held.holdId,
      paymentAttempt: order.paymentAttempt + 1,
      updatedAt: now,
      closedAt: null,
    })
    .where(and(eq(orders.id, orderId), eq(orders.status, "failed"), eq(orders.paymentAttempt, order.paymentAttempt)))
    .returning();
  if (!moved[0]) {
    await stub.release(held.holdId, auth.userId);
    throw new AppError("request_in_progress", "Another payment attempt for this order is under way");
  }
  const begun = await stub.beginCheckout(held.holdId, auth.userId, orderId);
  if (!begun.ok) throw inventoryError(begun);
  await ctx.db.update(orders).set({ holdExpiresAt: begun.expiresAt }).where(eq(orders.id, orderId));
  const payment = await requestPayment(ctx, moved[0], order.eventId);
  await auditCheckout(ctx, moved[0], auth, payment);
  return { order: moved[0], payment, expiresAt: begun.expiresAt };
}
