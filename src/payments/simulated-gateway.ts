import { DurableObject } from "cloudflare:workers";
import { isEventId } from "../domain/event-ids";
import type { CancelOutcome } from "./provider";

export type SimulatedIntent = {
  id: string;
  amount: number;
  currency: string;
  status: "requires_payment_method" | "succeeded" | "canceled";
  metadata: Record<string, string>;
  amount_refunded: number;
  /** The account whose order the intent pays: only that fan may pay or decline it. */
  owner: string;
};

type IntentRow = Omit<SimulatedIntent, "metadata"> & { metadata: string; idempotency_key: string };

export type CreateIntentInput = {
  idempotencyKey: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  owner: string;
};

const PREFIX = "pi_sim_";

function intentOf(r: IntentRow | undefined): SimulatedIntent | null {
  if (!r) return null;
  const { idempotency_key: _key, ...rest } = r;
  return { ...rest, metadata: JSON.parse(r.metadata) as Record<string, string> };
}

/** The gateway (one per event) that holds an intent: its id carries the event id, as `pi_sim_<event>_<hex>`. */
export function gatewayName(intentId: string): string | null {
  if (!intentId.startsWith(PREFIX)) return null;
  const cut = intentId.lastIndexOf("_");
  const name = cut > PREFIX.length ? intentId.slice(PREFIX.length, cut) : "";
  return isEventId(name) ? name : null;
}

function newIntentId(eventId: string): string {
  const bytes = crypto.getRandomValues(new Uint8Array(12));
  return `${PREFIX}${eventId}_${[...bytes].map((b) => b.toString(16).padStart(2, "0")).join("")}`;
}

/**
 * The local stand-in for Stripe's PaymentIntents, one object per event so a purchase writes
 * nothing to D1 (as with Stripe, where intents live at Stripe). Intents are created idempotently
 * by key, as Stripe does. Used only when no STRIPE_SECRET_KEY is set, in development.
 */
export class SimulatedGateway extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS intents (
         id TEXT PRIMARY KEY, amount INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL,
         metadata TEXT NOT NULL, idempotency_key TEXT NOT NULL UNIQUE, amount_refunded INTEGER NOT NULL DEFAULT 0,
         owner TEXT NOT NULL, created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL)`,
    );
  }

  private row(where: string, value: string): SimulatedIntent | null {
    return intentOf(this.sql.exec<IntentRow>(`SELECT * FROM intents WHERE ${where} = ?`, value).toArray()[0]);
  }

  /** Creates an intent, or returns the one already created under this idempotency key. */
  async create(input: CreateIntentInput, eventId: string): Promise<SimulatedIntent> {
    const now = Date.now();
    const created = this.sql.exec<IntentRow>(
      `INSERT INTO intents (id, amount, currency, status, metadata, idempotency_key, owner, created_at, updated_at)
       VALUES (?, ?, ?, 'requires_payment_method', ?, ?, ?, ?, ?) ON CONFLICT(idempotency_key) DO NOTHING RETURNING *`,
      newIntentId(eventId),
      input.amount,
      input.currency.toLowerCase(),
      JSON.stringify(input.metadata),
      input.idempotencyKey,
      input.owner,
      now,
      now,
    );
    return intentOf(created.toArray()[0]) ?? this.row("idempotency_key", input.idempotencyKey)!;
  }

  async get(id: string): Promise<SimulatedIntent | null> {
    return this.row("id", id);
  }

  async cancel(id: string): Promise<CancelOutcome> {
    const changed = this.sql.exec(
      `UPDATE intents SET status = 'canceled', updated_at = ? WHERE id = ? AND status = 'requires_payment_method'`,
      Date.now(),
      id,
    ).rowsWritten;
    if (changed === 1) return "canceled";
    return this.row("id", id)?.status === "succeeded" ? "already_succeeded" : "already_canceled";
  }

  async refund(id: string, amount: number): Promise<void> {
    this.sql.exec(
      `UPDATE intents SET amount_refunded = MIN(amount, amount_refunded + ?), updated_at = ? WHERE id = ?`,
      amount,
      Date.now(),
      id,
    );
  }

  /**
   * The pay page's one call: the intent when it belongs to `owner` (else null, as for an unknown
   * id), and whether the fan's outcome was recorded (false when it is no longer payable).
   */
  async settleFor(
    id: string,
    owner: string,
    outcome: "succeeded" | "failed",
  ): Promise<{ intent: SimulatedIntent; settled: boolean } | null> {
    if (outcome === "succeeded") {
      // The common case in one statement: the owner's payable intent becomes succeeded.
      const paid = intentOf(
        this.sql
          .exec<IntentRow>(
            `UPDATE intents SET status = 'succeeded', updated_at = ?
             WHERE id = ? AND owner = ? AND status = 'requires_payment_method' RETURNING *`,
            Date.now(),
            id,
            owner,
          )
          .toArray()[0],
      );
      if (paid) return { intent: paid, settled: true };
    }
    const intent = this.row("id", id);
    if (intent?.owner !== owner) return null;
    return { intent, settled: await this.settle(id, outcome) };
  }

  /** Records the outcome the fan chose; false when the intent is no longer payable. */
  async settle(id: string, outcome: "succeeded" | "failed"): Promise<boolean> {
    if (outcome === "failed") return this.row("id", id)?.status === "requires_payment_method";
    return (
      this.sql.exec(
        `UPDATE intents SET status = 'succeeded', updated_at = ? WHERE id = ? AND status = 'requires_payment_method'`,
        Date.now(),
        id,
      ).rowsWritten === 1
    );
  }
}
