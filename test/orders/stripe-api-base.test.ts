import { env } from "cloudflare:workers";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { paymentProvider } from "../../src/payments";

// STRIPE_API_BASE points the Stripe code path at stripe-mock or the bench's fake Stripe; it must
// never reroute real payments, so it counts only in development.
const LOCAL = "http://127.0.0.1:12111";
const hits: string[] = [];
const intent = (id: string) =>
  HttpResponse.json({ id, object: "payment_intent", status: "requires_payment_method", client_secret: `${id}_s` });
const server = setupServer(
  http.post(`${LOCAL}/v1/payment_intents`, () => {
    hits.push("local");
    return intent("pi_local");
  }),
  http.post("https://api.stripe.com/v1/payment_intents", () => {
    hits.push("stripe");
    return intent("pi_stripe");
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => {
  server.resetHandlers();
  hits.length = 0;
});
afterAll(() => server.close());

const input = {
  orderId: "o1",
  holdId: "h1",
  eventId: "e1",
  amount: 1500,
  currency: "EUR",
  email: "fan@example.test",
  userId: "u1",
  idempotencyKey: "k1",
};
const withStripe = (overrides: Record<string, string>) =>
  ({ ...env, STRIPE_SECRET_KEY: "sk_test_base", STRIPE_WEBHOOK_SECRET: "whsec_base", ...overrides }) as typeof env;

describe("STRIPE_API_BASE", () => {
  it("sends a development Worker's Stripe calls to the named address", async () => {
    const handle = await paymentProvider(
      withStripe({ ENVIRONMENT: "development", STRIPE_API_BASE: LOCAL }),
    ).createPayment(input);
    expect(handle.reference).toBe("pi_local");
    expect(hits).toEqual(["local"]);
  });

  it("is ignored outside development, so a stray variable cannot reroute real payments", async () => {
    const handle = await paymentProvider(withStripe({ ENVIRONMENT: "staging", STRIPE_API_BASE: LOCAL })).createPayment(
      input,
    );
    expect(handle.reference).toBe("pi_stripe");
    expect(hits).toEqual(["stripe"]);
  });

  it("is refused as a configuration error when it is not a URL", () => {
    expect(() => paymentProvider(withStripe({ ENVIRONMENT: "development", STRIPE_API_BASE: "not a url" }))).toThrow(
      /STRIPE_API_BASE/,
    );
  });
});
