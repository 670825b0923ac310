import { and, eq, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications, type NotificationRow } from "../db/schema";
import type { NotificationChannel, NotificationKind } from "../db/schema/constants";
import { outboxInsert, outboxItem, shipOutbox } from "../queues/outbox";
import { networkFailure, providerFor, providerName, type NotifyEnv, type Provider } from "./providers";
import { METRIC, count } from "../observability/metrics";
import { log } from "../observability/log";

/** A composed notification before it is recorded; `id` is its deterministic key. */
export type Draft = {
  id: string;
  kind: NotificationKind;
  channel: NotificationChannel;
  userId: string | null;
  recipient: string;
  subject: string;
  bodyText: string;
  bodyHtml: string | null;
  orderId: string | null;
  eventId: string | null;
};

/** What one delivery attempt came to; `retry` asks the queue to deliver the message again. */
export type Outcome = "sent" | "skipped" | "failed" | "retry";

/** A `sending` row younger than this belongs to a live consumer; older, its sender is gone. */
export const SENDING_LEASE_MS = 2 * 60_000;

export type SendDeps = {
  db: Db;
  env: NotifyEnv;
  now: () => number;
  providers?: Partial<Record<NotificationChannel, Provider>>;
};

/** Records the draft unless its key exists already: a redelivery finds the first row. */
export async function record(deps: SendDeps, draft: Draft): Promise<void> {
  const now = deps.now();
  await deps.db
    .insert(notifications)
    .values({
      ...draft,
      status: "pending",
      provider: providerName(deps.env, draft.channel),
      attempts: 0,
      createdAt: now,
      updatedAt: now,
    })
    .onConflictDoNothing();
}

/**
 * Claims a row for sending with one conditional UPDATE: only the consumer whose update matches
 * sends. A `sending` row whose lease ran out (its consumer died mid-send) may be taken over.
 * Returns the claimed row, or null when someone else owns it or it is finished.
 */
export async function claim(deps: SendDeps, id: string, provider: string): Promise<NotificationRow | null> {
  const now = deps.now();
  const [row] = await deps.db
    .update(notifications)
    .set({ status: "sending", attempts: sql`${notifications.attempts} + 1`, provider, updatedAt: now })
    .where(
      and(
        eq(notifications.id, id),
        or(
          eq(notifications.status, "pending"),
          and(eq(notifications.status, "sending"), lt(notifications.updatedAt, now - SENDING_LEASE_MS)),
        ),
      ),
    )
    .returning();
  return row ?? null;
}

/**
 * Sends a recorded row once. Sent and failed rows, and rows another consumer is sending, are
 * left alone (`skipped`): that is what makes a duplicate delivery send nothing.
 */
export async function deliver(deps: SendDeps, id: string): Promise<Outcome> {
  const current = await deps.db
    .select({ channel: notifications.channel })
    .from(notifications)
    .where(eq(notifications.id, id))
    .get();
  if (!current) return "skipped";
  const provider = deps.providers?.[current.channel] ?? providerFor(deps.env, current.channel);
  const row = await claim(deps, id, provider.name);
  if (!row) return "skipped";
  // A throwing provider must not leave the row claimed: it is treated like a network failure.
  const result = await provider
    .send({ id: row.id, recipient: row.recipient, subject: row.subject, text: row.bodyText, html: row.bodyHtml })
    .catch(networkFailure);
  const now = deps.now();
  const mine = and(
    eq(notifications.id, id),
    eq(notifications.status, "sending"),
    eq(notifications.attempts, row.attempts),
  );
  if (result.ok) {
    await deps.db
      .update(notifications)
      .set({ status: "sent", providerMessageId: result.messageId, lastError: null, sentAt: now, updatedAt: now })
      .where(mine);
    count(deps.env, METRIC.notificationSent, [row.channel, provider.name]);
    return "sent";
  }
  if (result.retryable) {
    await deps.db.update(notifications).set({ status: "pending", lastError: result.error, updatedAt: now }).where(mine);
    log("warn", "notification send will be retried", {
      id,
      provider: provider.name,
      attempts: row.attempts,
      error: result.error,
    });
    return "retry";
  }
  await markFailed(deps, row, result.error);
  return "failed";
}

/** Records then delivers one composed draft. */
export async function recordAndDeliver(deps: SendDeps, draft: Draft): Promise<Outcome> {
  await record(deps, draft);
  return deliver(deps, draft.id);
}

/**
 * Marks a claimed row failed and audits `notification.failed` in the same D1 batch (through the
 * outbox), so the audit entry is never lost even if the queue send below fails.
 */
export async function markFailed(deps: SendDeps, row: NotificationRow, error: string): Promise<void> {
  const now = deps.now();
  const audit = outboxItem("audit", `notification.failed:${row.id}:${row.attempts}`, {
    action: "notification.failed",
    actorId: null,
    eventId: row.eventId,
    orderId: row.orderId,
    data: {
      notificationId: row.id,
      kind: row.kind,
      channel: row.channel,
      provider: row.provider,
      attempts: row.attempts,
      error,
    },
    at: now,
  });
  await deps.db.batch([
    deps.db
      .update(notifications)
      .set({ status: "failed", lastError: error, updatedAt: now })
      .where(eq(notifications.id, row.id)),
    outboxInsert(deps.db, [audit], now),
  ]);
  count(deps.env, METRIC.notificationFailed, [row.channel, row.provider]);
  log("error", "notification failed", { id: row.id, provider: row.provider, error });
  await shipOutbox(deps.db, deps.env, [audit.id]);
}
