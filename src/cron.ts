import { createDb } from "./db/client";
import { reconcilePayments } from "./domain/reconcile";
import { purgeExpiredIdempotencyKeys } from "./middleware/idempotency";
import { queueEventReminders, retryStuckNotifications } from "./notifications/cron";
import { shipOutbox } from "./queues/outbox";
import { log } from "./observability/log";

/**
 * The every-minute safety nets. Each task runs on its own, so one failing never stops the
 * others; failures are logged with the task's name.
 */
export async function runScheduled(env: Env, now = Date.now()): Promise<Record<string, unknown>> {
  const db = createDb(env.DB);
  const tasks: Record<string, () => Promise<unknown>> = {
    outbox: () => shipOutbox(db, env),
    idempotencyKeys: () => purgeExpiredIdempotencyKeys(env.DB, now),
    payments: () => reconcilePayments(env, now),
    reminders: () => queueEventReminders(env, now),
    notifications: () => retryStuckNotifications(env, now),
  };
  const results: Record<string, unknown> = {};
  for (const [name, task] of Object.entries(tasks)) {
    try {
      results[name] = await task();
    } catch (err) {
      results[name] = { error: String(err) };
      log("error", "scheduled task failed", { task: name, error: String(err) });
    }
  }
  return results;
}
