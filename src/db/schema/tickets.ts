import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, uniqueIndex, primaryKey } from "drizzle-orm/sqlite-core";
import { TICKET_STATUSES } from "./constants";
import { events } from "./events";
import { orders } from "./orders";
import { users } from "./users";

/**
 * One ticket per seat or GA place. `place` is the seat id, or `<area>#<order>#<n>` for GA.
 * The partial unique index is the second line of defence against a double sale: the
 * EventInventory object is the first.
 */
export const tickets = sqliteTable(
  "tickets",
  {
    id: text("id").primaryKey(),
    orderId: text("order_id")
      .notNull()
      .references(() => orders.id),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    place: text("place").notNull(),
    seatId: text("seat_id"),
    areaId: text("area_id"),
    tier: text("tier").notNull(),
    price: integer("price").notNull(),
    status: text("status", { enum: TICKET_STATUSES }).notNull().default("valid"),
    /** Ed25519-signed code (see domain/ticket-codes.ts), shown as a QR code. */
    code: text("code").notNull(),
    usedAt: integer("used_at"),
    usedBy: text("used_by"),
    refundId: text("refund_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    /** The EventInventory's row version; the ledger consumer only ever moves it forward. */
    version: integer("version").notNull().default(0),
  },
  (t) => [
    uniqueIndex("tickets_live_place_unique").on(t.eventId, t.place).where(sql`status IN ('valid','used')`),
    index("tickets_order_idx").on(t.orderId),
    index("tickets_user_idx").on(t.userId, t.createdAt),
    index("tickets_event_status_idx").on(t.eventId, t.status),
  ],
);

/** Each event's current Ed25519 key pair for ticket codes; gates get only the public key. */
export const eventTicketKeys = sqliteTable("event_ticket_keys", {
  eventId: text("event_id")
    .primaryKey()
    .references(() => events.id),
  /** Carried in every code it signs (`kid`), so a rotated key's codes still find their key. */
  kid: text("kid").notNull().default("k1"),
  publicKey: text("public_key").notNull(),
  privateKey: text("private_key").notNull(),
  createdAt: integer("created_at").notNull(),
});

/**
 * Public halves of rotated-out keys: tickets they signed stay valid and verifiable, nothing new
 * can be signed with them (the private half is gone).
 */
export const retiredTicketKeys = sqliteTable(
  "retired_ticket_keys",
  {
    eventId: text("event_id")
      .notNull()
      .references(() => events.id),
    kid: text("kid").notNull(),
    publicKey: text("public_key").notNull(),
    createdAt: integer("created_at").notNull(),
    retiredAt: integer("retired_at").notNull(),
  },
  (t) => [primaryKey({ columns: [t.eventId, t.kid] })],
);

export type TicketRow = typeof tickets.$inferSelect;
