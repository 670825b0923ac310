import Stripe from "stripe";
import { z } from "zod";
import { AppError } from "../errors";
import { log } from "../observability/log";
import type { PaymentProvider } from "../payments/provider";
import { applyFailure, applySuccess, eventOfIntent, type IntentFacts } from "./payment-outcomes";

/** Seconds a signature timestamp may lie from our clock, in either direction. */
const TOLERANCE_S = 300;

/** The event types we act on, and what each one means for its order. */
const INTENT_EVENTS = {
  "payment_intent.succeeded": "succeeded",
  "payment_intent.payment_failed": "failed",
  "payment_intent.canceled": "canceled",
} as const;
type IntentEventType = keyof typeof INTENT_EVENTS;

/** A verified event whose contents we checked: an intent event carries the facts the outcomes need. */
export type WebhookEvent =
  | { kind: "intent"; id: string; type: IntentEventType; intent: IntentFacts }
  | { kind: "other"; id: string; type: string };

// Without a string id and type there is nothing to dedup on or dispatch by, whatever the type.
const EnvelopeSchema = z.object({ id: z.string().min(1), type: z.string().min(1) });

// Only the fields the outcomes read; anything else Stripe adds is left alone.
const IntentEventSchema = z.object({
  data: z.object({
    object: z.object({
      id: z.string().min(1),
      amount: z.number().int().nonnegative(),
      currency: z.string().regex(/^[a-z]{3}$/i, "Expected a three-letter currency code"),
      metadata: z.record(z.string(), z.string()).nullish(),
      last_payment_error: z.object({ message: z.string().nullish(), code: z.string().nullish() }).nullish(),
    }),
  }),
});

/** The `t=` of a Stripe-Signature header, read as Stripe's SDK reads it (the last `t` wins). */
function signedAt(header: string): number {
  let t = Number.NaN;
  for (const item of header.split(",")) {
    const [key, value] = item.split("=");
    if (key === "t") t = Number.parseInt(value ?? "", 10);
  }
  return t;
}

/** `path: message` for the first few issues, so the problem detail says what is wrong without echoing values. */
function describeIssues(error: z.ZodError): string[] {
  return error.issues
    .slice(0, 5)
    .map((i) => `${i.path.length ? i.path.map(String).join(".") : "(root)"}: ${i.message}`);
}

/** Logs a refused payload by its issues only (never the payload) and throws the 400. */
function refuse(detail: string, error: z.ZodError, fields: Record<string, unknown> = {}): never {
  const problems = describeIssues(error);
  log("warn", "malformed webhook event refused", { ...fields, problems });
  throw new AppError("bad_request", `${detail}: ${problems.join("; ")}`);
}

/**
 * Checks the shape of a verified payload. An event type we do not act on passes whatever its
 * data; an intent event must carry a well-formed PaymentIntent, else a 400 that changes nothing.
 */
function readEvent(payload: unknown): WebhookEvent {
  const envelope = EnvelopeSchema.safeParse(payload);
  if (!envelope.success) refuse("The webhook payload is not a Stripe event", envelope.error);
  const { id, type } = envelope.data;
  if (!Object.hasOwn(INTENT_EVENTS, type)) return { kind: "other", id, type };
  const parsed = IntentEventSchema.safeParse(payload);
  if (!parsed.success) refuse(`The ${type} event is malformed`, parsed.error, { eventId: id, type });
  const obj = parsed.data.data.object;
  const failure = obj.last_payment_error?.message ?? obj.last_payment_error?.code;
  return {
    kind: "intent",
    id,
    type: type as IntentEventType,
    intent: {
      id: obj.id,
      amount: obj.amount,
      currency: obj.currency,
      metadata: obj.metadata ?? {},
      ...(failure ? { failure } : {}),
    },
  };
}

/**
 * Verifies a Stripe webhook on its raw body (SubtleCrypto, 5-minute tolerance either side of
 * our clock) and checks its contents; a forged, stale, future-dated or malformed delivery is a
 * 400 and changes nothing.
 */
export async function verifyWebhook(raw: string, signature: string | undefined, secret: string): Promise<WebhookEvent> {
  if (!signature) throw new AppError("bad_request", "Missing Stripe-Signature header");
  let payload: unknown;
  try {
    payload = await Stripe.webhooks.constructEventAsync(
      raw,
      signature,
      secret,
      TOLERANCE_S,
      Stripe.createSubtleCryptoProvider(),
    );
  } catch (err) {
    throw new AppError("bad_request", "The webhook signature does not verify", { cause: err });
  }
  // The SDK only refuses old timestamps; a far-future one would keep a captured delivery
  // replayable for as long as it is dated ahead, so the window is closed on that side too.
  // A `t=` the SDK reads as NaN passes its age check, so an unreadable one is refused here as well.
  const ahead = signedAt(signature) - Math.floor(Date.now() / 1000);
  if (Number.isNaN(ahead)) throw new AppError("bad_request", "The webhook signature timestamp is not a number");
  if (ahead > TOLERANCE_S) {
    log("warn", "webhook timestamp ahead of our clock refused", { aheadSeconds: ahead });
    throw new AppError("bad_request", `The webhook signature timestamp is more than ${TOLERANCE_S} s in the future`);
  }
  return readEvent(payload);
}

/**
 * Applies one verified event in the object that owns its order (found from the order id the
 * intent carries). The object deduplicates the event id in the same transaction as the effect,
 * so a delivery that fails half-way is retried by Stripe and converges. An intent that names no
 * order is acknowledged and logged: there is nothing of ours it could buy.
 */
export async function applyWebhookEvent(
  deps: { env: Env; provider: PaymentProvider },
  event: WebhookEvent,
): Promise<{ duplicate: boolean; outcome: string }> {
  if (event.kind !== "intent") return { duplicate: false, outcome: "ignored" };
  const eventId = eventOfIntent(event.intent);
  if (!eventId) {
    log("warn", "payment event for no known order", { intent: event.intent.id, type: event.type });
    return { duplicate: false, outcome: "unknown_order" };
  }
  const kind = INTENT_EVENTS[event.type];
  const outcome =
    kind === "succeeded"
      ? await applySuccess(deps, eventId, event.intent, event.id)
      : await applyFailure(deps, eventId, event.intent, kind, event.id);
  return { duplicate: outcome === "duplicate", outcome };
}
