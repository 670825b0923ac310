import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { OUTBOX_QUEUES, PAYMENT_KINDS, PAYMENT_PROVIDERS, PAYMENT_STATUSES } from "./constants";
import { orders } from "./orders";

/** Charges and refunds as the provider knows them (PaymentIntent or Refund ids). */
export const payments = sqliteTable(
  "payments",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    kind: text("kind", { enum: PAYMENT_KINDS }).notNull(),
    provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
    /** PaymentIntent id for charges, Refund id for refunds; null until the provider answered. */
    providerRef: text("provider_ref"),
    /** The Idempotency-Key sent to the provider for this row. */
    idempotencyKey: text("idempotency_key").notNull(),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    status: text("status", { enum: PAYMENT_STATUSES }).notNull().default("pending"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    /** For refunds: why (fan_cancel, organizer, event_cancelled, unavailable, superseded, mismatch …). */
    reason: text("reason"),
    /**
     * For charges: the inventory hold this attempt paid for, so a cancel names its own intent.
     * For refunds: the PaymentIntent the money goes back to (a stray success is refunded to itself).
     */
    holdId: text("hold_id"),
    chargeRef: text("charge_ref"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** The EventInventory's row version; the ledger consumer only ever moves it forward. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("payments_provider_ref_unique").on(t.provider, t.providerRef),
    uniqueIndex("payments_idempotency_unique").on(t.idempotencyKey),
    index("payments_order_idx").on(t.orderId),
  ],
);

/** Webhook events already applied, by the provider's event id. */
export const webhookEvents = sqliteTable("webhook_events", {
  id: text("id").primaryKey(),
  provider: text("provider", { enum: PAYMENT_PROVIDERS }).notNull(),
  type: text("type").notNull(),
  receivedAt: integer("received_at").notNull(),
});

/**
 * Idempotency-Key records: the first response to a (user, route, key) is kept 24 hours and
 * replayed; `in_progress` marks a request still running so a concurrent duplicate never runs.
 */
export const idempotencyKeys = sqliteTable(
  "idempotency_keys",
  {
    scope: text("scope").notNull(),
    route: text("route").notNull(),
    key: text("key").notNull(),
    requestHash: text("request_hash").notNull(),
    state: text("state", { enum: ["in_progress", "done"] }).notNull(),
    responseStatus: integer("response_status"),
    responseHeaders: text("response_headers", { mode: "json" }).$type<Record<string, string>>(),
    responseBody: text("response_body"),
    createdAt: integer("created_at").notNull(),
    expiresAt: integer("expires_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.scope, t.route, t.key] }), index("idempotency_expires_idx").on(t.expiresAt)],
);

/**
 * Messages written in the same D1 batch as the state change they announce, then shipped to
 * their queue; whatever a crash leaves behind is shipped by the cron. Nothing is lost.
 */
export const outbox = sqliteTable(
  "outbox",
  {
    id: text("id").primaryKey(),
    queue: text("queue", { enum: OUTBOX_QUEUES }).notNull(),
    body: text("body", { mode: "json" }).$type<unknown>().notNull(),
    createdAt: integer("created_at").notNull(),
    attempts: integer("attempts").notNull().default(0),
  },
  (t) => [index("outbox_created_idx").on(t.createdAt)],
);
