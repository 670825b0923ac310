import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../../src/db/client";
import { orderLines, orders, tickets, type OrderLineRow, type OrderRow } from "../../src/db/schema";
import { buildTickets, eventKeys } from "../../src/domain/ticket-issuer";
import { seedEvent } from "../helpers/catalog";
import { ledgerCaughtUp } from "../helpers/ledger";
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
  /** The order's id (default: an old-style `ord_…` id that does not name its event). */
  orderId?: string;
}) {
  const db = createDb(env.DB);
  const now = opts.now ?? Date.now();
  const order: OrderRow = {
    id: opts.orderId ?? `ord_${uniq()}${uniq()}`,
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
    version: 1,
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
  // The event's object owns tickets (check-in reads it); D1 gets the same rows, as the ledger would.
  await runInDurableObject(env.EVENT_INVENTORY.getByName(opts.eventId), (_i, state) => {
    const sql = state.storage.sql;
    sql.exec(
      `INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT(id) DO NOTHING`,
      JSON.stringify({
        eventId: opts.eventId,
        holdSeconds: 300,
        paymentWindowSeconds: 600,
        maxSeatsPerOrder: 10,
        maxSeatsPerUser: null,
        currency: "EUR",
      }),
    );
    for (const t of built)
      sql.exec(
        `INSERT INTO tickets (id, order_id, user_id, place, seat_id, area_id, tier, price, status, code, created_at,
           updated_at, version) VALUES (?, ?, ?, ?, ?, ?, ?, ?, 'valid', ?, ?, ?, 1)`,
        t.id,
        order.id,
        order.userId,
        t.place,
        t.seatId ?? null,
        t.areaId ?? null,
        t.tier,
        t.price,
        t.code,
        now,
        now,
      );
  });
  await db.insert(orders).values(order);
  await db.insert(orderLines).values(lines);
  await db.insert(tickets).values(built.map((t) => ({ ...t, version: 1 })));
  return { order, tickets: built };
}

/** Sets a ticket's status directly in its event's object (and D1), as a refund or a void would. */
export async function setTicketStatus(id: string, status: "refunded" | "void") {
  const row = await createDb(env.DB).select().from(tickets).where(eq(tickets.id, id)).get();
  await runInDurableObject(env.EVENT_INVENTORY.getByName(row!.eventId), (_i, state) => {
    state.storage.sql.exec(`UPDATE tickets SET status = ? WHERE id = ?`, status, id);
  });
  await createDb(env.DB).update(tickets).set({ status, updatedAt: Date.now() }).where(eq(tickets.id, id));
}

/** The stored ticket row. */
export async function ticketRow(id: string) {
  const db = createDb(env.DB);
  const seeded = await db.select({ eventId: tickets.eventId }).from(tickets).where(eq(tickets.id, id)).get();
  // The ledger trails the event's object: read D1 once it has caught up.
  if (seeded) await ledgerCaughtUp(seeded.eventId);
  return db.select().from(tickets).where(eq(tickets.id, id)).get();
}
