import { createDb } from "../db/client";
import { deliverBatch, type Deliverable } from "../notifications/batch";
import { fanOutEvent } from "../notifications/event-fanout";
import { outboxInProduction, type NotifyEnv } from "../notifications/providers";
import type { SendDeps } from "../notifications/send";
import { NotificationMessageSchema, type NotificationMessage } from "./notification-messages";
import { outboxInsert, outboxItem, shipOutbox, type OutboxItem } from "./outbox";
import { log } from "../observability/log";
import { METRIC, count } from "../observability/metrics";

// The dead-letter consumer lives in its own file; it is exported from here, next to its queue's consumer.
export { consumeNotificationDeadLetters } from "./notification-dead-letters";

/** Backoff before a notification message is delivered again: 2, 4, 8 … seconds, at most 10 minutes. */
export function notificationBackoffSeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, attempts));
}

type Parsed = { message: Message<unknown>; msg: NotificationMessage };

/** An event-wide announcement: fanned out into per-order messages, on its own. */
const isFanOut = (msg: NotificationMessage): msg is Extract<NotificationMessage, { type: EventKind }> =>
  (msg.type === "event_cancelled" || msg.type === "event_rescheduled") && !msg.orderId;
type EventKind = "event_cancelled" | "event_rescheduled";

/**
 * A malformed message cannot get better by retrying. Cloudflare Queues has no explicit
 * "dead-letter this now", so it is logged at error level, recorded in the audit log with its body
 * (`queue.malformed`, an outbox row written in the batch's claim batch), and acked: dead-lettered
 * in effect, never retried forever.
 */
function malformedItem(queue: string, message: Message<unknown>, issues: unknown): OutboxItem {
  log("error", "malformed notifications message", { queue, id: message.id, body: message.body, issues });
  return outboxItem("audit", `queue.malformed:${queue}:${message.id}`, {
    action: "queue.malformed",
    actorId: null,
    data: { queue, messageId: message.id, body: message.body as never },
    at: Date.now(),
  });
}

const retry = (message: Message<unknown>) =>
  message.retry({ delaySeconds: notificationBackoffSeconds(message.attempts) });

/**
 * The `notifications` queue. Every notification has a deterministic key; it is recorded before
 * sending and claimed with a conditional update, so at-least-once delivery has an exactly-once
 * effect. The batch shares its D1 work (src/notifications/batch.ts: one read, one record-and-claim
 * batch, one batch of results), while acks stay per message: ack when done (sent, skipped, or
 * permanently failed and audited); retry with exponential backoff from `message.attempts` on 5xx,
 * 429, timeouts and storage errors; after `max_retries` the message goes to `notifications-dlq`.
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
  const work: (Parsed & { msg: Deliverable })[] = [];
  const fanOuts: Parsed[] = [];
  const malformed: { message: Message<unknown>; item: OutboxItem }[] = [];
  for (const message of batch.messages) {
    const parsed = NotificationMessageSchema.safeParse(message.body);
    if (!parsed.success) malformed.push({ message, item: malformedItem(batch.queue, message, parsed.error.issues) });
    else if (isFanOut(parsed.data)) fanOuts.push({ message, msg: parsed.data });
    else work.push({ message, msg: parsed.data as Deliverable });
  }
  await Promise.all([...fanOuts.map((p) => fanOut(env, p)), deliverAll(deps, env, work, malformed)]);
}

async function fanOut(env: Env, { message, msg }: Parsed): Promise<void> {
  try {
    await fanOutEvent(env, (msg as { eventId: string }).eventId, msg.type as EventKind);
    message.ack();
  } catch (err) {
    failed(env, message, msg.type, err);
  }
}

async function deliverAll(
  deps: SendDeps,
  env: Env,
  work: (Parsed & { msg: Deliverable })[],
  malformed: { message: Message<unknown>; item: OutboxItem }[],
): Promise<void> {
  if (!work.length && !malformed.length) return;
  const items = malformed.map((m) => m.item);
  try {
    const extra = items.length ? [outboxInsert(deps.db, items)] : [];
    const outcomes = await deliverBatch(
      deps,
      work.map((w) => w.msg),
      extra,
    );
    for (const m of malformed) m.message.ack();
    work.forEach(({ message, msg }, i) => {
      if (!outcomes[i]!.includes("retry")) message.ack();
      else {
        count(env, METRIC.queueRetry, ["notifications", msg.type]);
        retry(message);
      }
    });
    if (items.length)
      await shipOutbox(
        deps.db,
        env,
        items.map((i) => i.id),
      );
  } catch (err) {
    // Nothing of a failed record-and-claim batch was written; every message is tried again.
    for (const m of malformed) failed(env, m.message, "malformed", err);
    for (const w of work) failed(env, w.message, w.msg.type, err);
  }
}

function failed(env: Env, message: Message<unknown>, type: string, err: unknown): void {
  count(env, METRIC.queueRetry, ["notifications", type]);
  const delaySeconds = notificationBackoffSeconds(message.attempts);
  log("error", "notifications message retried", { type, attempts: message.attempts, delaySeconds, error: String(err) });
  message.retry({ delaySeconds });
}
