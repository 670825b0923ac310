import Stripe from "stripe";
import type {
  CancelOutcome,
  CreatePaymentInput,
  PaymentHandle,
  PaymentProvider,
  PaymentState,
  RefundInput,
} from "./provider";
import { PaymentProviderError } from "./provider";

/** Stripe API errors that may pass on a retry. */
function isRetryable(err: unknown): boolean {
  if (err instanceof Stripe.errors.StripeConnectionError) return true;
  if (err instanceof Stripe.errors.StripeRateLimitError) return true;
  if (err instanceof Stripe.errors.StripeAPIError) return true;
  if (err instanceof Stripe.errors.StripeError) {
    if (err.code === "lock_timeout") return true;
    return (err.statusCode ?? 0) >= 500;
  }
  return true; // not a Stripe answer at all (e.g. fetch threw): assume the network
}

function wrap(err: unknown, what: string): PaymentProviderError {
  const message = err instanceof Error ? err.message : String(err);
  return new PaymentProviderError(`Stripe ${what} failed: ${message}`, isRetryable(err), { cause: err });
}

/**
 * One SDK client per key and API address for the isolate's life: the client holds no request
 * state, and building one (every resource namespace) on each request showed in the bench's
 * profile. Bounded, since a rotated key leaves its old client behind.
 */
const clients = new Map<string, Stripe>();
const MAX_CLIENTS = 4;

function stripeClient(secretKey: string, apiBase: URL | null): Stripe {
  const cacheKey = `${apiBase?.origin ?? ""} ${secretKey}`;
  let client = clients.get(cacheKey);
  if (!client) {
    if (clients.size >= MAX_CLIENTS) clients.clear();
    const at = apiBase
      ? {
          host: apiBase.hostname,
          port: apiBase.port || (apiBase.protocol === "http:" ? 80 : 443),
          protocol: apiBase.protocol === "http:" ? ("http" as const) : ("https" as const),
        }
      : {};
    // The global fetch is looked up per call, not captured: a client outlives whatever wraps fetch
    // later (the tests' interceptors).
    const httpClient = Stripe.createFetchHttpClient((input, init) => fetch(input, init));
    client = new Stripe(secretKey, { httpClient, maxNetworkRetries: 0, ...at });
    clients.set(cacheKey, client);
  }
  return client;
}

/**
 * Stripe through its SDK with the fetch HTTP client. The SDK's own retries are off: retries go
 * through the payments queue with backoff (or a 503 at checkout), always with the same
 * idempotency key, so a retry can never charge twice.
 */
export class StripeProvider implements PaymentProvider {
  readonly name = "stripe" as const;
  private readonly stripe: Stripe;

  constructor(
    secretKey: string,
    private readonly publishableKey: string | null,
    apiBase: URL | null = null,
  ) {
    this.stripe = stripeClient(secretKey, apiBase);
  }

  async createPayment(input: CreatePaymentInput): Promise<PaymentHandle> {
    try {
      const intent = await this.stripe.paymentIntents.create(
        {
          amount: input.amount,
          currency: input.currency.toLowerCase(),
          automatic_payment_methods: { enabled: true },
          receipt_email: input.email,
          metadata: { order_id: input.orderId, hold_id: input.holdId, event_id: input.eventId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return {
        provider: "stripe",
        reference: intent.id,
        clientSecret: intent.client_secret ?? "",
        publishableKey: this.publishableKey,
        paymentUrl: null,
      };
    } catch (err) {
      throw wrap(err, "create PaymentIntent");
    }
  }

  async retrievePayment(reference: string): Promise<PaymentState | null> {
    try {
      const pi = await this.stripe.paymentIntents.retrieve(reference);
      return { id: pi.id, status: pi.status, amount: pi.amount, currency: pi.currency, metadata: pi.metadata ?? {} };
    } catch (err) {
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.statusCode === 404) return null;
      throw wrap(err, "retrieve PaymentIntent");
    }
  }

  async cancelPayment(reference: string, idempotencyKey: string): Promise<CancelOutcome> {
    try {
      await this.stripe.paymentIntents.cancel(reference, {}, { idempotencyKey });
      return "canceled";
    } catch (err) {
      // Stripe answers 400 payment_intent_unexpected_state when it already ended; read it back.
      if (err instanceof Stripe.errors.StripeInvalidRequestError && err.code === "payment_intent_unexpected_state") {
        const intent = await this.stripe.paymentIntents.retrieve(reference).catch((e: unknown) => {
          throw wrap(e, "retrieve PaymentIntent");
        });
        if (intent.status === "succeeded") return "already_succeeded";
        if (intent.status === "canceled") return "already_canceled";
      }
      throw wrap(err, "cancel PaymentIntent");
    }
  }

  async refund(input: RefundInput): Promise<{ refundId: string }> {
    try {
      const refund = await this.stripe.refunds.create(
        {
          payment_intent: input.reference,
          amount: input.amount,
          metadata: { reason: input.reason, refund_row: input.refundRowId },
        },
        { idempotencyKey: input.idempotencyKey },
      );
      return { refundId: refund.id };
    } catch (err) {
      throw wrap(err, "refund");
    }
  }
}
