import { eq } from "drizzle-orm";
import { payments } from "../db/schema";
import type { CancelOutcome } from "../payments/provider";
import { paymentSucceeded } from "./payment-outcomes";
import type { Deps } from "./refunds";

type ChargeRow = typeof payments.$inferSelect;

/**
 * Cancels one charge's PaymentIntent and records it. When the provider says it was paid just
 * before the cancel, the success is applied here (it sells the seats or refunds, by the same
 * rules as the webhook), so a lost webhook still converges. A provider failure that may pass
 * is thrown (`PaymentProviderError` with `retryable`) for the caller to retry.
 */
export async function cancelCharge(deps: Deps, charge: ChargeRow): Promise<CancelOutcome> {
  if (!charge.providerRef) return "already_canceled";
  const outcome = await deps.provider.cancelPayment(charge.providerRef, `cancel_${charge.providerRef}`);
  if (outcome === "already_succeeded") {
    const state = await deps.provider.retrievePayment(charge.providerRef);
    if (state?.status === "succeeded") {
      await paymentSucceeded(deps, {
        id: state.id,
        amount: state.amount,
        currency: state.currency,
        metadata: { order_id: charge.orderId, ...state.metadata },
      });
    }
    return outcome;
  }
  await deps.db.update(payments).set({ status: "canceled", updatedAt: Date.now() }).where(eq(payments.id, charge.id));
  return outcome;
}
