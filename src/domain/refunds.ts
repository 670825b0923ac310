import type { RefundReason } from "../objects/inventory/refund-desk";
import type { PaymentProvider } from "../payments/provider";
import { PaymentProviderError } from "../payments/provider";
import { METRIC, count } from "../observability/metrics";
import { inventoryStub } from "./event-lifecycle";
import { inventoryError } from "./inventory-errors";

export type { RefundReason } from "../objects/inventory/refund-desk";

export type Deps = { env: Env; provider: PaymentProvider };

export type RefundOptions = { ticketIds?: string[]; userId?: string };

/**
 * Refunds valid tickets of a paid order (all of them, or the given ids). The order's object
 * refunds the tickets, returns their seats to sale and records the refund in one transaction,
 * with the refund's sending queued in its outbox; the refund is then sent once right away so the
 * answer can say it went through (the queued message retries it if the provider fails).
 */
export async function refundOrder(
  deps: Deps,
  eventId: string,
  orderId: string,
  reason: RefundReason,
  actorId: string | null,
  opts: RefundOptions = {},
) {
  const stub = inventoryStub(deps.env.EVENT_INVENTORY, eventId);
  const r = await stub.refundTickets({ orderId, reason, actorId, ...opts });
  if (!r.ok) throw inventoryError(r, "Order");
  const status = await sendRefund(deps, eventId, r.refundId);
  return { refundId: r.refundId, amount: r.amount, status };
}

/**
 * Sends a recorded refund to the provider once and records the answer in the object. A failure
 * that may pass leaves it `pending` for the payments queue's retry; the returned status says
 * where the refund stands.
 */
export async function sendRefund(
  deps: Deps,
  eventId: string,
  paymentId: string,
): Promise<"succeeded" | "queued" | "failed"> {
  const stub = inventoryStub(deps.env.EVENT_INVENTORY, eventId);
  const row = await stub.refundToSend(paymentId);
  if (!row || row.status === "failed" || row.status === "canceled") return "failed";
  if (row.status === "succeeded") return "succeeded";
  // Money taken by one provider goes back through that provider only (the queue retries meanwhile).
  if (row.provider !== deps.provider.name) return "queued";
  if (!row.reference) {
    await stub.refundSent(paymentId, { error: "no settled charge to refund", retryable: false });
    return "failed";
  }
  try {
    const { refundId } = await deps.provider.refund({
      reference: row.reference,
      amount: row.amount,
      idempotencyKey: row.idempotencyKey,
      reason: row.reason ?? "requested",
      refundRowId: row.id,
    });
    await stub.refundSent(paymentId, { refundRef: refundId });
    count(deps.env, METRIC.refund, [row.reason ?? "requested"]);
    return "succeeded";
  } catch (err) {
    if (!(err instanceof PaymentProviderError)) throw err;
    await stub.refundSent(paymentId, { error: err.message, retryable: err.retryable });
    return err.retryable ? "queued" : "failed";
  }
}
