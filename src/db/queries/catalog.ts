import { asc, eq } from "drizzle-orm";
import type { Db } from "../client";
import { events, organizers, priceTiers, seatLayouts, venues } from "../schema";

/** Single-row lookups by id; visibility is decided by the caller (domain/catalog-access). */
export const getOrganizer = async (db: Db, id: string) =>
  (await db.select().from(organizers).where(eq(organizers.id, id)).limit(1))[0];
export const getVenue = async (db: Db, id: string) =>
  (await db.select().from(venues).where(eq(venues.id, id)).limit(1))[0];
export const getLayout = async (db: Db, id: string) =>
  (await db.select().from(seatLayouts).where(eq(seatLayouts.id, id)).limit(1))[0];
export const getEvent = async (db: Db, id: string) =>
  (await db.select().from(events).where(eq(events.id, id)).limit(1))[0];

/** An event's tiers in the order the organizer gave them. */
export function listTiers(db: Db, eventId: string) {
  return db.select().from(priceTiers).where(eq(priceTiers.eventId, eventId)).orderBy(asc(priceTiers.sort));
}
