import { env } from "cloudflare:workers";
import type { EventCategory, EventStatus } from "../../src/db/schema/constants";
import { reindexEvent } from "../../src/db/queries/event-search";
import { newId } from "../../src/lib/ids";
import { createOrganizer, uniq } from "./fixtures";

const HOUR = 3_600_000;
const DAY = 24 * HOUR;

export type SeedVenue = {
  organizerId?: string;
  name?: string;
  city?: string;
  country?: string;
  address?: string;
  timezone?: string;
};

/** Inserts a venue (and an organizer unless given) straight into D1. */
export async function seedVenue(opts: SeedVenue = {}) {
  const organizerId = opts.organizerId ?? (await createOrganizer()).id;
  const id = newId("ven");
  const now = Date.now();
  const v = {
    id,
    organizerId,
    name: opts.name ?? `Hall ${uniq()}`,
    city: opts.city ?? `City${uniq()}`,
    country: opts.country ?? "FR",
    address: opts.address ?? "1 Main Street",
    timezone: opts.timezone ?? "Europe/Paris",
  };
  await env.DB.prepare(
    "INSERT INTO venues (id, organizer_id, name, address, city, country, timezone, region, created_at, updated_at) " +
      "VALUES (?, ?, ?, ?, ?, ?, ?, 'weur', ?, ?)",
  )
    .bind(v.id, v.organizerId, v.name, v.address, v.city, v.country, v.timezone, now, now)
    .run();
  return v;
}

export type SeedEvent = {
  venueId?: string;
  venue?: SeedVenue;
  name?: string;
  description?: string;
  category?: EventCategory;
  performers?: string[];
  status?: EventStatus;
  startsAt?: number;
  endsAt?: number;
  salesStartAt?: number | null;
  salesEndAt?: number | null;
  currency?: string;
  /** Tier amounts in minor units; one tier per entry. */
  tiers?: number[];
};

/**
 * Inserts an event with price tiers and indexes it for search, like the organizer flow would.
 * Defaults: on sale now, starting in ten days, one 5000-cent tier.
 */
export async function seedEvent(opts: SeedEvent = {}) {
  const venue = opts.venueId ? { id: opts.venueId } : await seedVenue(opts.venue);
  const org = await env.DB.prepare("SELECT organizer_id FROM venues WHERE id = ?")
    .bind(venue.id)
    .first<{ organizer_id: string }>();
  const now = Date.now();
  const startsAt = opts.startsAt ?? now + 10 * DAY;
  const e = {
    id: newId("evt"),
    venueId: venue.id,
    name: opts.name ?? `Show ${uniq()}`,
    description: opts.description ?? "",
    category: opts.category ?? "concert",
    performers: opts.performers ?? [],
    status: opts.status ?? "on_sale",
    startsAt,
    endsAt: opts.endsAt ?? startsAt + 3 * HOUR,
    salesStartAt: opts.salesStartAt === undefined ? now - DAY : opts.salesStartAt,
    salesEndAt: opts.salesEndAt === undefined ? startsAt : opts.salesEndAt,
    currency: opts.currency ?? "EUR",
  };
  const stmts = [
    env.DB.prepare(
      `INSERT INTO events (id, organizer_id, venue_id, name, description, category, performers, starts_at, ends_at,
         status, layout_snapshot, sales_start_at, sales_end_at, currency, created_at, updated_at)
       VALUES (?, ?, ?, ?, ?, ?, ?, ?, ?, ?, '{}', ?, ?, ?, ?, ?)`,
    ).bind(
      e.id,
      org!.organizer_id,
      e.venueId,
      e.name,
      e.description,
      e.category,
      JSON.stringify(e.performers),
      e.startsAt,
      e.endsAt,
      e.status,
      e.salesStartAt,
      e.salesEndAt,
      e.currency,
      now,
      now,
    ),
    ...(opts.tiers ?? [5000]).map((amount, i) =>
      env.DB.prepare(
        "INSERT INTO price_tiers (id, event_id, key, name, amount, currency, applies_to, sort, " +
          "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, '{}', ?, ?, ?)",
      ).bind(newId("tier"), e.id, `t${i}`, `Tier ${i}`, amount, e.currency, i, now, now),
    ),
  ];
  await env.DB.batch(stmts);
  await reindexEvent(env.DB, e.id);
  return e;
}

export { DAY, HOUR };
