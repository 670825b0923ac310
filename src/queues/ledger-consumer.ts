import { getTableColumns } from "drizzle-orm";
import { createDb } from "../db/client";
import { orderLines, orders, payments, tickets } from "../db/schema";
import { LedgerMessageSchema, type LedgerMessage } from "./ledger-messages";
import type { NotificationMessage } from "./notification-messages";
import { outboxInsert, outboxItem, shipOutbox, type OutboxItem } from "./outbox";
import { log, type LogLevel } from "../observability/log";
import { METRIC, count } from "../observability/metrics";

/** Backoff before a ledger message is applied again: 2, 4, 8 … seconds, at most 10 minutes. */
export function ledgerBackoffSeconds(attempts: number): number {
  return Math.min(600, 2 ** Math.max(1, attempts));
}

type Rows = Pick<LedgerMessage, "orders" | "lines" | "payments" | "tickets">;

/**
 * One `INSERT … SELECT … FROM json_each(?1)` per table: the rows travel as one JSON array, so a
 * table costs one statement however many rows it gets. Columns come from the drizzle table, with
 * the JSON read by the row's camelCase key. A versioned row overwrites D1 only when it is newer,
 * so a redelivered or late older row never moves D1 backwards; order lines never change, the
 * first copy stays. `WHERE true` is required: without it SQLite parses `ON` as a join clause.
 */
function upsertSql(table: string, columns: Record<string, { name: string }>, versioned: boolean): string {
  const cols = Object.entries(columns).map(([key, column]) => ({ key, name: column.name }));
  const names = cols.map((c) => c.name).join(", ");
  const values = cols.map((c) => `json_extract(value, '$.${c.key}')`).join(", ");
  const set = cols.filter((c) => c.name !== "id").map((c) => `${c.name} = excluded.${c.name}`);
  const onConflict = versioned
    ? `DO UPDATE SET ${set.join(", ")} WHERE excluded.version > ${table}.version`
    : "DO NOTHING";
  return `INSERT INTO ${table} (${names}) SELECT ${values} FROM json_each(?1) WHERE true ON CONFLICT(id) ${onConflict}`;
}

/** In foreign-key order: lines, payments and tickets name their order. */
const WRITES: { rows: keyof Rows; sql: string }[] = [
  { rows: "orders", sql: upsertSql("orders", getTableColumns(orders), true) },
  { rows: "lines", sql: upsertSql("order_lines", getTableColumns(orderLines), false) },
  { rows: "payments", sql: upsertSql("payments", getTableColumns(payments), true) },
  { rows: "tickets", sql: upsertSql("tickets", getTableColumns(tickets), true) },
];

/**
 * The event's first sale, from the paid orders of the same JSON array: the tier and layout edits
 * lock on it (edit-locks.ts). It only moves earlier, so a refund or a late message never unlocks.
 */
const FIRST_SALE_SQL =
  "UPDATE events SET first_sale_at = s.first FROM (SELECT json_extract(value, '$.eventId') AS event_id, " +
  "MIN(json_extract(value, '$.paidAt')) AS first FROM json_each(?1) " +
  "WHERE json_extract(value, '$.paidAt') IS NOT NULL GROUP BY 1) AS s " +
  "WHERE events.id = s.event_id AND (events.first_sale_at IS NULL OR events.first_sale_at > s.first)";

/**
 * Characters per JSON parameter. D1 caps a bound value at 2 MB; 500K characters stay under it even
 * if every one took 3 bytes. A table's rows beyond that go in a second statement of the same batch.
 */
const MAX_JSON_CHARS = 500_000;

function jsonArrays(rows: object[]): string[] {
  const out: string[] = [];
  let part: string[] = [];
  let size = 2;
  for (const row of rows) {
    const json = JSON.stringify(row);
    if (part.length && size + json.length + 1 > MAX_JSON_CHARS) {
      out.push(`[${part.join(",")}]`);
      part = [];
      size = 2;
    }
    part.push(json);
    size += json.length + 1;
  }
  if (part.length) out.push(`[${part.join(",")}]`);
  return out;
}

function newest<R extends { id: string; version: number }>(rows: R[]): R[] {
  const byId = new Map<string, R>();
  for (const r of rows) if ((byId.get(r.id)?.version ?? -1) < r.version) byId.set(r.id, r);
  return [...byId.values()];
}

const FREES_PLACE = new Set(["refunded", "void"]);

/** Per table and id the newest version (lines: the first copy). */
function mergeRows(messages: LedgerMessage[]): Rows {
  const lines = new Map<string, LedgerMessage["lines"][number]>();
  for (const l of messages.flatMap((m) => m.lines)) if (!lines.has(l.id)) lines.set(l.id, l);
  const ticketRows = newest(messages.flatMap((m) => m.tickets));
  return {
    orders: newest(messages.flatMap((m) => m.orders)),
    lines: [...lines.values()],
    payments: newest(messages.flatMap((m) => m.payments)),
    // json_each feeds rows in array order and the partial unique index on (event_id, place) is
    // checked row by row: a refunded seat must be freed before its re-sale takes it in the same batch.
    tickets: [
      ...ticketRows.filter((t) => FREES_PLACE.has(t.status)),
      ...ticketRows.filter((t) => !FREES_PLACE.has(t.status)),
    ],
  };
}

/**
 * Writes the rows of `messages` into D1 in one `batch` (one round trip, one transaction): at most
 * one statement per table, orders first. Throws when D1 refuses any row (then nothing is written),
 * e.g. a ticket whose place is still held by a valid ticket whose refund has not arrived yet.
 */
export async function applyLedger(d1: D1Database, messages: LedgerMessage[]): Promise<void> {
  const rows = mergeRows(messages);
  const statements = WRITES.flatMap((w) => jsonArrays(rows[w.rows]).map((json) => d1.prepare(w.sql).bind(json)));
  const paid = rows.orders.filter((o) => o.paidAt != null);
  for (const json of jsonArrays(paid)) statements.push(d1.prepare(FIRST_SALE_SQL).bind(json));
  if (statements.length) await d1.batch(statements);
}

type Parsed = { message: Message<unknown>; body: LedgerMessage };

function retry(env: Env, message: Message<unknown>, reason: string, err: unknown, level: LogLevel = "warn"): void {
  const delaySeconds = ledgerBackoffSeconds(message.attempts);
  log(level, "ledger message retried", {
    id: message.id,
    reason,
    attempts: message.attempts,
    delaySeconds,
    error: String(err),
  });
  count(env, METRIC.queueRetry, ["ledger", reason]);
  message.retry({ delaySeconds });
}

/**
 * The whole batch in one D1 batch; if D1 refuses it, each message alone, so one message that
 * cannot land yet holds back only itself. A second pass gives messages that failed another
 * chance when the first one wrote something (a refund later in the batch may free their seat).
 * Returns the messages whose rows are in D1; the others are retried with backoff.
 */
async function write(env: Env, parsed: Parsed[]): Promise<Parsed[]> {
  if (!parsed.length) return [];
  try {
    const bodies = parsed.map((p) => p.body);
    await applyLedger(env.DB, bodies);
    return parsed;
  } catch (err) {
    if (parsed.length === 1) {
      retry(env, parsed[0]!.message, "write", err);
      return [];
    }
    log("warn", "ledger batch refused, applying its messages one by one", {
      messages: parsed.length,
      error: String(err),
    });
  }
  const done: Parsed[] = [];
  let left = parsed.map((p) => ({ p, err: undefined as unknown }));
  for (let pass = 0; pass < 2 && left.length; pass++) {
    const failed: typeof left = [];
    for (const { p } of left) {
      try {
        await applyLedger(env.DB, [p.body]);
        done.push(p);
      } catch (err) {
        failed.push({ p, err });
      }
    }
    const progress = failed.length < left.length;
    left = failed;
    if (!progress) break;
  }
  for (const { p, err } of left) retry(env, p.message, "write", err);
  return done;
}

/**
 * Sends the `notify` messages of the written messages (duplicates once), then acks. A message
 * whose notifications could not be queued is retried: its rows are rewritten as no-ops (same
 * versions) and the notifications consumer sends each notification once whatever it receives.
 */
async function notifyAndAck(env: Env, written: Parsed[]): Promise<void> {
  const bodies = new Map<string, { body: NotificationMessage; owners: Parsed[] }>();
  for (const p of written)
    for (const body of p.body.notify) {
      const key = JSON.stringify(body);
      const entry = bodies.get(key) ?? { body, owners: [] };
      entry.owners.push(p);
      bodies.set(key, entry);
    }
  const unsent = new Map<Parsed, unknown>();
  const entries = [...bodies.values()];
  // sendBatch takes at most 100 messages.
  for (let i = 0; i < entries.length; i += 100) {
    const part = entries.slice(i, i + 100);
    try {
      await env.NOTIFICATIONS.sendBatch(part.map((e) => ({ body: e.body, contentType: "json" as const })));
    } catch (err) {
      for (const e of part) for (const owner of e.owners) unsent.set(owner, err);
    }
  }
  for (const p of written) {
    if (unsent.has(p)) retry(env, p.message, "notify", unsent.get(p), "error");
    else p.message.ack();
  }
}

type Issue = { path: PropertyKey[]; message: string };

/**
 * The audit entry of a message that cannot be parsed (retrying cannot fix it). It names the
 * problems, not the body: rows carry buyers' emails and ticket codes, which do not belong in the
 * permanent audit chain or the logs.
 */
function malformedItem(queue: string, message: Message<unknown>, issues: Issue[]): OutboxItem {
  const eventId = (message.body as { eventId?: unknown } | null)?.eventId;
  const problems = issues.slice(0, 20).map((i) => ({ path: i.path.map(String).join("."), message: i.message }));
  log("error", "malformed ledger message", { queue, id: message.id, issues: problems });
  return outboxItem("audit", `queue.malformed:${queue}:${message.id}`, {
    action: "queue.malformed",
    actorId: null,
    eventId: typeof eventId === "string" ? eventId.slice(0, 500) : null,
    data: { queue, messageId: message.id, issues: problems },
    at: Date.now(),
  });
}

/** Audits malformed messages and acks them; retried only if the audit row could not be written. */
async function recordMalformed(env: Env, malformed: { message: Message<unknown>; item: OutboxItem }[]) {
  if (!malformed.length) return;
  const db = createDb(env.DB);
  const items = malformed.map((m) => m.item);
  try {
    await outboxInsert(db, items);
  } catch (err) {
    for (const m of malformed) retry(env, m.message, "malformed", err, "error");
    return;
  }
  for (const m of malformed) m.message.ack();
  try {
    await shipOutbox(
      db,
      env,
      items.map((i) => i.id),
    );
  } catch (err) {
    log("error", "ledger malformed audit left for the cron", { rows: items.length, error: String(err) });
  }
}

/**
 * The `ledger` queue: rows the EventInventory object changed, written into D1 (the read side).
 * The batch is merged (the newest version per row) and written in one D1 batch; if D1 refuses it,
 * each message is tried alone, and the ones that still fail are retried with exponential backoff
 * (after `max_retries` they reach `ledger-dlq`). Notifications go out only once their rows are
 * in D1. A malformed message is logged, audited as `queue.malformed` and acked.
 */
export async function consumeLedger(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const parsed: Parsed[] = [];
  const malformed: { message: Message<unknown>; item: OutboxItem }[] = [];
  for (const message of batch.messages) {
    const result = LedgerMessageSchema.safeParse(message.body);
    if (result.success) parsed.push({ message, body: result.data });
    else malformed.push({ message, item: malformedItem(batch.queue, message, result.error.issues) });
  }
  const [written] = await Promise.all([write(env, parsed), recordMalformed(env, malformed)]);
  await notifyAndAck(env, written);
}

/** What an operator needs to re-drive a message from the object: row ids and versions, no contents. */
function summary(body: LedgerMessage) {
  const ids = (rows: { id: string; version?: number }[]) => rows.slice(0, 200).map((r) => [r.id, r.version ?? 0]);
  return {
    orders: ids(body.orders),
    payments: ids(body.payments),
    tickets: ids(body.tickets),
    lines: body.lines.length,
    notify: body.notify.map((n) => n.type),
  };
}

/**
 * `ledger-dlq`: rows that failed every retry, so D1 (orders, tickets, emails, the organizer's
 * views) is behind the event's object for them until an operator re-drives them. Logged at error
 * level to alert, audited as `ledger.dead_letter` with the row ids and versions, and acked.
 */
export async function consumeLedgerDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  const now = Date.now();
  for (const message of batch.messages) {
    const parsed = LedgerMessageSchema.safeParse(message.body);
    const reason = `dead-lettered after ${message.attempts} deliveries on the ledger queue`;
    const rows = parsed.success ? summary(parsed.data) : null;
    const eventId = parsed.success ? parsed.data.eventId : null;
    const orderId = parsed.success && parsed.data.orders.length === 1 ? parsed.data.orders[0]!.id : null;
    const item = outboxItem("audit", `dlq:ledger:${message.id}`, {
      action: "ledger.dead_letter",
      actorId: null,
      eventId,
      orderId,
      data: { reason, malformed: !parsed.success, rows },
      at: now,
    });
    await outboxInsert(db, [item], now);
    await shipOutbox(db, env, [item.id]);
    log("error", "ledger message dead-lettered: D1 is missing the event object's rows until they are re-driven", {
      id: message.id,
      eventId,
      attempts: message.attempts,
      rows,
    });
    message.ack();
  }
}
