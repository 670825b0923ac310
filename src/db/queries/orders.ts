import { and, desc, eq, lt } from "drizzle-orm";
import type { Db } from "../client";
import { orders } from "../schema";

/**
 * The ledger's order reads. D1 holds what the event objects shipped through the `ledger` queue,
 * a moment behind them: lists and reports read here; one order, right after paying, is read
 * from its object.
 */

/** A fan's orders, newest first, keyset-paged by creation time. */
export async function listOrders(db: Db, userId: string, limit: number, before?: number) {
  const where = before ? and(eq(orders.userId, userId), lt(orders.createdAt, before)) : eq(orders.userId, userId);
  return db.select().from(orders).where(where).orderBy(desc(orders.createdAt), desc(orders.id)).limit(limit).all();
}
