import type {
  CancelOutcome,
  CreatePaymentInput,
  PaymentHandle,
  PaymentProvider,
  PaymentState,
  RefundInput,
} from "./provider";

export type SimulatedIntent = {
  id: string;
  amount: number;
  currency: string;
  status: "requires_payment_method" | "succeeded" | "canceled";
  metadata: Record<string, string>;
  amount_refunded: number;
};

function randomId(prefix: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return prefix + [...bytes].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/**
 * The local stand-in for Stripe, used when no STRIPE_SECRET_KEY is set. PaymentIntents live in
 * D1 (`simulated_intents`), created idempotently by key as Stripe does; the fan pays on a local
 * page that posts a webhook signed exactly as Stripe signs it (routes/simulated-pay.ts).
 */
export class SimulatedProvider implements PaymentProvider {
  readonly name = "simulated" as const;

  constructor(private readonly db: D1Database) {}

  async createPayment(input: CreatePaymentInput): Promise<PaymentHandle> {
    const now = Date.now();
    const metadata = { order_id: input.orderId, hold_id: input.holdId, event_id: input.eventId };
    await this.db
      .prepare(
        `INSERT INTO simulated_intents (id, amount, currency, status, metadata, idempotency_key, created_at, updated_at)
         VALUES (?, ?, ?, 'requires_payment_method', ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING`,
      )
      .bind(
        randomId("pi_sim_"),
        input.amount,
        input.currency.toLowerCase(),
        JSON.stringify(metadata),
        input.idempotencyKey,
        now,
        now,
      )
      .run();
    const row = await this.db
      .prepare(`SELECT id FROM simulated_intents WHERE idempotency_key = ?`)
      .bind(input.idempotencyKey)
      .first<{ id: string }>();
    const id = row!.id;
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
    const res = await this.db
      .prepare(
        `UPDATE simulated_intents SET status = 'canceled', updated_at = ?
         WHERE id = ? AND status = 'requires_payment_method'`,
      )
      .bind(Date.now(), reference)
      .run();
    if (res.meta.changes === 1) return "canceled";
    const intent = await this.get(reference);
    return intent?.status === "succeeded" ? "already_succeeded" : "already_canceled";
  }

  async refund(input: RefundInput): Promise<{ refundId: string }> {
    await this.db
      .prepare(
        `UPDATE simulated_intents SET amount_refunded = MIN(amount, amount_refunded + ?), updated_at = ? WHERE id = ?`,
      )
      .bind(input.amount, Date.now(), input.reference)
      .run();
    return { refundId: `re_sim_${input.refundRowId}` };
  }

  /** One intent, as the local payment page shows it. */
  async get(id: string): Promise<SimulatedIntent | null> {
    const row = await this.db
      .prepare(`SELECT * FROM simulated_intents WHERE id = ?`)
      .bind(id)
      .first<Omit<SimulatedIntent, "metadata"> & { metadata: string }>();
    return row ? { ...row, metadata: JSON.parse(row.metadata) as Record<string, string> } : null;
  }

  /**
   * The intent when it pays for an order of `userId`, else null: the pay page answers 404 either
   * way, so a stranger learns nothing about an intent id they guessed or saw.
   */
  async getForUser(id: string, userId: string): Promise<SimulatedIntent | null> {
    // One round trip: the intent joined to the order it pays, kept only when the fan owns it.
    const row = await this.db
      .prepare(
        `SELECT i.* FROM simulated_intents i JOIN orders o ON o.id = json_extract(i.metadata, '$.order_id')
         WHERE i.id = ? AND o.user_id = ?`,
      )
      .bind(id, userId)
      .first<Omit<SimulatedIntent, "metadata"> & { metadata: string }>();
    return row ? { ...row, metadata: JSON.parse(row.metadata) as Record<string, string> } : null;
  }

  /** Records the outcome the fan chose; returns false when the intent is no longer payable. */
  async settle(id: string, outcome: "succeeded" | "failed"): Promise<boolean> {
    if (outcome === "failed") return (await this.get(id))?.status === "requires_payment_method";
    const res = await this.db
      .prepare(
        `UPDATE simulated_intents SET status = 'succeeded', updated_at = ?
         WHERE id = ? AND status = 'requires_payment_method'`,
      )
      .bind(Date.now(), id)
      .run();
    return res.meta.changes === 1;
  }
}
