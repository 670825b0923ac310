import { applyWebhookEvent, verifyWebhook } from "../domain/webhook-events";
import { paymentProvider, webhookSecret } from "../payments";
import { createRouter } from "./router";

/**
 * `POST /v1/webhooks/stripe`: raw body, signature and timestamp checked before anything else,
 * then the shape of the payment intent events we act on. A delivery refused on any of those is
 * a 400 that changes nothing; an event type we do not act on is a 200 `ignored`. 200 only once
 * the effect is stored; a failure while applying a well-formed event is a 5xx, so Stripe retries.
 */
export const webhooks = createRouter().post("/stripe", async (c) => {
  const raw = await c.req.text();
  const event = await verifyWebhook(raw, c.req.header("Stripe-Signature"), webhookSecret(c.env));
  const result = await applyWebhookEvent({ env: c.env, provider: paymentProvider(c.env) }, event);
  return c.json({ received: true, ...result }, 200);
});
