import { gatewayName, type SimulatedGateway, type SimulatedIntent } from "./simulated-gateway";
import type {
  CancelOutcome,
  CreatePaymentInput,
  PaymentHandle,
  PaymentProvider,
  PaymentState,
  RefundInput,
} from "./provider";

export type { SimulatedIntent } from "./simulated-gateway";

/**
 * The local stand-in for Stripe, used when no STRIPE_SECRET_KEY is set. PaymentIntents live in a
 * `SimulatedGateway` object per event (not in D1: a purchase writes nothing there, as with
 * Stripe), created idempotently by key as Stripe does; the fan pays on a local page that posts a
 * webhook signed exactly as Stripe signs it (routes/simulated-pay.ts).
 */
export class SimulatedProvider implements PaymentProvider {
  readonly name = "simulated" as const;

  constructor(private readonly ns: DurableObjectNamespace<SimulatedGateway>) {}

  /** The gateway holding `intentId`, or null for an id it could not have made (no object is created). */
  private gateway(intentId: string) {
    const name = gatewayName(intentId);
    return name ? this.ns.getByName(name) : null;
  }

  async createPayment(input: CreatePaymentInput): Promise<PaymentHandle> {
    const metadata = { order_id: input.orderId, hold_id: input.holdId, event_id: input.eventId };
    const { id } = await this.ns.getByName(input.eventId).create(
      {
        idempotencyKey: input.idempotencyKey,
        amount: input.amount,
        currency: input.currency,
        metadata,
        owner: input.userId,
      },
      input.eventId,
    );
    return {
      provider: "simulated",
      reference: id,
      clientSecret: `${id}_secret_simulated`,
      publishableKey: null,
      paymentUrl: `/v1/pay/simulated/${id}`,
    };
  }

  async retrievePayment(reference: string): Promise<PaymentState | null> {
    const intent = await this.get(reference);
    return intent
      ? {
          id: intent.id,
          status: intent.status,
          amount: intent.amount,
          currency: intent.currency,
          metadata: intent.metadata,
        }
      : null;
  }

  async cancelPayment(reference: string): Promise<CancelOutcome> {
    return (await this.gateway(reference)?.cancel(reference)) ?? "already_canceled";
  }

  async refund(input: RefundInput): Promise<{ refundId: string }> {
    await this.gateway(input.reference)?.refund(input.reference, input.amount);
    return { refundId: `re_sim_${input.refundRowId}` };
  }

  /** One intent, as the local payment page shows it. */
  async get(id: string): Promise<SimulatedIntent | null> {
    return (await this.gateway(id)?.get(id)) ?? null;
  }

  /**
   * The intent when it pays for an order of `userId`, else null: the pay page answers 404 either
   * way, so a stranger learns nothing about an intent id they guessed or saw.
   */
  async getForUser(id: string, userId: string): Promise<SimulatedIntent | null> {
    const intent = await this.get(id);
    return intent?.owner === userId ? intent : null;
  }

  /** `getForUser` and `settle` in one call to the intent's gateway (the pay page's hot path). */
  async settleForUser(id: string, userId: string, outcome: "succeeded" | "failed") {
    return (await this.gateway(id)?.settleFor(id, userId, outcome)) ?? null;
  }

  /** Records the outcome the fan chose; returns false when the intent is no longer payable. */
  async settle(id: string, outcome: "succeeded" | "failed"): Promise<boolean> {
    return (await this.gateway(id)?.settle(id, outcome)) ?? false;
  }
}
