import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Meter } from "../../src/observability/meter";
import { meteredEnv } from "../../src/observability/metered-env";
import { consumeAudit } from "../../src/queues/audit-consumer";
import { auditMsg, rowsFor } from "./helpers";

/** Runs the audit consumer over `bodies` with a meter on D1. */
async function metered(bodies: unknown[]) {
  const meter = new Meter();
  const batch = createMessageBatch(
    "audit",
    bodies.map((body) => ({ id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body })),
  );
  const ctx = createExecutionContext();
  await consumeAudit(batch, meteredEnv(env, meter));
  return { meter, result: await getQueueResult(batch, ctx) };
}

describe("audit consumer D1 cost per batch", () => {
  it("a batch of 100 entries costs 2 D1 round trips: one read batch, one write batch", async () => {
    const msgs = Array.from({ length: 100 }, (_, i) => auditMsg({ data: { i } }));
    const { meter, result } = await metered(msgs);
    expect(result.explicitAcks).toHaveLength(100);
    expect(meter.d1RoundTrips).toBe(2);
    // Two IN lists (90 + 10 ids) and the last row; then one insert of all 100 entries (json_each).
    expect(meter.d1).toBe(4);
    const seqs = await Promise.all(msgs.map(async (m) => (await rowsFor(m.id!))[0]!.seq));
    expect(seqs).toEqual(seqs.map((_, i) => seqs[0]! + i));
  });

  it("the next batch extends the chain it knows in one round trip, with no read", async () => {
    await metered([auditMsg()]);
    const { meter, result } = await metered([auditMsg(), auditMsg(), auditMsg()]);
    expect(result.explicitAcks).toHaveLength(3);
    expect(meter.d1RoundTrips).toBe(1);
  });

  it("a batch of redeliveries appends nothing: the failed fast insert, then one read", async () => {
    const msgs = [auditMsg(), auditMsg()];
    await metered(msgs);
    const { meter, result } = await metered(msgs);
    expect(result.explicitAcks).toHaveLength(2);
    expect(meter.d1RoundTrips).toBeLessThanOrEqual(2);
    for (const m of msgs) expect(await rowsFor(m.id!)).toHaveLength(1);
  });

  it("a chain extended by another writer meanwhile is read again, never forked", async () => {
    await metered([auditMsg()]);
    // Another appender (the dead-letter consumer, another isolate) takes the next seq.
    const other = auditMsg();
    const last = await env.DB.prepare("SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1").first<{
      seq: number;
      hash: string;
    }>();
    await env.DB.prepare(
      `INSERT INTO audit_log (seq, entry_id, at, action, prev_hash, hash) VALUES (?, ?, ?, 'test.other', ?, 'x')`,
    )
      .bind(last!.seq + 1, other.id, Date.now(), last!.hash)
      .run();
    const next = auditMsg();
    const { result } = await metered([next]);
    expect(result.explicitAcks).toHaveLength(1);
    const row = await env.DB.prepare("SELECT seq, prev_hash FROM audit_log WHERE entry_id = ?")
      .bind(next.id)
      .first<{ seq: number; prev_hash: string }>();
    expect(row).toEqual({ seq: last!.seq + 2, prev_hash: "x" });
  });
});
