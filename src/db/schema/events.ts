import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { EVENT_CATEGORIES, EVENT_STATUSES } from "./constants";
import { organizers } from "./organizers";
import { seatLayouts, venues } from "./venues";

export const events = sqliteTable(
  "events",
  {
    id: text("id").primaryKey(),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    venueId: text("venue_id")
      .notNull()
      .references(() => venues.id),
    layoutId: text("layout_id").references(() => seatLayouts.id),
    name: text("name").notNull(),
    description: text("description").notNull().default(""),
    category: text("category", { enum: EVENT_CATEGORIES }).notNull(),
    /** JSON array of performer names. */
    performers: text("performers", { mode: "json" }).$type<string[]>().notNull(),
    startsAt: integer("starts_at").notNull(),
    endsAt: integer("ends_at").notNull(),
    status: text("status", { enum: EVENT_STATUSES }).notNull().default("draft"),
    /** The layout frozen onto the event: later edits to the venue's layout never move sold seats. */
    layoutSnapshot: text("layout_snapshot", { mode: "json" }).notNull(),
    salesStartAt: integer("sales_start_at"),
    salesEndAt: integer("sales_end_at"),
    holdSeconds: integer("hold_seconds").notNull().default(300),
    maxSeatsPerOrder: integer("max_seats_per_order").notNull().default(10),
    maxSeatsPerUser: integer("max_seats_per_user"),
    currency: text("currency").notNull(),
    /** Fans may cancel for a refund until this many hours before the start; null: no fan refunds. */
    refundDeadlineHours: integer("refund_deadline_hours"),
    /** Flash-sale waiting room (src/objects/waiting-room.ts): while on, holds need an admission token. */
    queueEnabled: integer("queue_enabled", { mode: "boolean" }).notNull().default(false),
    /** Fans admitted from the waiting room per minute. */
    queueRatePerMinute: integer("queue_rate_per_minute").notNull().default(600),
    /** Most admitted fans shopping at once. */
    queueMaxShopping: integer("queue_max_shopping").notNull().default(500),
    /** Set when the first ticket is sold; from then on layout and prices are locked. */
    firstSaleAt: integer("first_sale_at"),
    publishedAt: integer("published_at"),
    cancelledAt: integer("cancelled_at"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    index("events_status_start_idx").on(t.status, t.startsAt, t.id),
    index("events_organizer_idx").on(t.organizerId),
    index("events_venue_idx").on(t.venueId),
  ],
);

/**
 * A price tier and what it applies to. `appliesTo` maps it to whole sections, rows, single seats
 * or GA areas; a seat takes the most specific tier that names it (seat > row > section).
 */
export const priceTiers = sqliteTable(
  "price_tiers",
  {
    id: text("id").primaryKey(),
    eventId: text("event_id")
      .notNull()
      .references(() => events.id),
    key: text("key").notNull(),
    name: text("name").notNull(),
    /** Minor units (cents). */
    amount: integer("amount").notNull(),
    /** ISO 4217, upper case. */
    currency: text("currency").notNull(),
    appliesTo: text("applies_to", { mode: "json" })
      .$type<{ sections?: string[]; rows?: { section: string; row: string }[]; seats?: string[]; areas?: string[] }>()
      .notNull(),
    sort: integer("sort").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("price_tiers_event_key_unique").on(t.eventId, t.key)],
);

export type EventRow = typeof events.$inferSelect;
export type PriceTierRow = typeof priceTiers.$inferSelect;
