import { asc, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { outbox } from "../db/schema";
import type { OutboxQueue } from "../db/schema/constants";
import type { AuditMessage } from "./audit-messages";
import type { NotificationMessage } from "./notification-messages";
import type { PaymentMessage } from "./payment-messages";
import { log } from "../observability/log";

type Bindings = Pick<Env, "NOTIFICATIONS" | "AUDIT" | "PAYMENTS">;
type Bodies = { notifications: NotificationMessage; audit: AuditMessage; payments: PaymentMessage };

/** An outbox row, ready to go in the same D1 batch as the change it announces. */
export type OutboxItem<Q extends OutboxQueue = OutboxQueue> = { id: string; queue: Q; body: Bodies[Q] };

/**
 * Builds an outbox entry. `id` should be deterministic for the fact it announces (for example
 * `paid:<orderId>`), so a state change applied twice still announces once.
 */
export function outboxItem<Q extends OutboxQueue>(queue: Q, id: string, body: Bodies[Q]): OutboxItem<Q> {
  const rowId = `${queue}:${id}`;
  // Audit entries carry their id so the consumer appends a redelivered entry once.
  return { id: rowId, queue, body: queue === "audit" ? ({ ...(body as AuditMessage), id: rowId } as Bodies[Q]) : body };
}

/** The insert for a D1 batch; a row that exists already is left alone. */
export function outboxInsert(db: Db, items: OutboxItem[], now = Date.now()) {
  return db
    .insert(outbox)
    .values(items.map((i) => ({ id: i.id, queue: i.queue, body: i.body, createdAt: now })))
    .onConflictDoNothing();
}

function binding(env: Bindings, queue: OutboxQueue): Queue {
  return queue === "notifications" ? env.NOTIFICATIONS : queue === "audit" ? env.AUDIT : env.PAYMENTS;
}

/**
 * Sends outbox rows to their queues and deletes what was sent (the given ids, or the oldest 100).
 * At least once: a crash between send and delete sends again, so consumers are idempotent.
 * A failed send leaves its rows for the cron; returns how many rows were shipped.
 */
export async function shipOutbox(db: Db, env: Bindings, ids?: string[]): Promise<number> {
  const rows = ids?.length
    ? await db.select().from(outbox).where(inArray(outbox.id, ids)).all()
    : await db.select().from(outbox).orderBy(asc(outbox.createdAt)).limit(100).all();
  // Given ids go out in the order given (a batch's audit rows in message order), not the index's.
  if (ids?.length) {
    const at = new Map(ids.map((id, i) => [id, i]));
    rows.sort((a, b) => (at.get(a.id) ?? 0) - (at.get(b.id) ?? 0));
  }
  let shipped = 0;
  const byQueue = new Map<OutboxQueue, typeof rows>();
  for (const r of rows) byQueue.set(r.queue, [...(byQueue.get(r.queue) ?? []), r]);
  for (const [queue, list] of byQueue) {
    try {
      await binding(env, queue).sendBatch(list.map((r) => ({ body: r.body, contentType: "json" as const })));
      await db.delete(outbox).where(
        inArray(
          outbox.id,
          list.map((r) => r.id),
        ),
      );
      shipped += list.length;
    } catch (err) {
      log("error", "outbox send failed", { queue, rows: list.length, error: String(err) });
    }
  }
  return shipped;
}
