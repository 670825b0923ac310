import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../client";
import { orderLines, orders, payments, tickets, type OrderRow } from "../schema";

/** One order by id. */
export async function getOrder(db: Db, id: string): Promise<OrderRow | undefined> {
  return db.select().from(orders).where(eq(orders.id, id)).get();
}

/** The order of an inventory hold (at most one: `hold_id` is unique). */
export async function orderForHold(db: Db, holdId: string): Promise<OrderRow | undefined> {
  return db.select().from(orders).where(eq(orders.holdId, holdId)).get();
}

/** A fan's orders, newest first, keyset-paged by creation time. */
export async function listOrders(db: Db, userId: string, limit: number, before?: number) {
  const where = before ? and(eq(orders.userId, userId), lt(orders.createdAt, before)) : eq(orders.userId, userId);
  return db.select().from(orders).where(where).orderBy(desc(orders.createdAt), desc(orders.id)).limit(limit).all();
}

/** An order with its lines, tickets and payments, for the order page. */
export async function orderDetail(db: Db, id: string) {
  const order = await getOrder(db, id);
  if (!order) return undefined;
  const [lines, ticketRows, paymentRows] = await db.batch([
    db.select().from(orderLines).where(eq(orderLines.orderId, id)),
    db.select().from(tickets).where(eq(tickets.orderId, id)).orderBy(tickets.place),
    db.select().from(payments).where(eq(payments.orderId, id)).orderBy(payments.createdAt),
  ]);
  return { order, lines, tickets: ticketRows, payments: paymentRows };
}

/** The current charge row of an order (the latest attempt). */
export async function currentCharge(db: Db, orderId: string) {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.kind, "charge")))
    .orderBy(desc(payments.createdAt))
    .get();
}

/** The charge row of the attempt that paid for `holdId` (each attempt has a hold of its own). */
export async function chargeForHold(db: Db, orderId: string, holdId: string) {
  return db
    .select()
    .from(payments)
    .where(and(eq(payments.orderId, orderId), eq(payments.kind, "charge"), eq(payments.holdId, holdId)))
    .get();
}
