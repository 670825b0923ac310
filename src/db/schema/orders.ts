import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ORDER_STATUSES } from "./constants";
import { events } from "./events";
import { users } from "./users";

/**
 * One order per inventory hold (unique `hold_id`), so two concurrent checkouts of one hold meet
 * at the database and end as one order. Amounts are minor units.
 */
export const orders = sqliteTable(
  "orders",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id),
    /** The EventInventory hold id (not the public `eventId~holdId` form). */
    holdId: text("hold_id").notNull(),
    status: text("status", { enum: ORDER_STATUSES }).notNull().default("pending_payment"),
    amount: integer("amount").notNull(),
    currency: text("currency").notNull(),
    refundedAmount: integer("refunded_amount").notNull().default(0),
    /** Bumped for every new PaymentIntent of this order; part of the provider idempotency key. */
    paymentAttempt: integer("payment_attempt").notNull().default(0),
    /** The hold's deadline once checkout began; the cron reconciles orders still unpaid past it. */
    holdExpiresAt: integer("hold_expires_at"),
    email: text("email").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    paidAt: integer("paid_at"),
    closedAt: integer("closed_at"),
    /** The EventInventory's row version; the ledger consumer only ever moves it forward. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("orders_hold_unique").on(t.holdId),
    index("orders_user_idx").on(t.userId, t.createdAt),
    index("orders_event_status_idx").on(t.eventId, t.status),
    // An event's orders newest first (the portal's list and its keyset pages) without sorting them all.
    index("orders_event_created_idx").on(t.eventId, t.createdAt, t.id),
  ],
);

/** What an order buys: one line per seat, or one line per GA area with a quantity. */
export const orderLines = sqliteTable(
  "order_lines",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    seatId: text("seat_id"),
    areaId: text("area_id"),
    tier: text("tier").notNull(),
    /** Unit price, minor units. */
    price: integer("price").notNull(),
    quantity: integer("quantity").notNull().default(1),
  },
  (t) => [index("order_lines_order_idx").on(t.orderId)],
);

export type OrderRow = typeof orders.$inferSelect;
export type OrderLineRow = typeof orderLines.$inferSelect;
