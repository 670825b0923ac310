import type { CancelTarget } from "../objects/inventory-types";
import type { CancelOutcome, PaymentProvider } from "../payments/provider";
import { inventoryStub } from "./event-lifecycle";
import { applySuccess } from "./payment-outcomes";

type Deps = { env: Env; provider: PaymentProvider };

/**
 * Cancels one charge's PaymentIntent and records it in the order's object. When the provider
 * says it was paid just before the cancel, the success is applied here (it sells the seats or
 * refunds, by the same rules as the webhook), so a lost webhook still converges. A provider
 * failure that may pass is thrown (`PaymentProviderError` with `retryable`) for the caller to retry.
 */
export async function cancelCharge(deps: Deps, eventId: string, charge: CancelTarget): Promise<CancelOutcome> {
  if (!charge.reference) return "already_canceled";
  const outcome = await deps.provider.cancelPayment(charge.reference, `cancel_${charge.reference}`);
  if (outcome === "already_succeeded") {
    const state = await deps.provider.retrievePayment(charge.reference);
    if (state?.status === "succeeded") {
      await applySuccess(deps, eventId, {
        id: state.id,
        amount: state.amount,
        currency: state.currency,
        metadata: { order_id: charge.orderId, ...state.metadata },
      });
    }
    return outcome;
  }
  await inventoryStub(deps.env.EVENT_INVENTORY, eventId).chargeCanceled(charge.paymentId);
  return outcome;
}
