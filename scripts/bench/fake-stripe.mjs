// A fake Stripe API in the bench's own process, so the bench pays the way production does: the
// Worker calls Stripe's API through the SDK (checkout creates the PaymentIntent, the payments
// queue cancels and refunds), the fan confirms at "Stripe", and "Stripe" posts the signed webhook.
// The in-Worker simulated provider instead runs Stripe's part (intent storage, card checks,
// signing) on the Worker's own thread, and through one more request per purchase; that work is
// Stripe's in production, so it does not belong in the product's figures.
//
// Only what the product calls: create, retrieve and cancel a PaymentIntent, create a refund.
// `POST /bench/confirm/:id` stands in for Stripe.js confirming a card: it settles the intent and
// answers once the Worker has answered the webhook. Loopback only, and only for a bench run.
import { randomBytes, randomUUID } from "node:crypto";
import { createServer } from "node:http";
import { cardOutcome, signedIntentEvent } from "../../src/payments/simulated-webhook.ts";

export const FAKE_STRIPE_SECRET_KEY = "sk_test_bench_fake_stripe";
export const FAKE_STRIPE_WEBHOOK_SECRET = "whsec_bench_fake_stripe";

/** Stripe's form encoding (`metadata[order_id]=…`) read back into nested objects. */
function formBody(text) {
  /** @type {Record<string, any>} */
  const out = {};
  for (const [key, value] of new URLSearchParams(text)) {
    const path = key.split(/\[|\]\[|\]$/).filter((p) => p !== "");
    let at = out;
    for (const p of path.slice(0, -1)) at = at[p] ??= {};
    at[path[path.length - 1]] = value;
  }
  return out;
}

const stripeError = (status, type, code, message) => ({ status, body: { error: { type, code, message } } });

/**
 * Starts the fake on 127.0.0.1:port; confirmed payments post their webhooks to `webhookUrl`.
 * @param {{ port: number, webhookUrl: string }} o
 */
export async function startFakeStripe({ port, webhookUrl }) {
  /** @type {Map<string, any>} */
  const intents = new Map();
  /** Stripe replays the first answer for an idempotency key. */
  /** @type {Map<string, { status: number, body: any }>} */
  const replies = new Map();
  const counts = { create: 0, retrieve: 0, cancel: 0, refund: 0, confirm: 0 };

  const missing = (id) =>
    stripeError(404, "invalid_request_error", "resource_missing", `No such payment_intent: '${id}'`);
  const view = (pi) => {
    const { owner: _o, ...rest } = pi;
    return rest;
  };

  /** @param {string} method @param {string[]} parts @param {Record<string, any>} body */
  const stripeCall = (method, parts, body) => {
    if (method === "POST" && parts.length === 1 && parts[0] === "payment_intents") {
      counts.create++;
      const id = `pi_fake_${randomBytes(12).toString("hex")}`;
      const pi = {
        id,
        object: "payment_intent",
        amount: Number(body.amount),
        amount_received: 0,
        currency: String(body.currency).toLowerCase(),
        status: "requires_payment_method",
        client_secret: `${id}_secret_${randomBytes(8).toString("hex")}`,
        metadata: body.metadata ?? {},
        receipt_email: body.receipt_email ?? null,
        livemode: false,
      };
      intents.set(id, pi);
      return { status: 200, body: view(pi) };
    }
    if (parts[0] === "payment_intents" && parts.length >= 2) {
      const pi = intents.get(parts[1]);
      if (!pi) return missing(parts[1]);
      if (method === "GET" && parts.length === 2) {
        counts.retrieve++;
        return { status: 200, body: view(pi) };
      }
      if (method === "POST" && parts[2] === "cancel") {
        counts.cancel++;
        if (pi.status === "succeeded" || pi.status === "canceled") {
          return stripeError(
            400,
            "invalid_request_error",
            "payment_intent_unexpected_state",
            `You cannot cancel this PaymentIntent because it has a status of ${pi.status}.`,
          );
        }
        pi.status = "canceled";
        return { status: 200, body: view(pi) };
      }
    }
    if (method === "POST" && parts.length === 1 && parts[0] === "refunds") {
      counts.refund++;
      const pi = intents.get(String(body.payment_intent));
      if (!pi) return missing(String(body.payment_intent));
      const amount = body.amount == null ? pi.amount_received : Number(body.amount);
      return {
        status: 200,
        body: { id: `re_fake_${randomBytes(12).toString("hex")}`, object: "refund", amount, status: "succeeded" },
      };
    }
    return stripeError(404, "invalid_request_error", "unknown_route", `Unrecognized request URL (${method})`);
  };

  /** What Stripe.js would do when the fan submits a card: settle, then Stripe's webhook. */
  const confirm = async (id, input) => {
    counts.confirm++;
    const pi = intents.get(id);
    if (!pi || input.client_secret !== pi.client_secret) return missing(id);
    const outcome = cardOutcome(String(input.card ?? ""));
    if (!outcome) return stripeError(402, "card_error", "incorrect_number", "Your card number is incorrect.");
    if (pi.status !== "requires_payment_method") {
      return stripeError(400, "invalid_request_error", "payment_intent_unexpected_state", `It is ${pi.status}.`);
    }
    if (outcome.ok) {
      pi.status = "succeeded";
      pi.amount_received = pi.amount;
    }
    const { payload, header } = await signedIntentEvent(pi, outcome, FAKE_STRIPE_WEBHOOK_SECRET);
    const res = await fetch(webhookUrl, {
      method: "POST",
      headers: { "content-type": "application/json", "stripe-signature": header },
      body: payload,
    });
    const webhook = { status: res.status, ...(await res.json().catch(() => ({}))) };
    return { status: 200, body: { paymentId: id, result: outcome.ok ? "succeeded" : "declined", webhook } };
  };

  const server = createServer(async (req, res) => {
    let text = "";
    for await (const chunk of req) text += chunk;
    const url = new URL(req.url ?? "/", "http://127.0.0.1");
    const parts = url.pathname.split("/").filter(Boolean);
    /** @type {{ status: number, body: any }} */
    let reply;
    try {
      if (parts[0] === "bench" && parts[1] === "confirm" && req.method === "POST") {
        reply = await confirm(parts[2] ?? "", JSON.parse(text || "{}"));
      } else if (parts[0] === "v1") {
        const key = req.headers["idempotency-key"];
        const replayKey = typeof key === "string" ? `${url.pathname} ${key}` : null;
        const replayed = replayKey ? replies.get(replayKey) : undefined;
        reply = replayed ?? stripeCall(req.method ?? "GET", parts.slice(1), formBody(text));
        if (replayKey && !replayed) replies.set(replayKey, reply);
      } else {
        reply = stripeError(404, "invalid_request_error", "unknown_route", "Not Stripe");
      }
    } catch (err) {
      reply = stripeError(500, "api_error", "fake_stripe_failed", String(err));
    }
    res.writeHead(reply.status, { "content-type": "application/json", "request-id": `req_${randomUUID()}` });
    res.end(JSON.stringify(reply.body));
  });
  await new Promise((resolve, reject) => {
    server.once("error", reject);
    server.listen(port, "127.0.0.1", () => resolve(undefined));
  });
  return {
    base: `http://127.0.0.1:${port}`,
    counts,
    /** The intents by status, for the run's summary. */
    statuses: () => {
      /** @type {Record<string, number>} */
      const by = {};
      for (const pi of intents.values()) by[pi.status] = (by[pi.status] ?? 0) + 1;
      return by;
    },
    stop: () => new Promise((resolve) => server.close(() => resolve(undefined))),
  };
}
