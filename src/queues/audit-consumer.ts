import { appendEntries, appendEntry } from "../audit/store";
import type { ChainEntry } from "../domain/audit-chain";
import { AuditMessageSchema, type AuditMessage } from "./audit-messages";
import { log } from "../observability/log";
import { METRIC, count } from "../observability/metrics";

/** Exponential backoff for a retry: 2, 4, 8 … seconds, capped at 5 minutes. */
export function backoffSeconds(attempts: number): number {
  return Math.min(300, 2 ** Math.max(1, attempts));
}

/** The chain entry for a message; the entry id is the producer's `id`, else the queue's message id. */
export function entryOf(body: AuditMessage, messageId: string): ChainEntry {
  // requestId is not a column: it travels in `data` so it is hashed and queryable with the entry.
  const data = body.requestId ? { ...(body.data ?? {}), requestId: body.requestId } : (body.data ?? null);
  return {
    entryId: body.id ?? messageId,
    at: body.at,
    action: body.action,
    actorId: body.actorId ?? null,
    ipHash: body.ipHash ?? null,
    entityType: body.entityType ?? null,
    entityId: body.entityId ?? null,
    organizerId: body.organizerId ?? null,
    eventId: body.eventId ?? null,
    orderId: body.orderId ?? null,
    data,
  };
}

/** A visible trace of a message that could not be parsed (Queues cannot dead-letter on demand). */
function malformedEntry(message: Message<unknown>, error: string, queue: string): ChainEntry {
  let excerpt: string;
  try {
    excerpt = JSON.stringify(message.body)?.slice(0, 1000) ?? "undefined";
  } catch {
    excerpt = String(message.body).slice(0, 1000);
  }
  return {
    entryId: `malformed:${queue}:${message.id}`,
    at: Date.now(),
    action: "queue.malformed",
    actorId: null,
    ipHash: null,
    entityType: "queue_message",
    entityId: message.id,
    organizerId: null,
    eventId: null,
    orderId: null,
    data: { queue, error: error.slice(0, 1000), body: excerpt },
  };
}

/**
 * `audit`: appends the batch's entries to the hash chain in message order, in one D1 batch (the
 * consumer runs with max_concurrency 1, so one chain has one writer). A redelivered entry is
 * appended once. A malformed message is logged, recorded as `queue.malformed` and acked:
 * retrying cannot fix it. If the append fails (a concurrent appender took the seq, D1
 * unavailable) nothing was written, and every message is retried with exponential backoff.
 */
export async function consumeAudit(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const entries = batch.messages.map((message) => {
    const parsed = AuditMessageSchema.safeParse(message.body);
    if (parsed.success) return entryOf(parsed.data, message.id);
    log("error", "malformed audit message", { id: message.id, body: message.body, error: parsed.error.message });
    return malformedEntry(message, parsed.error.message, batch.queue);
  });
  try {
    await appendEntries(env.DB, entries);
    for (const message of batch.messages) message.ack();
  } catch (err) {
    const attempts = Math.max(...batch.messages.map((m) => m.attempts));
    log("error", "audit append failed, retrying", { messages: batch.messages.length, attempts, error: String(err) });
    count(env, METRIC.queueRetry, ["audit", "append"], batch.messages.length);
    for (const message of batch.messages) message.retry({ delaySeconds: backoffSeconds(message.attempts) });
  }
}

/**
 * `audit-dlq`: an entry that failed every retry. Its full body is logged at error level first
 * (so it survives in Workers Logs even if D1 stays down), then one more append is tried; the
 * dead-letter queue's own retries carry it a little further.
 */
export async function consumeAuditDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  for (const message of batch.messages) {
    log("error", "audit message dead-lettered", { id: message.id, attempts: message.attempts, body: message.body });
    const parsed = AuditMessageSchema.safeParse(message.body);
    const entry = parsed.success
      ? entryOf(parsed.data, message.id)
      : malformedEntry(message, parsed.error.message, batch.queue);
    try {
      await appendEntry(env.DB, entry);
      message.ack();
    } catch (err) {
      log("error", "audit dead letter append failed", { id: message.id, error: String(err) });
      message.retry({ delaySeconds: backoffSeconds(message.attempts) });
    }
  }
}
