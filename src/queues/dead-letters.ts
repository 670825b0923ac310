import { createDb } from "../db/client";
import { inventoryStub } from "../domain/event-lifecycle";
import { outboxInsert, outboxItem, shipOutbox } from "./outbox";
import { PaymentMessageSchema } from "./payment-messages";
import { log } from "../observability/log";

/**
 * `payments-dlq`: a payment message that exhausted its retries. A refund row is marked failed
 * with the reason (an operator re-drives it), and every dead letter is audited, so nothing ends
 * silently.
 */
export async function consumePaymentDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = Date.now();
  for (const message of batch.messages) {
    const parsed = PaymentMessageSchema.safeParse(message.body);
    const reason = `dead-lettered after ${message.attempts} deliveries on the payments queue`;
    if (parsed.success && parsed.data.type === "refund") {
      await inventoryStub(env.EVENT_INVENTORY, parsed.data.eventId).refundSent(parsed.data.paymentId, {
        error: reason,
        retryable: false,
      });
    }
    const orderId = parsed.success && "orderId" in parsed.data ? parsed.data.orderId : null;
    const item = outboxItem("audit", `dlq:payments:${message.id}`, {
      action: "payment.dead_letter",
      actorId: null,
      orderId,
      data: { body: message.body as Record<string, unknown>, reason },
      at: now,
    });
    await outboxInsert(db, [item], now);
    await shipOutbox(db, env, [item.id]);
    log("error", "payments message dead-lettered", { id: message.id, body: message.body });
    message.ack();
  }
}
