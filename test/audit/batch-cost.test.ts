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

  it("a batch of redeliveries only reads: one round trip, nothing appended", async () => {
    const msgs = [auditMsg(), auditMsg()];
    await metered(msgs);
    const { meter, result } = await metered(msgs);
    expect(result.explicitAcks).toHaveLength(2);
    expect(meter.d1RoundTrips).toBe(1);
    for (const m of msgs) expect(await rowsFor(m.id!)).toHaveLength(1);
  });
});
