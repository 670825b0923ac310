import { exports } from "cloudflare:workers";
import { html, raw } from "hono/html";
import { AppError, notFound } from "../errors";
import { isDevelopment } from "../lib/environment";
import { SIMULATED_WEBHOOK_SECRET } from "../payments";
import { SimulatedProvider } from "../payments/simulated";
import { cardOutcome, signedIntentEvent } from "../payments/simulated-webhook";
import { createRouter } from "./router";

const money = (amount: number, currency: string) =>
  new Intl.NumberFormat("en", { style: "currency", currency: currency.toUpperCase() }).format(amount / 100);

// Static markup of the page, verbatim: cut with `+` only to fit the line width (no newline added).
const HEAD = raw(
  '<!doctype html><html lang="en"><head><meta charset="utf-8">' +
    '<meta name="viewport" content="width=device-width,initial-scale=1">',
);
const STYLE = raw(
  "<style>body{font:16px system-ui,sans-serif;max-width:28rem;margin:3rem auto;padding:0 1rem}\n" +
    "input{font:inherit;padding:.5rem;width:100%;box-sizing:border-box}" +
    "button{font:inherit;padding:.6rem 1rem;margin:.5rem .5rem 0 0}\n" +
    ".note{color:#555;font-size:.9rem}</style>",
);
const CARD_FIELD = html`<label>Card number <input name="card" value="4242 4242 4242 4242" autocomplete="off"></label>`;

function page(title: string, body: unknown) {
  return html`${HEAD}
<title>${title}</title>${STYLE}</head><body>${body}</body></html>`;
}

/**
 * The simulated provider's payment page (local runs without Stripe). Paying posts a webhook,
 * signed exactly as Stripe signs, through the Worker's own entry to `/v1/webhooks/stripe`, so the
 * real confirmation code runs. Absent (404) when Stripe is configured or outside development.
 */
export const simulatedPay = createRouter()
  .use("*", async (c, next) => {
    if (c.env.STRIPE_SECRET_KEY || !isDevelopment(c.env)) throw notFound("Payment page");
    await next();
  })
  .get("/:id", async (c) => {
    const intent = await new SimulatedProvider(c.env.DB).get(c.req.param("id"));
    if (!intent) throw notFound("Payment");
    const amount = money(intent.amount, intent.currency);
    const status = html`<strong data-testid="intent-status">${intent.status}</strong>`;
    return c.html(
      page(
        `Pay ${amount}`,
        html`<h1>Pay ${amount}</h1>
<p>Order <code>${intent.metadata.order_id}</code> — status ${status}</p>
${
  intent.status === "requires_payment_method"
    ? html`<form method="post">${CARD_FIELD}
<button type="submit" name="action" value="pay">Pay ${amount}</button>
<button type="submit" name="action" value="decline">Decline</button></form>
<p class="note">Simulated payments: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 declines.</p>`
    : html`<p>This payment is ${intent.status}.</p>`
}`,
      ),
    );
  })
  .post("/:id", async (c) => {
    const provider = new SimulatedProvider(c.env.DB);
    const intent = await provider.get(c.req.param("id"));
    if (!intent) throw notFound("Payment");
    const wantsJson = (c.req.header("Content-Type") ?? "").includes("application/json");
    const input = wantsJson
      ? ((await c.req.json().catch(() => ({}))) as Record<string, unknown>)
      : await c.req.parseBody();
    const card = input.action === "decline" ? "4000000000000002" : String(input.card ?? "");
    const outcome = cardOutcome(card);
    if (!outcome)
      throw new AppError("validation_failed", "That is not a valid card number", {
        extra: { errors: [{ path: "card", message: "invalid card number" }] },
      });
    if (!(await provider.settle(intent.id, outcome.ok ? "succeeded" : "failed"))) {
      throw new AppError("order_not_payable", `This payment is already ${intent.status}`);
    }
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
    if (wantsJson)
      return c.json({ paymentId: intent.id, orderId, result: outcome.ok ? "succeeded" : "declined", webhook }, 200);
    const heading = outcome.ok ? "Payment received" : "Payment declined";
    const result = outcome.ok
      ? html`Order <code>${orderId}</code> is paid. Your tickets are at <code>/v1/orders/${orderId}</code>.`
      : html`${outcome.message} Your seats were released; you can try again.`;
    return c.html(page("Payment", html`<h1>${heading}</h1><p data-testid="pay-result">${result}</p>`));
  });
