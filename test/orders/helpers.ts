import Stripe from "stripe";
import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runDurableObjectAlarm,
  runInDurableObject,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createUser } from "../helpers/fixtures";
import { until } from "../helpers/wait";
import { call, expectJson } from "../helpers/http";
import { setupEvent, type Json } from "../inventory/helpers";
import { signAccessToken } from "../../src/auth/tokens";
import { SIMULATED_WEBHOOK_SECRET } from "../../src/payments";
import { SimulatedProvider } from "../../src/payments/simulated";
import { CheckoutSchema } from "../../src/routes/order-schemas";
import { consumePayments } from "../../src/queues/payments-consumer";

export { setupEvent };
export type { Json };

let keyCounter = 0;
/** A fresh Idempotency-Key. */
export const newKey = () => `key-${crypto.randomUUID()}-${++keyCounter}`;

/** A fan holding `seats` of the event, ready to check out. */
export async function fanWithHold(eventId: string, seats: string[]) {
  const fan = await createUser();
  const hold = await expectJson(
    await call("POST", `/v1/events/${eventId}/holds`, { token: fan.token, body: { seats } }),
    201,
  );
  return { fan, hold };
}

/** A fan with a checked-out hold on `seats` of a fresh event (options as for `setupEvent`). */
export async function checkedOut(seats: string[], opts: Parameters<typeof setupEvent>[0] = {}) {
  const { event, org } = await setupEvent(opts);
  const { fan, hold } = await fanWithHold(event.id, seats);
  const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
  return { event, org, fan, hold, co };
}

/** POST /v1/holds/{id}/checkout with a fresh (or given) Idempotency-Key. */
export function checkoutCall(token: string, holdId: string, key = newKey()) {
  return call("POST", `/v1/holds/${encodeURIComponent(holdId)}/checkout`, {
    token,
    headers: { "Idempotency-Key": key },
  });
}

/**
 * Pays (or declines) on the simulated provider's page, which posts the signed webhook. The page
 * acts only for the order's own fan: pass the fan's token, or let this sign one for the fan whose
 * order the intent pays (for the many tests that only need the payment to happen).
 */
export async function paySimulated(paymentUrl: string, card = "4242 4242 4242 4242", token?: string) {
  const bearer = token ?? (await tokenOfIntentOwner(paymentUrl));
  return expectJson(await call("POST", paymentUrl, { token: bearer, body: { card } }), 200);
}

/** The simulated provider's PaymentIntent, as its gateway object holds it. */
export const simulatedIntent = (id: string) => new SimulatedProvider(env.SIMULATED_GATEWAY).get(id);

/** An access token for the fan whose order the simulated intent at `paymentUrl` pays. */
async function tokenOfIntentOwner(paymentUrl: string): Promise<string> {
  const intent = await simulatedIntent(paymentUrl.split("/").pop()!);
  const user = await env.DB.prepare("SELECT id, email, role, organizer_id FROM users WHERE id = ?")
    .bind(intent?.owner ?? "")
    .first<{ id: string; email: string; role: "fan" | "organizer" | "admin"; organizer_id: string | null }>();
  if (!user) throw new Error(`no order owner for ${paymentUrl}`);
  return signAccessToken({ userId: user.id, email: user.email, role: user.role, organizerId: user.organizer_id }, env);
}

/** A Stripe-shaped PaymentIntent event, signed with Stripe's own test helper. */
export async function signedEvent(
  type: string,
  intent: { id: string; amount: number; currency: string; metadata: Record<string, string> },
  opts: { id?: string; secret?: string; timestamp?: number } = {},
) {
  const payload = JSON.stringify({
    id: opts.id ?? `evt_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    type,
    created: Math.floor(Date.now() / 1000),
    data: {
      object: {
        object: "payment_intent",
        status: type.endsWith("succeeded") ? "succeeded" : "requires_payment_method",
        ...intent,
      },
    },
  });
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: opts.secret ?? SIMULATED_WEBHOOK_SECRET,
    timestamp: opts.timestamp,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { payload, header };
}

/** Delivers a signed event to the webhook route. */
export function deliver(ev: { payload: string; header: string }) {
  return call("POST", "/v1/webhooks/stripe", {
    raw: ev.payload,
    headers: { "Content-Type": "application/json", "Stripe-Signature": ev.header },
  });
}

/** The order as its owner sees it. */
export async function getOrder(token: string, orderId: string): Promise<Json> {
  return expectJson(await call("GET", `/v1/orders/${orderId}`, { token }), 200);
}

// ---- webhook, expiry and queue helpers (webhooks.test.ts, refunds.test.ts)

/** The PaymentIntent facts of a checkout answer, for hand-made webhook events. */
export function intentOf(co: Json) {
  return {
    id: co.payment.reference as string,
    amount: co.amount as number,
    currency: (co.currency as string).toLowerCase(),
    metadata: { order_id: co.orderId as string },
  };
}

/** The live seat map of an event (`a`, `h`, `s`, `b` per seat). */
export async function seatMap(eventId: string): Promise<Record<string, string>> {
  return (await expectJson(await call("GET", `/v1/events/${eventId}/seats`), 200)).seats;
}

/** The order's own object (the write side): order ids carry their event id. */
const objectOf = (orderId: string) => env.EVENT_INVENTORY.getByName(orderId.split("~")[0]!);

/** Tickets of an order straight from its object, so a count does not depend on the order view. */
export async function ticketRows(orderId: string) {
  return runInDurableObject(objectOf(orderId), (_i, state) =>
    state.storage.sql
      .exec<{ id: string; place: string; status: string }>(
        "SELECT id, place, status FROM tickets WHERE order_id = ? ORDER BY place",
        orderId,
      )
      .toArray(),
  );
}

/** Payment rows (charges and refunds) of an order straight from its object. */
export async function paymentRows(orderId: string) {
  return runInDurableObject(objectOf(orderId), (_i, state) =>
    state.storage.sql
      .exec<{ kind: string; status: string; amount: number; reason: string | null }>(
        "SELECT kind, status, amount, reason FROM payments WHERE order_id = ? ORDER BY seq",
        orderId,
      )
      .toArray(),
  );
}

/**
 * The order's payment rows once every refund it recorded has been answered by the provider (the
 * payments queue sends them).
 */
export const refundsAnswered = (orderId: string) =>
  until(
    () => paymentRows(orderId),
    (rows) => rows.every((r) => r.kind !== "refund" || r.status !== "pending"),
  );

/** The order row as its object holds it. */
export async function orderRow(orderId: string) {
  return runInDurableObject(
    objectOf(orderId),
    (_i, state) =>
      state.storage.sql
        .exec<{ status: string; hold_id: string; payment_attempt: number; refunded_amount: number; amount: number }>(
          "SELECT status, hold_id, payment_attempt, refunded_amount, amount FROM orders WHERE id = ?",
          orderId,
        )
        .toArray()[0],
  );
}

/** Lapses a hold now: its deadline is moved into the past inside the object, then the alarm runs. */
export async function expireHold(publicHoldId: string) {
  const [eventId, holdId] = publicHoldId.split("~") as [string, string];
  const stub = env.EVENT_INVENTORY.getByName(eventId);
  await runInDurableObject(stub, (_i, state) => {
    state.storage.sql.exec("UPDATE holds SET deadline = 1 WHERE id = ?", holdId);
  });
  await runDurableObjectAlarm(stub);
}

/** Runs the payments consumer on the given message bodies and returns the queue result. */
export async function runPayments(bodies: unknown[]) {
  const batch = createMessageBatch(
    "payments",
    bodies.map((body, i) => ({ id: `m${i + 1}-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumePayments(batch, env);
  return getQueueResult(batch, ctx);
}
