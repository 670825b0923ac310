import { and, eq, inArray, like } from "drizzle-orm";
import { createDb, type Db } from "../db/client";
import { notifications } from "../db/schema";
import { composeForOrder } from "../notifications/compose";
import { fanOutEvent } from "../notifications/event-fanout";
import { outboxInProduction, type NotifyEnv } from "../notifications/providers";
import { deliver, recordAndDeliver, type Outcome, type SendDeps } from "../notifications/send";
import { NotificationMessageSchema, type NotificationMessage } from "./notification-messages";
import { outboxInsert, outboxItem, shipOutbox } from "./outbox";
import { log } from "../observability/log";
import { METRIC, count } from "../observability/metrics";

/** Backoff before a notification message is delivered again: 2, 4, 8 … seconds, at most 10 minutes. */
export function notificationBackoffSeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, attempts));
}

/** Handles one message; `retry` when any of its notifications hit a failure that may pass. */
async function handle(deps: SendDeps, msg: NotificationMessage): Promise<Outcome[]> {
  if (msg.type === "resend") return [await deliver(deps, msg.notificationId)];
  if ((msg.type === "event_cancelled" || msg.type === "event_rescheduled") && !msg.orderId) {
    await fanOutEvent(deps.env, msg.eventId, msg.type);
    return [];
  }
  const drafts = await composeForOrder(
    deps.db,
    deps.env.PUBLIC_BASE_URL,
    msg as Parameters<typeof composeForOrder>[2],
    deps.now(),
  );
  // Channels are independent: one failing must not stop the other, and a redelivery skips what was sent.
  return Promise.all(drafts.map((d) => recordAndDeliver(deps, d)));
}

/**
 * A malformed message cannot get better by retrying. Cloudflare Queues has no explicit
 * "dead-letter this now", so it is logged at error level, recorded in the audit log with its body
 * (`queue.malformed`), and acked: dead-lettered in effect, never retried forever.
 */
async function recordMalformed(
  db: Db,
  env: Env,
  queue: string,
  message: Message<unknown>,
  issues: unknown,
): Promise<void> {
  log("error", "malformed notifications message", { queue, id: message.id, body: message.body, issues });
  const now = Date.now();
  const item = outboxItem("audit", `queue.malformed:${queue}:${message.id}`, {
    action: "queue.malformed",
    actorId: null,
    data: { queue, messageId: message.id, body: message.body as never },
    at: now,
  });
  await outboxInsert(db, [item], now);
  await shipOutbox(db, env, [item.id]);
}

/**
 * The `notifications` queue. Every notification has a deterministic key; it is recorded before
 * sending and claimed with a conditional update, so at-least-once delivery has an exactly-once
 * effect. Per message: ack when done (sent, skipped, or permanently failed and audited); retry
 * with exponential backoff from `message.attempts` on 5xx, 429, timeouts and storage errors;
 * after `max_retries` the message goes to `notifications-dlq`.
 */
export async function consumeNotifications(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const nenv = env as NotifyEnv;
  const db = createDb(env.DB);
  const deps: SendDeps = { db, env: nenv, now: Date.now };
  if (outboxInProduction(nenv)) {
    log("warn", "notifications use the outbox provider in production: messages are stored, not delivered", {
      email: nenv.EMAIL_PROVIDER,
      sms: nenv.SMS_PROVIDER,
    });
  }
  await Promise.all(
    batch.messages.map(async (message) => {
      const parsed = NotificationMessageSchema.safeParse(message.body);
      if (!parsed.success) {
        try {
          await recordMalformed(db, env, batch.queue, message, parsed.error.issues);
          message.ack();
        } catch (err) {
          log("error", "could not record malformed message", { id: message.id, error: String(err) });
          message.retry({ delaySeconds: notificationBackoffSeconds(message.attempts) });
        }
        return;
      }
      try {
        const outcomes = await handle(deps, parsed.data);
        if (outcomes.includes("retry")) message.retry({ delaySeconds: notificationBackoffSeconds(message.attempts) });
        else message.ack();
        if (outcomes.includes("retry")) count(env, METRIC.queueRetry, ["notifications", parsed.data.type]);
      } catch (err) {
        count(env, METRIC.queueRetry, ["notifications", parsed.data.type]);
        const delaySeconds = notificationBackoffSeconds(message.attempts);
        log("error", "notifications message retried", {
          type: parsed.data.type,
          attempts: message.attempts,
          delaySeconds,
          error: String(err),
        });
        message.retry({ delaySeconds });
      }
    }),
  );
}

/** Rows a message would have produced and that are not finished yet. */
function unfinishedRowsOf(msg: NotificationMessage) {
  const open = inArray(notifications.status, ["pending", "sending"]);
  switch (msg.type) {
    case "resend":
      return and(open, eq(notifications.id, msg.notificationId));
    case "order_paid":
      return and(open, eq(notifications.kind, "booking_confirmed"), eq(notifications.orderId, msg.orderId));
    case "payment_failed":
      return and(open, eq(notifications.kind, "payment_failed"), eq(notifications.orderId, msg.orderId));
    case "order_refunded":
      return and(open, like(notifications.id, `refund_issued:refund:${msg.refundId.replace(/[%_]/g, "")}:%`));
    case "event_reminder":
      return and(open, eq(notifications.kind, "event_reminder"), eq(notifications.orderId, msg.orderId));
    case "event_cancelled":
    case "event_rescheduled":
      return and(
        open,
        eq(notifications.kind, msg.type),
        eq(notifications.eventId, msg.eventId),
        msg.orderId ? eq(notifications.orderId, msg.orderId) : undefined,
      );
  }
}

/**
 * `notifications-dlq`: a message that exhausted its retries. The notifications it was sending
 * are marked failed with the reason (an admin can re-send them), and the dead letter is audited.
 */
export async function consumeNotificationDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const now = Date.now();
    const parsed = NotificationMessageSchema.safeParse(message.body);
    const reason = `dead-lettered after ${message.attempts} deliveries`;
    let ids: string[] = [];
    if (parsed.success) {
      const rows = await db
        .update(notifications)
        .set({ status: "failed", lastError: reason, updatedAt: now })
        .where(unfinishedRowsOf(parsed.data))
        .returning({ id: notifications.id });
      ids = rows.map((r) => r.id);
    }
    const body = parsed.success ? parsed.data : null;
    const item = outboxItem("audit", `notification.dead_letter:${message.id}`, {
      action: "notification.dead_letter",
      actorId: null,
      orderId: body && "orderId" in body ? (body.orderId ?? null) : null,
      eventId: body && "eventId" in body ? body.eventId : null,
      data: { body: message.body as never, reason, notificationIds: ids },
      at: now,
    });
    await outboxInsert(db, [item], now);
    await shipOutbox(db, env, [item.id]);
    log("error", "notifications message dead-lettered", { id: message.id, body: message.body, failed: ids });
    message.ack();
  }
}
