import { and, eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { eventTicketKeys, retiredTicketKeys, type OrderLineRow, type OrderRow } from "../db/schema";
import type { tickets } from "../db/schema";
import { generateEventKeyPair, signTicketCode, type EventKeyPair } from "./ticket-codes";

export type NewTicket = typeof tickets.$inferInsert;

export type SigningKey = EventKeyPair & { kid: string };

/** The event's current ticket-signing key pair, created on first use (racing creators agree on one). */
export async function eventKeys(db: Db, eventId: string): Promise<SigningKey> {
  const found = await db.select().from(eventTicketKeys).where(eq(eventTicketKeys.eventId, eventId)).get();
  if (found) return found;
  const fresh = await generateEventKeyPair();
  await db
    .insert(eventTicketKeys)
    .values({ eventId, ...fresh, createdAt: Date.now() })
    .onConflictDoNothing();
  const row = await db.select().from(eventTicketKeys).where(eq(eventTicketKeys.eventId, eventId)).get();
  return row!;
}

async function hex(text: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(text));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where a ticket sits: the seat id, or `<area>#<order>#<n>` for the n-th GA place of an order. */
type Place = { place: string; seatId: string | null; areaId: string | null; tier: string; price: number };

export function places(order: Pick<OrderRow, "id">, lines: OrderLineRow[]): Place[] {
  return lines.flatMap((l): Place[] =>
    l.seatId
      ? [{ place: l.seatId, seatId: l.seatId, areaId: null, tier: l.tier, price: l.price }]
      : Array.from({ length: l.quantity }, (_, i) => ({
          place: `${l.areaId}#${order.id}#${i + 1}`,
          seatId: null,
          areaId: l.areaId,
          tier: l.tier,
          price: l.price,
        })),
  );
}

/**
 * One signed ticket per seat or GA place. Ids are derived from order and place, so issuing the
 * same order twice (a replayed webhook racing the first) produces the same ids, and the insert
 * ignores the second copy instead of creating duplicates.
 */
export async function buildTickets(
  order: OrderRow,
  lines: OrderLineRow[],
  keys: SigningKey,
  now = Date.now(),
): Promise<NewTicket[]> {
  return Promise.all(
    places(order, lines).map(async (p) => {
      const id = `tkt_${(await hex(`${order.id}|${p.place}`)).slice(0, 24)}`;
      const code = await signTicketCode(keys.privateKey, {
        tid: id,
        eid: order.eventId,
        seat: p.place,
        iat: Math.floor(now / 1000),
        kid: keys.kid,
      });
      return {
        id,
        orderId: order.id,
        eventId: order.eventId,
        userId: order.userId,
        ...p,
        status: "valid" as const,
        code,
        createdAt: now,
        updatedAt: now,
      };
    }),
  );
}

/**
 * Rotates the event's signing key: the current public key is kept as retired (its tickets still
 * verify, online and at offline gates), and a new pair with the next key id signs from now on.
 * Conditional on the key id, so two rotations racing produce one new key.
 */
export async function rotateEventKey(db: Db, eventId: string, now = Date.now()): Promise<SigningKey> {
  const current = await eventKeys(db, eventId);
  const next = await generateEventKeyPair();
  const kid = `k${Number(current.kid.slice(1)) + 1}`;
  await db.batch([
    db
      .insert(retiredTicketKeys)
      .values({ eventId, kid: current.kid, publicKey: current.publicKey, createdAt: now, retiredAt: now })
      .onConflictDoNothing(),
    db
      .update(eventTicketKeys)
      .set({ kid, ...next, createdAt: now })
      .where(and(eq(eventTicketKeys.eventId, eventId), eq(eventTicketKeys.kid, current.kid))),
  ]);
  return eventKeys(db, eventId);
}

/** Every public key that may have signed a valid ticket of the event: the current one first. */
export async function verificationKeys(
  db: Db,
  eventId: string,
): Promise<{ kid: string; publicKey: string; status: "active" | "retired" }[]> {
  const current = await db.select().from(eventTicketKeys).where(eq(eventTicketKeys.eventId, eventId)).get();
  const retired = await db.select().from(retiredTicketKeys).where(eq(retiredTicketKeys.eventId, eventId)).all();
  return [
    ...(current ? [{ kid: current.kid, publicKey: current.publicKey, status: "active" as const }] : []),
    ...retired.map((r) => ({ kid: r.kid, publicKey: r.publicKey, status: "retired" as const })),
  ];
}
