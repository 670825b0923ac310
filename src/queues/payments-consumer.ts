import { and, eq } from "drizzle-orm";
import { createDb } from "../db/client";
import { getOrder } from "../db/queries/orders";
import { orders } from "../db/schema";
import { chargeForHold, currentCharge } from "../db/queries/orders";
import { cancelCharge } from "../domain/intent-cancel";
import { refundTickets, returnSeats, sendRefund, type Deps } from "../domain/refunds";
import { AppError } from "../errors";
import { paymentProvider } from "../payments";
import { PaymentProviderError } from "../payments/provider";
import { PaymentMessageSchema, type PaymentMessage } from "./payment-messages";
import { log } from "../observability/log";
import { METRIC, count } from "../observability/metrics";

/** Exponential backoff for a retry: 2, 4, 8 … seconds, capped at 10 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, attempts));
}

/** Thrown when a message should be retried later (a provider failure that may pass). */
class RetryLater extends Error {}

/**
 * Cancels the intent of the attempt the message names (by the hold that attempt paid for), never
 * another attempt's; the order closes only when that attempt is still its current one.
 */
async function cancelPayment(deps: Deps, msg: Extract<PaymentMessage, { type: "cancel_payment" }>): Promise<void> {
  const order = await getOrder(deps.db, msg.orderId);
  if (!order) return;
  const current = msg.holdId == null || msg.holdId === order.holdId;
  const charge = msg.holdId
    ? ((await chargeForHold(deps.db, order.id, msg.holdId)) ??
      (current ? await currentCharge(deps.db, order.id) : null))
    : await currentCharge(deps.db, order.id);
  if (charge && (charge.status === "pending" || charge.status === "failed")) {
    try {
      if ((await cancelCharge(deps, charge)) === "already_succeeded") return;
    } catch (err) {
      if (err instanceof PaymentProviderError && err.retryable) throw new RetryLater(err.message);
      throw err;
    }
  }
  if (!current || order.status !== "pending_payment") return;
  const now = Date.now();
  await deps.db
    .update(orders)
    .set({ status: msg.reason === "released" ? "cancelled" : "expired", updatedAt: now, closedAt: now })
    .where(and(eq(orders.id, order.id), eq(orders.status, "pending_payment"), eq(orders.holdId, order.holdId)));
}

async function handle(deps: Deps, msg: PaymentMessage): Promise<void> {
  switch (msg.type) {
    case "cancel_payment":
      return cancelPayment(deps, msg);
    case "return_to_sale": {
      const order = await getOrder(deps.db, msg.orderId);
      if (order) await returnSeats(deps, order, msg.refundId);
      return;
    }
    case "refund": {
      const status = await sendRefund({ ...deps, env: { ...deps.env, PAYMENTS: noRequeue } }, msg.paymentId);
      if (status === "queued") throw new RetryLater("refund not accepted yet");
      return;
    }
    case "refund_order": {
      const order = await getOrder(deps.db, msg.orderId);
      if (!order || (order.status !== "paid" && order.status !== "partially_refunded")) return;
      try {
        const r = await refundTickets(
          { ...deps, env: { ...deps.env, PAYMENTS: noRequeue } },
          order,
          "event_cancelled",
          null,
        );
        if (r.status === "queued") throw new RetryLater("refund not accepted yet");
      } catch (err) {
        if (err instanceof AppError && err.code === "refund_not_allowed") return; // nothing left to refund
        throw err;
      }
    }
  }
}

/**
 * Inside the consumer a failed refund is retried by this message's own retry (with backoff), not
 * by sending a second message: one refund, one message in flight.
 */
const noRequeue = { send: async () => {}, sendBatch: async () => {} } as unknown as Queue;

/**
 * The `payments` queue: cancels lapsed checkouts and sends refunds. Each message is acked on
 * success, retried with exponential backoff when the provider may recover, and lands in the
 * dead-letter queue after `max_retries`. A malformed message is logged and acked (retrying it
 * cannot help), never dropped silently.
 */
export async function consumePayments(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps: Deps = { db: createDb(env.DB), env, provider: paymentProvider(env) };
  for (const message of batch.messages) {
    const parsed = PaymentMessageSchema.safeParse(message.body);
    if (!parsed.success) {
      log("error", "malformed payments message", { id: message.id, body: message.body });
      message.ack();
      continue;
    }
    try {
      await handle(deps, parsed.data);
      message.ack();
    } catch (err) {
      const delaySeconds = backoffSeconds(message.attempts);
      log(err instanceof RetryLater ? "warn" : "error", "payments message retried", {
        type: parsed.data.type,
        attempts: message.attempts,
        delaySeconds,
        error: String(err),
      });
      count(env, METRIC.queueRetry, ["payments", parsed.data.type]);
      message.retry({ delaySeconds });
    }
  }
}
