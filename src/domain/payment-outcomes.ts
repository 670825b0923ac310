import type { IntentFacts } from "../objects/inventory-types";
import type { PaymentProvider } from "../payments/provider";
import { log } from "../observability/log";
import { count, METRIC } from "../observability/metrics";
import { inventoryStub } from "./event-lifecycle";
import { isEventId } from "./event-ids";
import { eventOfOrder } from "./order-ids";

export type { IntentFacts } from "../objects/inventory-types";

type Deps = { env: Env; provider: PaymentProvider };

/**
 * The event whose object owns an intent's order: from the order id the intent carries (order ids
 * carry their event), else the event id it was created with. Null for an intent that names none.
 */
export function eventOfIntent(intent: IntentFacts): string | null {
  const fromOrder = eventOfOrder(intent.metadata.order_id ?? "");
  if (fromOrder) return fromOrder;
  const eventId = intent.metadata.event_id;
  return eventId && isEventId(eventId) ? eventId : null;
}

/**
 * `payment_intent.succeeded`, applied by the order's object in one transaction: the seats are
 * sold and the tickets issued, or the money is refunded (superseded attempt, settled or cancelled
 * order, wrong amount, unknown intent, seats gone). No D1 write.
 */
export async function applySuccess(
  deps: Deps,
  eventId: string,
  intent: IntentFacts,
  webhookEventId?: string,
): Promise<string> {
  const r = await inventoryStub(deps.env.EVENT_INVENTORY, eventId).paymentSucceeded(
    intent,
    deps.provider.name,
    webhookEventId,
  );
  if (r.outcome === "paid") {
    count(deps.env, METRIC.paymentOk, [eventId, intent.currency.toUpperCase()]);
    if (r.queueEnabled && r.userId) await freeShoppingSlot(deps.env, eventId, r.userId);
  }
  return r.outcome;
}

/** `payment_intent.payment_failed` / `canceled`: the order's object releases the seats at once. */
export async function applyFailure(
  deps: Deps,
  eventId: string,
  intent: IntentFacts,
  kind: "failed" | "canceled",
  webhookEventId?: string,
): Promise<string> {
  const outcome = await inventoryStub(deps.env.EVENT_INVENTORY, eventId).paymentFailed(intent, kind, webhookEventId);
  if (outcome === "failed") count(deps.env, METRIC.paymentFailed, [eventId, kind]);
  return outcome;
}

/**
 * During a waiting-room sale, a fan who has paid stops counting as shopping at once (else the
 * admission token's expiry frees the slot). Best effort.
 */
async function freeShoppingSlot(env: Env, eventId: string, userId: string): Promise<void> {
  try {
    await env.WAITING_ROOM.getByName(eventId).purchased(userId);
  } catch (err) {
    log("warn", "waiting room not told of a purchase", { eventId, error: String(err) });
  }
}
