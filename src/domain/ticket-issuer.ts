import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { eventTicketKeys, type OrderLineRow, type OrderRow } from "../db/schema";
import type { tickets } from "../db/schema";
import { generateEventKeyPair, signTicketCode, type EventKeyPair } from "./ticket-codes";

type NewTicket = typeof tickets.$inferInsert;

/** The event's ticket-signing key pair, created on first use (racing creators agree on one). */
export async function eventKeys(db: Db, eventId: string): Promise<EventKeyPair> {
  const found = await db.select().from(eventTicketKeys).where(eq(eventTicketKeys.eventId, eventId)).get();
  if (found) return found;
  const fresh = await generateEventKeyPair();
  await db.insert(eventTicketKeys).values({ eventId, ...fresh, createdAt: Date.now() }).onConflictDoNothing();
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
      : Array.from({ length: l.quantity }, (_, i) => ({ place: `${l.areaId}#${order.id}#${i + 1}`, seatId: null, areaId: l.areaId, tier: l.tier, price: l.price })),
  );
}

/**
 * One signed ticket per seat or GA place. Ids are derived from order and place, so issuing the
 * same order twice (a replayed webhook racing the first) produces the same ids, and the insert
 * ignores the second copy instead of creating duplicates.
 */
export async function buildTickets(order: OrderRow, lines: OrderLineRow[], keys: EventKeyPair, now = Date.now()): Promise<NewTicket[]> {
  return Promise.all(
    places(order, lines).map(async (p) => {
      const id = `tkt_${(await hex(`${order.id}|${p.place}`)).slice(0, 24)}`;
      const code = await signTicketCode(keys.privateKey, { tid: id, eid: order.eventId, seat: p.place, iat: Math.floor(now / 1000) });
      return { id, orderId: order.id, eventId: order.eventId, userId: order.userId, ...p, status: "valid" as const, code, createdAt: now, updatedAt: now };
    }),
  );
}
