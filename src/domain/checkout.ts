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
import { decodeHoldId } from "./hold-ids";
import { inventoryError } from "./inventory-errors";
import { METRIC, count } from "../observability/metrics";

export type CheckoutResult = { order: OrderRow; payment: PaymentHandle; expiresAt: number };

/** The provider idempotency key of one payment attempt: a new attempt gets a new key. */
export const attemptKey = (orderId: string, attempt: number) => `order_${orderId}_attempt_${attempt}`;

type Ctx = { db: Db; ns: Env["EVENT_INVENTORY"]; provider: PaymentProvider; env: Env };

/**
 * Turns the caller's hold into an order awaiting payment and asks the provider for a payment.
 * Safe to repeat and to race: the order is unique per hold, the hold's move to `checking_out` is
 * idempotent, and the provider call reuses the attempt's idempotency key, so two concurrent
 * checkouts of one hold end as one order and one PaymentIntent.
 */
export async function checkout(ctx: Ctx, auth: AuthContext, publicHoldId: string): Promise<CheckoutResult> {
  const ids = decodeHoldId(publicHoldId);
  if (!ids) throw notFound("Hold");
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
    order = await createOrder(ctx.db, auth, ids.eventId, hold);
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

/** Inserts the order and its lines; when a concurrent checkout won the race, returns its order. */
async function createOrder(db: Db, auth: AuthContext, eventId: string, hold: HoldView): Promise<OrderRow> {
  const now = Date.now();
  const id = crypto.randomUUID();
  const amount = hold.lines.reduce((n, l) => n + l.price * l.quantity, 0);
  const inserted = await db
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
    .onConflictDoNothing({ target: orders.holdId })
    .returning({ id: orders.id });
  if (inserted.length && hold.lines.length) {
    await db.insert(orderLines).values(
      hold.lines.map((l) => ({
        id: crypto.randomUUID(),
        orderId: id,
        seatId: l.seatId,
        areaId: l.areaId,
        tier: l.tier,
        price: l.price,
        quantity: l.quantity,
      })),
    );
  }
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
 * "Try another card" after a decline: holds the order's same seats (or GA places) again under a
 * new hold, bumps the attempt (so the provider sees a new idempotency key) and asks for payment.
 */
export async function retryPayment(ctx: Ctx, auth: AuthContext, orderId: string): Promise<CheckoutResult> {
  const order = await ctx.db.select().from(orders).where(eq(orders.id, orderId)).get();
  if (!order || order.userId !== auth.userId) throw notFound("Order");
  if (order.status !== "failed")
    throw new AppError("order_not_payable", `Only a failed order can be paid again; this one is ${order.status}`);
  const lines = await ctx.db.select().from(orderLines).where(eq(orderLines.orderId, orderId)).all();
  const seats = lines.flatMap((l) => (l.seatId ? [l.seatId] : []));
  const area = lines.find((l) => l.areaId);
  const stub = inventoryStub(ctx.ns, order.eventId);
  const held = await stub.hold({
    userId: auth.userId,
    request: area ? { area: area.areaId!, quantity: area.quantity } : { seats },
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
