import Stripe from "stripe";
import type { SimulatedIntent } from "./simulated";

/** Stripe's test cards that decline, with the decline code Stripe reports for them. */
const DECLINES: Record<string, { code: string; message: string }> = {
  "4000000000000002": { code: "card_declined", message: "Your card was declined." },
  "4000000000009995": { code: "insufficient_funds", message: "Your card has insufficient funds." },
  "4000000000000069": { code: "expired_card", message: "Your card has expired." },
};

function luhn(digits: string): boolean {
  let sum = 0;
  for (let i = 0; i < digits.length; i++) {
    let d = Number(digits[digits.length - 1 - i]);
    if (i % 2 === 1) d = d * 2 > 9 ? d * 2 - 9 : d * 2;
    sum += d;
  }
  return sum % 10 === 0;
}

/**
 * What a test card does, as in Stripe's test mode: the decline cards decline, any other valid
 * card number (4242 4242 4242 4242, ...) succeeds, and a mistyped number is refused outright.
 */
export function cardOutcome(card: string): { ok: true } | { ok: false; code: string; message: string } | null {
  const digits = card.replace(/[\s-]/g, "");
  if (!/^\d{12,19}$/.test(digits) || !luhn(digits)) return null;
  const decline = DECLINES[digits];
  return decline ? { ok: false, ...decline } : { ok: true };
}

/**
 * A `payment_intent.*` event shaped as Stripe sends it, and its `Stripe-Signature` header made
 * by Stripe's own signer, so the webhook route cannot tell it from the real thing.
 */
export async function signedIntentEvent(
  intent: SimulatedIntent,
  outcome: ReturnType<typeof cardOutcome> & object,
  secret: string,
) {
  const created = Math.floor(Date.now() / 1000);
  const object = {
    id: intent.id,
    object: "payment_intent",
    amount: intent.amount,
    currency: intent.currency,
    status: outcome.ok ? "succeeded" : "requires_payment_method",
    metadata: intent.metadata,
    last_payment_error: outcome.ok ? null : { type: "card_error", code: outcome.code, message: outcome.message },
  };
  const payload = JSON.stringify({
    id: `evt_sim_${crypto.randomUUID().replaceAll("-", "")}`,
    object: "event",
    api_version: "2025-01-27",
    created,
    livemode: false,
    pending_webhooks: 1,
    type: outcome.ok ? "payment_intent.succeeded" : "payment_intent.payment_failed",
    data: { object },
  });
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret,
    timestamp: created,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { payload, header };
}
