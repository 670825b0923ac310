import { eq } from "drizzle-orm";
import { type OrderRow, payments } from "../db/schema";
import { log } from "../observability/log";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import type { StrayReason } from "./payment-decision";
import { type Deps, sendRefund } from "./refunds";

/** The parts of a PaymentIntent a refund of it needs. */
type Taken = { id: string; amount: number; currency: string };

/**
 * A success that must buy nothing (a superseded attempt, a settled or cancelled order, the wrong
 * amount, an intent the order never created): in one D1 batch its capture is recorded (so money
 * in always equals tickets plus refunds), a refund of exactly what it took is recorded against
 * that very intent, and the audit entry is written; then the refund is sent, retried from the
 * payments queue until it succeeds or dead-letters. Idempotent per intent.
 */
export async function refundStray(
  deps: Deps,
  order: OrderRow,
  intent: Taken,
  reason: StrayReason,
  chargeRowId: string | null,
): Promise<string> {
  const { db } = deps;
  const now = Date.now();
  const refundId = `stray_${intent.id}`;
  const currency = intent.currency.toUpperCase();
  const capture = chargeRowId
    ? db.update(payments).set({ status: "succeeded", updatedAt: now }).where(eq(payments.id, chargeRowId))
    : db
        .insert(payments)
        .values({
          id: `stray_charge_${intent.id}`,
          orderId: order.id,
          kind: "charge",
          provider: deps.provider.name,
          providerRef: intent.id,
          idempotencyKey: `stray_charge_${intent.id}`,
          amount: intent.amount,
          currency,
          status: "succeeded",
          createdAt: now,
          updatedAt: now,
        })
        .onConflictDoNothing();
  await db.batch([
    capture,
    db
      .insert(payments)
      .values({
        id: refundId,
        orderId: order.id,
        kind: "refund",
        provider: deps.provider.name,
        idempotencyKey: `refund_${refundId}`,
        amount: intent.amount,
        currency,
        reason,
        chargeRef: intent.id,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
    outboxInsert(
      db,
      [
        outboxItem("audit", `stray:${intent.id}`, {
          action: `payment.refunded_${reason}`,
          actorId: null,
          eventId: order.eventId,
          orderId: order.id,
          data: { intent: intent.id, amount: intent.amount, currency, expected: order.amount, reason },
          at: now,
        }),
      ],
      now,
    ),
  ]);
  await shipOutbox(db, deps.env, [`audit:stray:${intent.id}`]);
  log("warn", "stray payment refunded", { orderId: order.id, intent: intent.id, reason });
  await sendRefund(deps, refundId);
  return `refunded_${reason}`;
}
