import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../../src/db/client";
import { orderLines, orders, tickets, type OrderLineRow, type OrderRow } from "../../src/db/schema";
import { buildTickets, eventKeys } from "../../src/domain/ticket-issuer";
import { seedEvent } from "../helpers/catalog";
import { createUser, uniq } from "../helpers/fixtures";
import type { Json } from "../helpers/http";

export type { Json };

/** An organizer and one on-sale event of theirs (inserted directly, no layout needed). */
export async function organizerEvent() {
  const org = await createUser({ role: "organizer" });
  const event = await seedEvent({ venue: { organizerId: org.organizerId! } });
  return { org, event };
}

/**
 * A paid order of `userId` for `seats` (and `ga` places of the "pit" area), with the signed
 * tickets the issuer would build, inserted straight into D1. `now` sets createdAt for ordering.
 */
export async function seedTickets(opts: {
  eventId: string;
  userId: string;
  seats?: string[];
  ga?: number;
  now?: number;
}) {
  const db = createDb(env.DB);
  const now = opts.now ?? Date.now();
  const order: OrderRow = {
    id: `ord_${uniq()}${uniq()}`,
    userId: opts.userId,
    eventId: opts.eventId,
    holdId: `hold_${uniq()}${uniq()}`,
    status: "paid",
    amount: 0,
    currency: "EUR",
    refundedAmount: 0,
    paymentAttempt: 1,
    email: `buyer-${uniq()}@example.test`,
    createdAt: now,
    updatedAt: now,
    paidAt: now,
    closedAt: null,
    holdExpiresAt: null,
  };
  const lines: OrderLineRow[] = (opts.seats ?? [`A-1-${uniq()}`]).map((seat) => ({
    id: `ol_${uniq()}${uniq()}`,
    orderId: order.id,
    seatId: seat,
    areaId: null,
    tier: "t0",
    price: 5000,
    quantity: 1,
  }));
  if (opts.ga)
    lines.push({
      id: `ol_${uniq()}${uniq()}`,
      orderId: order.id,
      seatId: null,
      areaId: "pit",
      tier: "ga",
      price: 3000,
      quantity: opts.ga,
    });
  order.amount = lines.reduce((n, l) => n + l.price * l.quantity, 0);
  const built = await buildTickets(order, lines, await eventKeys(db, opts.eventId), now);
  await db.insert(orders).values(order);
  await db.insert(orderLines).values(lines);
  await db.insert(tickets).values(built);
  return { order, tickets: built };
}

/** Sets a ticket's status directly, as a refund or a void would. */
export async function setTicketStatus(id: string, status: "refunded" | "void") {
  await createDb(env.DB).update(tickets).set({ status, updatedAt: Date.now() }).where(eq(tickets.id, id));
}

/** The stored ticket row. */
export async function ticketRow(id: string) {
  return createDb(env.DB).select().from(tickets).where(eq(tickets.id, id)).get();
}
