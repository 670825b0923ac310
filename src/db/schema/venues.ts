import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { REGIONS } from "./constants";
import { organizers } from "./organizers";

export const venues = sqliteTable(
  "venues",
  {
    id: text("id").primaryKey(),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    name: text("name").notNull(),
    address: text("address").notNull(),
    city: text("city").notNull(),
    /** ISO 3166-1 alpha-2. */
    country: text("country").notNull(),
    /** IANA time zone, e.g. Europe/Paris. */
    timezone: text("timezone").notNull(),
    region: text("region", { enum: REGIONS }).notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("venues_organizer_idx").on(t.organizerId)],
);

/** Seat layouts are JSON documents (see domain/layout.ts), validated before they are stored. */
export const seatLayouts = sqliteTable(
  "seat_layouts",
  {
    id: text("id").primaryKey(),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    venueId: text("venue_id")
      .notNull()
      .references(() => venues.id),
    name: text("name").notNull(),
    document: text("document", { mode: "json" }).notNull(),
    seatCount: integer("seat_count").notNull(),
    gaCapacity: integer("ga_capacity").notNull(),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [index("seat_layouts_venue_idx").on(t.venueId), index("seat_layouts_organizer_idx").on(t.organizerId)],
);

export type VenueRow = typeof venues.$inferSelect;
export type SeatLayoutRow = typeof seatLayouts.$inferSelect;
