import { and, eq, inArray, lt, or, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { notifications, type NotificationRow } from "../db/schema";
import type { NotificationChannel, NotificationKind } from "../db/schema/constants";
import { outboxInsert, outboxItem, shipOutbox, type OutboxItem } from "../queues/outbox";
import { networkFailure, providerFor, providerName, type NotifyEnv, type Provider, type SendResult } from "./providers";
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

/** Ids per claim UPDATE: D1 binds at most 100 parameters per statement. */
const CLAIM_CHUNK = 90;

/** A D1 batch statement the caller adds to the claim batch (e.g. an audit outbox row). */
export type Extra = Parameters<Db["batch"]>[0][number];

/**
 * Records the drafts (a key that exists already is left alone, so a redelivery finds the first
 * row) and claims them and the `resend` ids for sending, with `extra` statements, in ONE D1 batch.
 * The claim is a conditional UPDATE: only the consumer whose update matches sends; a `sending`
 * row whose lease ran out (its consumer died mid-send) may be taken over. Returns the rows this
 * call claimed; the others belong to someone else or are finished.
 */
export async function recordAndClaim(
  deps: SendDeps,
  drafts: Draft[],
  resendIds: string[],
  extra: Extra[] = [],
): Promise<NotificationRow[]> {
  const { db, env } = deps;
  const now = deps.now();
  const inserts = drafts.map((d) =>
    db
      .insert(notifications)
      .values({
        ...d,
        status: "pending",
        provider: providerName(env, d.channel),
        attempts: 0,
        createdAt: now,
        updatedAt: now,
      })
      .onConflictDoNothing(),
  );
  const ids = [...new Set([...drafts.map((d) => d.id), ...resendIds])];
  const [email, sms] = [providerOf(deps, "email").name, providerOf(deps, "sms").name];
  const claims = [];
  for (let i = 0; i < ids.length; i += CLAIM_CHUNK) {
    const open = or(
      eq(notifications.status, "pending"),
      and(eq(notifications.status, "sending"), lt(notifications.updatedAt, now - SENDING_LEASE_MS)),
    );
    const provider = sql`CASE ${notifications.channel} WHEN 'email' THEN ${email} ELSE ${sms} END`;
    claims.push(
      db
        .update(notifications)
        .set({ status: "sending", attempts: sql`${notifications.attempts} + 1`, provider, updatedAt: now })
        .where(and(inArray(notifications.id, ids.slice(i, i + CLAIM_CHUNK)), open))
        .returning(),
    );
  }
  const statements = [...inserts, ...extra, ...claims];
  if (!statements.length) return [];
  const results = await db.batch(statements as [Extra, ...Extra[]]);
  return results.slice(inserts.length + extra.length).flat() as NotificationRow[];
}

/** The provider that sends a channel's rows in this consumer. */
const providerOf = (deps: SendDeps, channel: NotificationChannel): Provider =>
  deps.providers?.[channel] ?? providerFor(deps.env, channel);

/** Sends one claimed row; a throwing provider is treated like a network failure (the row must not stay claimed). */
export function send(deps: SendDeps, row: NotificationRow): Promise<SendResult> {
  return providerOf(deps, row.channel)
    .send({ id: row.id, recipient: row.recipient, subject: row.subject, text: row.bodyText, html: row.bodyHtml })
    .catch(networkFailure);
}

/**
 * Writes what the sends came to in ONE D1 batch: sent rows, retryable ones back to `pending`,
 * permanent failures `failed` with a `notification.failed` audit row in the same batch (through
 * the outbox, so the entry is never lost even if the queue send after it fails). Each update
 * matches only while the row is still this consumer's claim (`sending`, same attempt).
 */
export async function settle(
  deps: SendDeps,
  sent: { row: NotificationRow; result: SendResult }[],
): Promise<Map<string, Outcome>> {
  const { db, env } = deps;
  const now = deps.now();
  const outcomes = new Map<string, Outcome>();
  const statements: Extra[] = [];
  const audits: OutboxItem[] = [];
  for (const { row, result } of sent) {
    const mine = and(
      eq(notifications.id, row.id),
      eq(notifications.status, "sending"),
      eq(notifications.attempts, row.attempts),
    );
    const set = (values: Partial<NotificationRow>) => statements.push(db.update(notifications).set(values).where(mine));
    if (result.ok) {
      set({ status: "sent", providerMessageId: result.messageId, lastError: null, sentAt: now, updatedAt: now });
      count(env, METRIC.notificationSent, [row.channel, row.provider]);
      outcomes.set(row.id, "sent");
    } else if (result.retryable) {
      set({ status: "pending", lastError: result.error, updatedAt: now });
      log("warn", "notification send will be retried", {
        id: row.id,
        provider: row.provider,
        attempts: row.attempts,
        error: result.error,
      });
      outcomes.set(row.id, "retry");
    } else {
      statements.push(
        db
          .update(notifications)
          .set({ status: "failed", lastError: result.error, updatedAt: now })
          .where(eq(notifications.id, row.id)),
      );
      audits.push(failedAudit(row, result.error, now));
      count(env, METRIC.notificationFailed, [row.channel, row.provider]);
      log("error", "notification failed", { id: row.id, provider: row.provider, error: result.error });
      outcomes.set(row.id, "failed");
    }
  }
  if (audits.length) statements.push(outboxInsert(db, audits, now));
  if (statements.length) await db.batch(statements as [Extra, ...Extra[]]);
  if (audits.length)
    await shipOutbox(
      db,
      env,
      audits.map((a) => a.id),
    );
  return outcomes;
}

function failedAudit(row: NotificationRow, error: string, now: number): OutboxItem {
  return outboxItem("audit", `notification.failed:${row.id}:${row.attempts}`, {
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
}
