import type { PaymentProvider as ProviderName } from "../db/schema/constants";

/** What the client needs to pay: Stripe.js needs the client secret and publishable key. */
export type PaymentHandle = {
  provider: ProviderName;
  /** PaymentIntent id. */
  reference: string;
  clientSecret: string;
  publishableKey: string | null;
  /** The simulated provider's local payment page; null for Stripe (the client uses Stripe.js). */
  paymentUrl: string | null;
};

export type CreatePaymentInput = {
  orderId: string;
  holdId: string;
  eventId: string;
  amount: number;
  currency: string;
  email: string;
  /** The buyer's account (the simulated provider lets only them pay; Stripe does not need it). */
  userId: string;
  /** Derived from the order and its attempt number: a retry of one attempt reuses it. */
  idempotencyKey: string;
};

export type RefundInput = {
  reference: string;
  amount: number;
  idempotencyKey: string;
  reason: string;
  refundRowId: string;
};

/** How a cancel ended; a PaymentIntent that already succeeded cannot be cancelled. */
export type CancelOutcome = "canceled" | "already_canceled" | "already_succeeded";

/** A PaymentIntent as the provider reports it now (for reconciliation when a webhook went missing). */
export type PaymentState = {
  id: string;
  status: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
};

/** One payment provider: Stripe, or the simulated one used locally. */
export interface PaymentProvider {
  readonly name: ProviderName;
  createPayment(input: CreatePaymentInput): Promise<PaymentHandle>;
  retrievePayment(reference: string): Promise<PaymentState | null>;
  cancelPayment(reference: string, idempotencyKey: string): Promise<CancelOutcome>;
  refund(input: RefundInput): Promise<{ refundId: string }>;
}

/**
 * A provider call that failed. `retryable` marks failures that may pass on their own (network,
 * 5xx, 429, lock timeouts): those are retried from the payments queue or answered with 503.
 */
export class PaymentProviderError extends Error {
  constructor(
    message: string,
    readonly retryable: boolean,
    opts: { cause?: unknown } = {},
  ) {
    super(message, opts);
    this.name = "PaymentProviderError";
  }
}
