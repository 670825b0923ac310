// How the bench pays. By default at a fake Stripe in this process (scripts/bench/fake-stripe.mjs):
// the Worker runs its Stripe code path and does only its own share of a payment, as in production.
// BENCH_PAYMENTS=simulated pays through the Worker's simulated provider instead (its pay page, its
// gateway object, its signed webhook through the Worker's own entry), which also charges Stripe's
// share to the Worker's thread: the bench's figures before December 2026 were taken that way.
import { FAKE_STRIPE_SECRET_KEY, FAKE_STRIPE_WEBHOOK_SECRET, startFakeStripe } from "./fake-stripe.mjs";
import { log } from "./server.mjs";

/**
 * @typedef {{
 *   mode: "stripe" | "simulated",
 *   vars: Record<string, string>,
 *   request: (order: any, card: string, auth: Record<string, string>) => { url: string, init: RequestInit },
 *   summary: () => Record<string, unknown>,
 *   stop: () => Promise<void>,
 * }} Payments
 */

/**
 * Paying through the simulated provider of the Worker at `workerBase`.
 * @param {string} workerBase @returns {Payments}
 */
export function simulatedPayments(workerBase) {
  return {
    mode: "simulated",
    vars: {},
    // The simulated pay page acts only for the order's own fan, so it gets the fan's token.
    request: (order, card, auth) => ({
      url: `${workerBase}${order.payment.paymentUrl}`,
      init: {
        method: "POST",
        headers: { ...auth, "content-type": "application/json" },
        body: JSON.stringify({ card }),
      },
    }),
    summary: () => ({ payments: "simulated" }),
    stop: async () => {},
  };
}

/**
 * The payments side for a Worker that will listen on `workerBase`; `stripePort` is the fake's.
 * @param {{ workerBase: string, stripePort: number }} o
 * @returns {Promise<Payments>}
 */
export async function startPayments({ workerBase, stripePort }) {
  const mode = process.env.BENCH_PAYMENTS === "simulated" ? "simulated" : "stripe";
  if (mode === "simulated") return simulatedPayments(workerBase);
  const stripe = await startFakeStripe({ port: stripePort, webhookUrl: `${workerBase}/v1/webhooks/stripe` });
  log(`fake Stripe on ${stripe.base}`);
  return {
    mode,
    vars: {
      STRIPE_SECRET_KEY: FAKE_STRIPE_SECRET_KEY,
      STRIPE_WEBHOOK_SECRET: FAKE_STRIPE_WEBHOOK_SECRET,
      STRIPE_API_BASE: stripe.base,
    },
    // What Stripe.js does with the client secret when the fan submits the card form.
    request: (order, card) => ({
      url: `${stripe.base}/bench/confirm/${encodeURIComponent(order.payment.reference)}`,
      init: {
        method: "POST",
        headers: { "content-type": "application/json" },
        body: JSON.stringify({ card, client_secret: order.payment.clientSecret }),
      },
    }),
    summary: () => ({ payments: mode, stripe_calls: { ...stripe.counts }, intents: stripe.statuses() }),
    stop: () => stripe.stop(),
  };
}
