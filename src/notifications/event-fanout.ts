import type { NotificationMessage } from "../queues/notification-messages";

type EventKind = "event_cancelled" | "event_rescheduled";

/**
 * Orders to tell about an event change: those with live tickets, plus, for a cancellation,
 * orders the cancellation itself refunded (their tickets are gone, the news is still theirs).
 */
function ordersSql(kind: EventKind): string {
  const refundedByCancel =
    kind === "event_cancelled"
      ? " OR (o.status = 'refunded' AND EXISTS (SELECT 1 FROM payments p " +
        "WHERE p.order_id = o.id AND p.kind = 'refund' AND p.reason = 'event_cancelled'))"
      : "";
  return `FROM orders o WHERE o.event_id = ?1 AND (o.status IN ('paid', 'partially_refunded')${refundedByCancel})`;
}

/**
 * Announces that an event was cancelled or rescheduled: queues one event-wide message, which the
 * notifications consumer fans out into one message per affected order. Call it after the change
 * is committed (the consumer reads the event's current date). Returns how many orders it covers.
 */
export async function queueEventNotifications(env: Env, eventId: string, kind: EventKind): Promise<number> {
  const row = await env.DB.prepare(`SELECT COUNT(*) AS n ${ordersSql(kind)}`)
    .bind(eventId)
    .first<{ n: number }>();
  await env.NOTIFICATIONS.send({ type: kind, eventId } satisfies NotificationMessage, { contentType: "json" });
  return row?.n ?? 0;
}

/**
 * Fans an event-wide message out into per-order messages, 100 per `sendBatch`. Re-running it
 * (a redelivery) is harmless: each order's notification key is deterministic.
 */
export async function fanOutEvent(env: Env, eventId: string, kind: EventKind): Promise<number> {
  let after = "";
  let queued = 0;
  for (;;) {
    const { results } = await env.DB.prepare(`SELECT o.id ${ordersSql(kind)} AND o.id > ?2 ORDER BY o.id LIMIT 500`)
      .bind(eventId, after)
      .all<{ id: string }>();
    for (let i = 0; i < results.length; i += 100) {
      const chunk = results.slice(i, i + 100);
      await env.NOTIFICATIONS.sendBatch(
        chunk.map((r) => ({
          body: { type: kind, eventId, orderId: r.id } satisfies NotificationMessage,
          contentType: "json" as const,
        })),
      );
      queued += chunk.length;
    }
    if (results.length < 500) return queued;
    after = results[results.length - 1]!.id;
  }
}
