import type { NotificationMessage } from "../queues/notification-messages";

const HOUR = 3_600_000;
const MINUTE = 60_000;
/** Rows handled per cron run, so one bad minute never turns into an unbounded burst. */
const RETRY_LIMIT = 100;

async function sendInChunks(queue: Queue, bodies: NotificationMessage[]): Promise<void> {
  for (let i = 0; i < bodies.length; i += 100) {
    await queue.sendBatch(bodies.slice(i, i + 100).map((body) => ({ body, contentType: "json" as const })));
  }
}

/**
 * Queues the 24-hour reminder of every event starting between 23 and 25 hours from `now`:
 * one `event_reminder` per paid order. The `event_reminders` insert is the claim (only the
 * inserter proceeds), so overlapping cron runs queue each event once; if queueing fails the
 * claim is released for the next minute (re-queued orders are harmless: keys are deterministic).
 */
export async function queueEventReminders(env: Env, now: number): Promise<{ events: number; messages: number }> {
  const { results: due } = await env.DB.prepare(
    `SELECT e.id FROM events e
      WHERE e.starts_at BETWEEN ?1 AND ?2 AND e.status IN ('on_sale', 'closed')
        AND NOT EXISTS (SELECT 1 FROM event_reminders r WHERE r.event_id = e.id)
      LIMIT 50`,
  )
    .bind(now + 23 * HOUR, now + 25 * HOUR)
    .all<{ id: string }>();
  let events = 0;
  let messages = 0;
  for (const { id } of due) {
    const claimed = await env.DB.prepare(
      "INSERT INTO event_reminders (event_id, queued_at) VALUES (?, ?) " +
        "ON CONFLICT(event_id) DO NOTHING RETURNING event_id",
    )
      .bind(id, now)
      .first();
    if (!claimed) continue;
    const { results: paid } = await env.DB.prepare(
      "SELECT id FROM orders WHERE event_id = ? AND status IN ('paid', 'partially_refunded')",
    )
      .bind(id)
      .all<{ id: string }>();
    try {
      await sendInChunks(
        env.NOTIFICATIONS,
        paid.map((o) => ({ type: "event_reminder", orderId: o.id })),
      );
    } catch (err) {
      await env.DB.prepare("DELETE FROM event_reminders WHERE event_id = ?").bind(id).run();
      throw err;
    }
    events += 1;
    messages += paid.length;
  }
  return { events, messages };
}

/**
 * Safety net for notifications whose queue message was lost: rows `sending` for over 5 minutes
 * (the consumer died mid-send; provider calls time out long before that) go back to `pending`,
 * and those plus rows `pending` for over 10 minutes are re-queued as `resend`. `updated_at` is
 * touched, so a row is re-queued at most once per 10 minutes.
 */
export async function retryStuckNotifications(env: Env, now: number): Promise<{ stuck: number; pending: number }> {
  const stuck = await env.DB.prepare(
    `UPDATE notifications SET status = 'pending', last_error = COALESCE(last_error, 'stuck in sending'), updated_at = ?1
      WHERE id IN (SELECT id FROM notifications WHERE status = 'sending' AND updated_at < ?2
        ORDER BY updated_at LIMIT ?3)
      RETURNING id`,
  )
    .bind(now, now - 5 * MINUTE, RETRY_LIMIT)
    .all<{ id: string }>();
  const pending = await env.DB.prepare(
    `UPDATE notifications SET updated_at = ?1
      WHERE id IN (SELECT id FROM notifications WHERE status = 'pending' AND updated_at < ?2
        ORDER BY updated_at LIMIT ?3)
      RETURNING id`,
  )
    .bind(now, now - 10 * MINUTE, RETRY_LIMIT)
    .all<{ id: string }>();
  const ids = [...stuck.results, ...pending.results].map((r) => r.id);
  await sendInChunks(
    env.NOTIFICATIONS,
    ids.map((notificationId) => ({ type: "resend", notificationId })),
  );
  return { stuck: stuck.results.length, pending: pending.results.length };
}
