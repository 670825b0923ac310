import { AppError, notFound } from "../errors";
import type { AuthContext } from "../env";
import type { OrderRow } from "../db/schema";
import type { CheckoutOpen } from "../objects/inventory-types";
import type { PaymentHandle, PaymentProvider } from "../payments/provider";
import { PaymentProviderError } from "../payments/provider";
import { METRIC, count } from "../observability/metrics";
import { inventoryStub } from "./event-lifecycle";
import { parseHoldId, requireKnownEvent } from "./event-ids";
import { inventoryError } from "./inventory-errors";
import { cancelCharge } from "./intent-cancel";
import { eventOfOrder } from "./order-ids";
import { type DeferredClaim, jsonAnswer } from "./idempotency-claim";
import type { StoredAnswer } from "../objects/inventory/idempotency";

export type CheckoutResult = { order: OrderRow; payment: PaymentHandle; expiresAt: number };

export { attemptKey } from "./payment-decision";

type Ctx = { ns: Env["EVENT_INVENTORY"]; provider: PaymentProvider; env: Env };
type Stub = ReturnType<typeof inventoryStub>;
type Opened = Extract<CheckoutOpen, { ok: true }>;

const providerDown = (cause: unknown, detail = "The payment provider is not answering; retry shortly") =>
  new AppError("payment_provider_unavailable", detail, { headers: { "Retry-After": "2" }, cause });

/** The event of an order id the caller names, checked before any object is touched; 404 "Order" otherwise. */
export async function locateOrder(env: Env, orderId: string): Promise<string> {
  const eventId = eventOfOrder(orderId);
  if (!eventId) throw notFound("Order");
  await requireKnownEvent(env.DB, eventId).catch(() => {
    throw notFound("Order");
  });
  return eventId;
}

/**
 * Turns the caller's hold into an order awaiting payment and asks the provider for a payment.
 * The order, its lines and the attempt are written in the event's object, in one transaction
 * with the hold's move to `checking_out`; no D1 write. Safe to repeat and to race: one order per
 * hold, and the provider call reuses the attempt's idempotency key, so two concurrent checkouts
 * end as one order and one PaymentIntent.
 */
export async function checkout(
  ctx: Ctx,
  auth: AuthContext,
  publicHoldId: string,
  keyed?: { claim: DeferredClaim; answer: (r: CheckoutResult) => unknown },
): Promise<CheckoutResult> {
  const ids = parseHoldId(publicHoldId);
  if (!ids) throw notFound("Hold");
  // One D1 read per event per isolate per minute, never per checkout.
  await requireKnownEvent(ctx.env.DB, ids.eventId).catch(() => {
    throw notFound("Hold");
  });
  const stub = inventoryStub(ctx.ns, ids.eventId);
  const claim = keyed?.claim;
  const opened = await stub.openCheckout(
    { holdId: ids.holdId, userId: auth.userId, email: auth.email, provider: ctx.provider.name },
    claim && { slot: claim.slot, hash: claim.hash, ttlMs: claim.ttlMs, staleBefore: claim.staleBefore },
  );
  if ("taken" in opened) {
    claim!.state = "taken";
    claim!.holder = opened.taken;
    // A placeholder: the idempotency middleware answers from the record that holds the key.
    throw new AppError("request_in_progress", "A request with this Idempotency-Key is still running; retry shortly");
  }
  if (!opened.ok) throw inventoryError(opened);
  if (claim) claim.state = "claimed";
  // The answer is stored with the intent: the route sends the same `answer` of the same result.
  const answerOf = (payment: PaymentHandle) =>
    keyed && jsonAnswer(keyed.claim, 201, keyed.answer({ order: opened.order, payment, expiresAt: opened.expiresAt }));
  const payment = await requestPayment(ctx, stub, opened, auth.userId, answerOf);
  if (claim) claim.state = "answered";
  count(ctx.env, METRIC.checkout, [ids.eventId]);
  return { order: opened.order, payment, expiresAt: opened.expiresAt };
}

/**
 * Asks the provider for the opened attempt's payment and records the intent in the object. A
 * provider failure that may pass answers 503 with Retry-After and leaves hold and order as they
 * are; a definitive refusal fails the order and releases the seats.
 */
async function requestPayment(
  ctx: Ctx,
  stub: Stub,
  opened: Opened,
  actorId: string,
  answerOf: (payment: PaymentHandle) => StoredAnswer | undefined = () => undefined,
): Promise<PaymentHandle> {
  const { order, key } = opened;
  try {
    const handle = await ctx.provider.createPayment({
      orderId: order.id,
      holdId: order.holdId,
      eventId: order.eventId,
      amount: order.amount,
      currency: order.currency,
      email: order.email,
      userId: order.userId,
      idempotencyKey: key,
    });
    await stub.recordIntent(key, handle.reference, actorId, answerOf(handle));
    return handle;
  } catch (err) {
    if (!(err instanceof PaymentProviderError)) throw err;
    if (err.retryable)
      throw providerDown(err, "The payment provider is not answering; retry shortly — your seats stay held");
    await stub.refusePayment(key, err.message);
    throw new AppError("order_not_payable", `The payment provider refused the payment: ${err.message}`, { cause: err });
  }
}

/**
 * One live intent per order: before a new attempt, the previous attempt's intent is cancelled, so
 * it can never take money later. If it was paid after all, that success is applied instead (by
 * the webhook's rules) and no new attempt opens.
 */
async function retirePreviousIntent(ctx: Ctx, stub: Stub, eventId: string, orderId: string): Promise<void> {
  const previous = await stub.cancelTarget(orderId);
  if (!previous?.reference || previous.status === "canceled") return;
  try {
    if ((await cancelCharge(ctx, eventId, previous)) !== "already_succeeded") return;
  } catch (err) {
    if (err instanceof PaymentProviderError && err.retryable) throw providerDown(err);
    throw err;
  }
  const now = await stub.orderDetail(orderId);
  throw new AppError(
    "order_not_payable",
    `The earlier payment went through after all; this order is ${now?.order.status ?? "settled"}`,
  );
}

/**
 * "Try another card" after a decline: the object holds the order's same seats (or GA places)
 * again under a new hold, by the rules of a new hold, and opens a new attempt (a new provider
 * idempotency key); then the provider is asked for payment.
 */
export async function retryPayment(
  ctx: Ctx,
  auth: AuthContext,
  orderId: string,
  admissionFor: (eventId: string) => Promise<{ ticket: string; expiresAt: number } | undefined> = async () => undefined,
): Promise<CheckoutResult> {
  const eventId = await locateOrder(ctx.env, orderId);
  const stub = inventoryStub(ctx.ns, eventId);
  const found = await stub.orderDetail(orderId);
  if (!found || found.order.userId !== auth.userId) throw notFound("Order");
  const admission = await admissionFor(eventId);
  if (found.order.status !== "failed")
    throw new AppError("order_not_payable", `Only a failed order can be paid again; this one is ${found.order.status}`);
  await retirePreviousIntent(ctx, stub, eventId, orderId);
  const opened = await stub.openRetry({
    orderId,
    userId: auth.userId,
    provider: ctx.provider.name,
    ...(admission ? { admission } : {}),
  });
  if (!opened.ok) throw inventoryError(opened, "Order");
  const payment = await requestPayment(ctx, stub, opened, auth.userId);
  return { order: opened.order, payment, expiresAt: opened.expiresAt };
}
