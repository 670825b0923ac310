import {
  createExecutionContext,
  createMessageBatch,
  getQueueResult,
  runInDurableObject,
  waitOnExecutionContext,
} from "cloudflare:test";
import { env } from "cloudflare:workers";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { backoffSeconds, consumePayments } from "../../src/queues/payments-consumer";
import { expectJson, expectProblem } from "../helpers/http";
import { createUser } from "../helpers/fixtures";
import { newKey, setupEvent, signedEvent, type Json } from "./helpers";

const WEBHOOK_SECRET = "whsec_test_stripe_secret";
const stripeEnv = {
  ...env,
  STRIPE_SECRET_KEY: "sk_test_123",
  STRIPE_WEBHOOK_SECRET: WEBHOOK_SECRET,
  STRIPE_PUBLISHABLE_KEY: "pk_test_123",
};
const app = createApp();
const API = "https://api.stripe.com";

type Seen = { path: string; key: string | null; form: URLSearchParams };
const seen: Seen[] = [];
/** Scripted answers per path prefix, consumed in order; default: success. */
const script: Record<string, number[]> = {};
let intentCounter = 0;

function record(request: { url: string; headers: Headers }, body: string): Seen {
  const s = {
    path: new URL(request.url).pathname,
    key: request.headers.get("Idempotency-Key"),
    form: new URLSearchParams(body),
  };
  seen.push(s);
  return s;
}
function scripted(prefix: string): number {
  return script[prefix]?.shift() ?? 200;
}
const stripeError = (status: number) =>
  HttpResponse.json(
    { error: { type: status >= 500 ? "api_error" : "invalid_request_error", message: `scripted ${status}` } },
    { status },
  );

const server = setupServer(
  http.post(`${API}/v1/payment_intents`, async ({ request }) => {
    const s = record(request, await request.text());
    const status = scripted("/v1/payment_intents");
    if (status !== 200) return stripeError(status);
    const id = `pi_test_${++intentCounter}`;
    return HttpResponse.json({
      id,
      object: "payment_intent",
      amount: Number(s.form.get("amount")),
      currency: s.form.get("currency"),
      status: "requires_payment_method",
      client_secret: `${id}_secret_abc`,
    });
  }),
  http.post(`${API}/v1/payment_intents/:id/cancel`, async ({ request, params }) => {
    record(request, await request.text());
    const status = scripted("/v1/payment_intents/cancel");
    if (status !== 200) return stripeError(status);
    return HttpResponse.json({ id: params.id, object: "payment_intent", status: "canceled" });
  }),
  http.post(`${API}/v1/refunds`, async ({ request }) => {
    const s = record(request, await request.text());
    const status = scripted("/v1/refunds");
    if (status !== 200) return stripeError(status);
    return HttpResponse.json({
      id: `re_test_${seen.length}`,
      object: "refund",
      amount: Number(s.form.get("amount")),
      status: "succeeded",
    });
  }),
);

beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

async function request(
  method: string,
  path: string,
  opts: { token?: string; body?: unknown; headers?: Record<string, string>; raw?: string } = {},
) {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  if (opts.body !== undefined) headers.set("Content-Type", "application/json");
  const ctx = createExecutionContext();
  const res = await app.fetch(
    new Request(`http://edge.test${path}`, {
      method,
      headers,
      body: opts.raw ?? (opts.body === undefined ? undefined : JSON.stringify(opts.body)),
    }),
    stripeEnv,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

async function holdAndCheckout(eventId: string, seats: string[]) {
  const fan = await createUser();
  const hold = await expectJson(
    await request("POST", `/v1/events/${eventId}/holds`, { token: fan.token, body: { seats } }),
    201,
  );
  const co = await expectJson(
    await request("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, {
      token: fan.token,
      headers: { "Idempotency-Key": newKey() },
    }),
    201,
  );
  return { fan, hold, co };
}

function deliver(ev: { payload: string; header: string }) {
  return request("POST", "/v1/webhooks/stripe", {
    raw: ev.payload,
    headers: { "Content-Type": "application/json", "Stripe-Signature": ev.header },
  });
}

const intentOf = (co: Json) => ({
  id: co.payment.reference,
  amount: co.amount,
  currency: co.currency.toLowerCase(),
  metadata: { order_id: co.orderId },
});

describe("Stripe provider (HTTP intercepted)", () => {
  it(
    "creates a PaymentIntent with the order's amount, currency, metadata " + "and an attempt-derived Idempotency-Key",
    async () => {
      const { event } = await setupEvent();
      const before = seen.length;
      const { hold, co } = await holdAndCheckout(event.id, ["A-1-1", "A-1-2"]);
      const calls = seen.slice(before);
      expect(calls).toHaveLength(1);
      const pi = calls[0]!;
      expect(pi.path).toBe("/v1/payment_intents");
      expect(pi.key).toBe(`order_${co.orderId}_attempt_1`);
      expect(pi.form.get("amount")).toBe("10000");
      expect(pi.form.get("currency")).toBe("nok");
      expect(pi.form.get("automatic_payment_methods[enabled]")).toBe("true");
      expect(pi.form.get("metadata[order_id]")).toBe(co.orderId);
      expect(pi.form.get("metadata[event_id]")).toBe(event.id);
      expect(pi.form.get("metadata[hold_id]")).toBe(hold.holdId.split("~")[1]);
      expect(co.payment).toMatchObject({
        provider: "stripe",
        clientSecret: `${co.payment.reference}_secret_abc`,
        publishableKey: "pk_test_123",
        paymentUrl: null,
      });
    },
  );

  it("a new attempt after a decline gets a new Idempotency-Key; a retry of the same attempt reuses it", async () => {
    const { event } = await setupEvent();
    const { fan, co } = await holdAndCheckout(event.id, ["A-2-1"]);
    const declined = await signedEvent("payment_intent.payment_failed", intentOf(co), { secret: WEBHOOK_SECRET });
    expect((await expectJson(await deliver(declined), 200)).outcome).toBe("failed");

    const before = seen.length;
    const again = await expectJson(
      await request("POST", `/v1/orders/${co.orderId}/pay`, {
        token: fan.token,
        headers: { "Idempotency-Key": newKey() },
      }),
      201,
    );
    expect(again.orderId).toBe(co.orderId);
    // One live intent per order: attempt 1's intent is cancelled before attempt 2's is created.
    expect(seen.slice(before).map((s) => [s.path, s.key])).toEqual([
      [`/v1/payment_intents/${co.payment.reference}/cancel`, `cancel_${co.payment.reference}`],
      ["/v1/payment_intents", `order_${co.orderId}_attempt_2`],
    ]);
    expect(again.payment.reference).not.toBe(co.payment.reference);
  });

  it(
    "answers 503 with Retry-After when Stripe fails at checkout, keeps the hold, " + "and the retry reuses the key",
    async () => {
      const { event } = await setupEvent();
      const fan = await createUser();
      const hold = await expectJson(
        await request("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-3-1"] } }),
        201,
      );
      script["/v1/payment_intents"] = [500];
      const before = seen.length;
      const path = `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`;
      const failed = await request("POST", path, { token: fan.token, headers: { "Idempotency-Key": "k-503" } });
      expect(failed.status).toBe(503);
      expect(failed.headers.get("Retry-After")).toBe("2");
      expect((await failed.json()) as Json).toMatchObject({ code: "payment_provider_unavailable" });
      const held = await expectJson(
        await request("GET", `/v1/holds/${encodeURIComponent(hold.holdId)}`, { token: fan.token }),
        200,
      );
      expect(held.status).toBe("checking_out");

      const ok = await expectJson(
        await request("POST", path, { token: fan.token, headers: { "Idempotency-Key": "k-503" } }),
        201,
      );
      const keys = seen.slice(before).map((s) => s.key);
      expect(keys).toEqual([`order_${ok.orderId}_attempt_1`, `order_${ok.orderId}_attempt_1`]);
    },
  );

  it(
    "retries a refund Stripe answers 500 to through the payments queue, " + "with the same key, until it succeeds",
    async () => {
      const { org, event } = await setupEvent();
      const { co } = await holdAndCheckout(event.id, ["A-4-1"]);
      await expectJson(
        await deliver(await signedEvent("payment_intent.succeeded", intentOf(co), { secret: WEBHOOK_SECRET })),
        200,
      );

      script["/v1/refunds"] = [500];
      const before = seen.length;
      const refunded = await expectJson(
        await request("POST", `/v1/admin/orders/${co.orderId}/refund`, { token: org.token, body: {} }),
        200,
      );
      expect(refunded.refund.status).toBe("queued");
      expect(refunded.order.status).toBe("refunded");

      const batch = createMessageBatch("payments", [
        {
          id: "m-refund",
          timestamp: new Date(),
          attempts: 1,
          body: { type: "refund", paymentId: refunded.refund.id, eventId: event.id },
        },
      ]);
      const ctx = createExecutionContext();
      await consumePayments(batch, stripeEnv);
      const result = await getQueueResult(batch, ctx);
      expect(result.explicitAcks).toEqual(["m-refund"]);

      const calls = seen.slice(before);
      expect(calls.map((c) => c.path)).toEqual(["/v1/refunds", "/v1/refunds"]);
      expect(calls[0]!.key).toBe(`refund_${refunded.refund.id}`);
      expect(calls[1]!.key).toBe(calls[0]!.key);
      expect(calls[1]!.form.get("payment_intent")).toBe(co.payment.reference);
      expect(calls[1]!.form.get("amount")).toBe("5000");
      const row = await runInDurableObject(env.EVENT_INVENTORY.getByName(event.id), (_i, state) =>
        state.storage.sql.exec("SELECT status, attempts FROM payments WHERE id = ?", refunded.refund.id).one(),
      );
      expect(row).toEqual({ status: "succeeded", attempts: 2 });
    },
  );

  it("a refund still failing is retried with exponential backoff, not acked", async () => {
    const { org, event } = await setupEvent();
    const { co } = await holdAndCheckout(event.id, ["A-4-2"]);
    await expectJson(
      await deliver(await signedEvent("payment_intent.succeeded", intentOf(co), { secret: WEBHOOK_SECRET })),
      200,
    );
    script["/v1/refunds"] = [503, 429];
    const refunded = await expectJson(
      await request("POST", `/v1/admin/orders/${co.orderId}/refund`, { token: org.token, body: {} }),
      200,
    );
    const batch = createMessageBatch("payments", [
      {
        id: "m-retry",
        timestamp: new Date(),
        attempts: 3,
        body: { type: "refund", paymentId: refunded.refund.id, eventId: event.id },
      },
    ]);
    const ctx = createExecutionContext();
    await consumePayments(batch, stripeEnv);
    const result = await getQueueResult(batch, ctx);
    expect(result.explicitAcks).toEqual([]);
    expect(result.retryMessages.map((m) => m.msgId)).toEqual(["m-retry"]);
    expect([1, 2, 3, 9, 20].map(backoffSeconds)).toEqual([2, 4, 8, 512, 600]);
  });

  it("refuses a webhook signed with another secret or too old, and changes nothing", async () => {
    const { event } = await setupEvent();
    const { fan, co } = await holdAndCheckout(event.id, ["A-4-3"]);
    await expectProblem(
      await deliver(await signedEvent("payment_intent.succeeded", intentOf(co), { secret: "whsec_forged" })),
      400,
      "bad_request",
    );
    const stale = await signedEvent("payment_intent.succeeded", intentOf(co), {
      secret: WEBHOOK_SECRET,
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    await expectProblem(await deliver(stale), 400, "bad_request");
    const order = await expectJson(await request("GET", `/v1/orders/${co.orderId}`, { token: fan.token }), 200);
    expect(order.status).toBe("pending_payment");
    expect(order.tickets).toEqual([]);
  });
});
