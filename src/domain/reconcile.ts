import { and, eq, isNotNull, lt } from "drizzle-orm";
import { createDb } from "../db/client";
import { orders, payments } from "../db/schema";
import type { PaymentMessage } from "../queues/payment-messages";
import { eventOfOrder } from "./order-ids";

/** A checkout this long past its hold deadline has missed the object's own cancel message. */
const ORDER_GRACE_MS = 2 * 60 * 1000;
/** A pending refund untouched this long has no retry in flight (the queue's backoff is shorter). */
const REFUND_STALE_MS = 15 * 60 * 1000;
const PER_RUN = 100;

async function send(env: Env, bodies: PaymentMessage[]): Promise<void> {
  if (bodies.length) await env.PAYMENTS.sendBatch(bodies.map((body) => ({ body, contentType: "json" as const })));
}

/**
 * The payments safety net (cron): orders still `pending_payment` past their hold deadline are
 * reconciled with the provider through `cancel_payment` (which also applies a success whose
 * webhook never arrived), and refunds left `pending` are sent again. Every message is idempotent,
 * so a duplicate of one already in flight is harmless.
 */
export async function reconcilePayments(env: Env, now = Date.now()) {
  const db = createDb(env.DB);
  const stale = await db
    .select({ id: orders.id })
    .from(orders)
    .where(
      and(
        eq(orders.status, "pending_payment"),
        isNotNull(orders.holdExpiresAt),
        lt(orders.holdExpiresAt, now - ORDER_GRACE_MS),
      ),
    )
    .limit(PER_RUN)
    .all();
  const refunds = await db
    .select({ id: payments.id, orderId: payments.orderId })
    .from(payments)
    .where(
      and(eq(payments.kind, "refund"), eq(payments.status, "pending"), lt(payments.updatedAt, now - REFUND_STALE_MS)),
    )
    .limit(PER_RUN)
    .all();
  await send(
    env,
    stale.map((o) => ({ type: "cancel_payment", orderId: o.id })),
  );
  await send(
    env,
    refunds.flatMap((r) => {
      const eventId = eventOfOrder(r.orderId);
      return eventId ? [{ type: "refund" as const, paymentId: r.id, eventId }] : [];
    }),
  );
  return { orders: stale.length, refunds: refunds.length };
}
