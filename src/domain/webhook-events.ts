import Stripe from "stripe";
import { eq } from "drizzle-orm";
import { webhookEvents } from "../db/schema";
import { AppError } from "../errors";
import { paymentFailed, paymentSucceeded, type IntentFacts } from "./payment-outcomes";
import type { Deps } from "./refunds";

type Intent = {
  id: string;
  amount: number;
  currency: string;
  metadata?: Record<string, string> | null;
  last_payment_error?: { message?: string; code?: string } | null;
};

function facts(obj: Intent): IntentFacts {
  const failure = obj.last_payment_error?.message ?? obj.last_payment_error?.code;
  return {
    id: obj.id,
    amount: obj.amount,
    currency: obj.currency,
    metadata: obj.metadata ?? {},
    ...(failure ? { failure } : {}),
  };
}

/**
 * Verifies a Stripe webhook on its raw body (SubtleCrypto, 5-minute tolerance) and returns the
 * event; a forged, stale or malformed delivery is a 400 and changes nothing.
 */
export async function verifyWebhook(raw: string, signature: string | undefined, secret: string): Promise<Stripe.Event> {
  if (!signature) throw new AppError("bad_request", "Missing Stripe-Signature header");
  try {
    return await Stripe.webhooks.constructEventAsync(raw, signature, secret, 300, Stripe.createSubtleCryptoProvider());
  } catch (err) {
    throw new AppError("bad_request", "The webhook signature does not verify", { cause: err });
  }
}

/**
 * Applies one verified event. Events already applied (by id) are skipped; the id is recorded
 * only after the effect is durable, so a delivery that fails half-way is retried by Stripe and
 * converges (every step below is idempotent).
 */
export async function applyWebhookEvent(
  deps: Deps,
  event: Stripe.Event,
): Promise<{ duplicate: boolean; outcome: string }> {
  const seen = await deps.db.select().from(webhookEvents).where(eq(webhookEvents.id, event.id)).get();
  if (seen) return { duplicate: true, outcome: "duplicate" };
  let outcome = "ignored";
  switch (event.type) {
    case "payment_intent.succeeded":
      outcome = await paymentSucceeded(deps, facts(event.data.object as Intent));
      break;
    case "payment_intent.payment_failed":
      outcome = await paymentFailed(deps, facts(event.data.object as Intent), "failed");
      break;
    case "payment_intent.canceled":
      outcome = await paymentFailed(deps, facts(event.data.object as Intent), "canceled");
      break;
  }
  await deps.db
    .insert(webhookEvents)
    .values({ id: event.id, provider: deps.provider.name, type: event.type, receivedAt: Date.now() })
    .onConflictDoNothing();
  return { duplicate: false, outcome };
}
