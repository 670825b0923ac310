import { exports } from "cloudflare:workers";
import { requireAuth } from "../auth/middleware";
import { AppError, notFound } from "../errors";
import { isDevelopment } from "../lib/environment";
import { SIMULATED_WEBHOOK_SECRET } from "../payments";
import { SimulatedProvider } from "../payments/simulated";
import { cardOutcome, signedIntentEvent } from "../payments/simulated-webhook";
import { createRouter } from "./router";

/**
 * The simulated provider's payment endpoint (local runs without Stripe), in place of Stripe's
 * hosted card form. Paying posts a webhook, signed exactly as Stripe signs, through the Worker's
 * own entry to `/v1/webhooks/stripe`, so the real confirmation code runs. Absent (404) when
 * Stripe is configured or outside development.
 *
 * It acts only for the fan whose order the intent pays: a decline releases the hold's seats, so
 * knowing an intent id must not be enough. It therefore takes the fan's bearer token like every
 * other order route (the site posts with fetch), and an intent of someone else's order is 404,
 * exactly like an unknown one. A signed pay token in the URL was the alternative; it was not
 * chosen because such a URL is a bearer credential of its own that leaks through history,
 * Referer and logs, and it would add a second way to authenticate a fan.
 */
export const simulatedPay = createRouter()
  .use("*", async (c, next) => {
    if (c.env.STRIPE_SECRET_KEY || !isDevelopment(c.env)) throw notFound("Payment page");
    await next();
  })
  .use("/:id", requireAuth)
  .get("/:id", async (c) => {
    const intent = await new SimulatedProvider(c.env.SIMULATED_GATEWAY).getForUser(
      c.req.param("id"),
      c.get("auth").userId,
    );
    if (!intent) throw notFound("Payment");
    return c.json(
      {
        paymentId: intent.id,
        orderId: intent.metadata.order_id ?? null,
        amount: intent.amount,
        currency: intent.currency,
        status: intent.status,
      },
      200,
    );
  })
  .post("/:id", async (c) => {
    const provider = new SimulatedProvider(c.env.SIMULATED_GATEWAY);
    const id = c.req.param("id");
    const userId = c.get("auth").userId;
    const input = (await c.req.json().catch(() => ({}))) as Record<string, unknown>;
    const card = input?.action === "decline" ? "4000000000000002" : String(input?.card ?? "");
    const outcome = cardOutcome(card);
    if (!outcome) {
      // A stranger's or unknown intent is 404 whatever the card, as before the card is read.
      if (!(await provider.getForUser(id, userId))) throw notFound("Payment");
      throw new AppError("validation_failed", "That is not a valid card number", {
        extra: { errors: [{ path: "card", message: "invalid card number" }] },
      });
    }
    const result = await provider.settleForUser(id, userId, outcome.ok ? "succeeded" : "failed");
    if (!result) throw notFound("Payment");
    const { intent } = result;
    if (!result.settled) throw new AppError("order_not_payable", `This payment is already ${intent.status}`);
    const { payload, header } = await signedIntentEvent(intent, outcome, SIMULATED_WEBHOOK_SECRET);
    const delivered = await exports.default.fetch(
      new Request(new URL("/v1/webhooks/stripe", c.req.url), {
        method: "POST",
        headers: { "Content-Type": "application/json", "Stripe-Signature": header },
        body: payload,
      }),
    );
    const webhook = { status: delivered.status, ...((await delivered.json().catch(() => ({}))) as object) };
    const orderId = intent.metadata.order_id ?? null;
    return c.json({ paymentId: intent.id, orderId, result: outcome.ok ? "succeeded" : "declined", webhook }, 200);
  });
