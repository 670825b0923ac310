import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { consumeAudit } from "../../src/queues/audit-consumer";
import type { AuditMessage } from "../../src/queues/audit-messages";
import { uniq } from "../helpers/fixtures";

/** A valid audit message with a fresh id. */
export function auditMsg(over: Partial<AuditMessage> = {}): AuditMessage {
  return {
    id: `t:${uniq()}${uniq()}`,
    action: "test.thing",
    actorId: `usr_${uniq()}`,
    at: Date.now(),
    data: { n: 1 },
    ...over,
  };
}

/** Runs the audit consumer over the given bodies (message ids given or fresh) and returns the queue result. */
export async function runAudit(bodies: unknown[], ids?: string[]) {
  const batch = createMessageBatch(
    "audit",
    bodies.map((body, i) => ({ id: ids?.[i] ?? `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeAudit(batch, env);
  return getQueueResult(batch, ctx);
}

export type AuditRowT = {
  seq: number;
  entry_id: string;
  action: string;
  actor_id: string | null;
  ip_hash: string | null;
  entity_type: string | null;
  entity_id: string | null;
  event_id: string | null;
  data: string | null;
};

/** Rows of one entry id. */
export async function rowsFor(entryId: string) {
  return (await env.DB.prepare("SELECT * FROM audit_log WHERE entry_id = ?").bind(entryId).all<AuditRowT>()).results;
}

/** Polls audit_log until `sql` (a WHERE clause) matches `n` rows or ~5 s pass. */
export async function waitForRows(where: string, args: unknown[], n: number, ms = 5000) {
  const end = Date.now() + ms;
  for (;;) {
    const { results } = await env.DB.prepare(`SELECT * FROM audit_log WHERE ${where} ORDER BY seq`)
      .bind(...args)
      .all<AuditRowT>();
    if (results.length >= n || Date.now() > end) return results;
    await new Promise((r) => setTimeout(r, 100));
  }
}
