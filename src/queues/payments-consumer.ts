import { inventoryStub } from "../domain/event-lifecycle";
import { cancelCharge } from "../domain/intent-cancel";
import { eventOfOrder } from "../domain/order-ids";
import { refundOrder, sendRefund, type Deps } from "../domain/refunds";
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
 * another attempt's. The order itself was closed by the object when the hold ended.
 */
async function cancelPayment(deps: Deps, msg: Extract<PaymentMessage, { type: "cancel_payment" }>): Promise<void> {
  const eventId = eventOfOrder(msg.orderId);
  if (!eventId) return;
  const charge = await inventoryStub(deps.env.EVENT_INVENTORY, eventId).cancelTarget(msg.orderId, msg.holdId);
  if (!charge || (charge.status !== "pending" && charge.status !== "failed")) return;
  try {
    await cancelCharge(deps, eventId, charge);
  } catch (err) {
    if (err instanceof PaymentProviderError && err.retryable) throw new RetryLater(err.message);
    throw err;
  }
}

async function handle(deps: Deps, msg: PaymentMessage): Promise<void> {
  switch (msg.type) {
    case "cancel_payment":
      return cancelPayment(deps, msg);
    case "refund": {
      const status = await sendRefund(deps, msg.eventId, msg.paymentId);
      if (status === "queued") throw new RetryLater("refund not accepted yet");
      return;
    }
    case "refund_order": {
      const eventId = eventOfOrder(msg.orderId);
      if (!eventId) return;
      try {
        const r = await refundOrder(deps, eventId, msg.orderId, "event_cancelled", null);
        if (r.status === "queued") throw new RetryLater("refund not accepted yet");
      } catch (err) {
        if (err instanceof AppError && err.code === "refund_not_allowed") return; // nothing left to refund
        throw err;
      }
    }
  }
}

/**
 * The `payments` queue: cancels lapsed checkouts and sends refunds. Each message is acked on
 * success, retried with exponential backoff when the provider may recover, and lands in the
 * dead-letter queue after `max_retries`. A malformed message is logged and acked (retrying it
 * cannot help), never dropped silently.
 */
export async function consumePayments(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const deps: Deps = { env, provider: paymentProvider(env) };
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
