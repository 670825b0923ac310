import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { InventoryOutbox } from "../../src/objects/inventory/outbox";

/** A queue that records each sendBatch call's messages and when it came. */
function recordingQueue() {
  const calls: unknown[][] = [];
  const at: number[] = [];
  const queue = {
    sendBatch: async (msgs: Iterable<{ body: unknown }>) => {
      calls.push([...msgs].map((m) => m.body));
      at.push(Date.now());
    },
  } as unknown as Queue;
  return { queue, calls, at };
}

type Setup = { sql: SqlStorage; outbox: InventoryOutbox; write: (queue: string, n: number) => void };

/** Runs `story` in a fresh inventory object with an outbox whose audit and payments queues record. */
async function withOutbox(pacedIntervalMs: number | undefined, story: (s: Setup) => Promise<void>) {
  const audit = recordingQueue();
  const payments = recordingQueue();
  const stub = env.EVENT_INVENTORY.getByName(`outbox-linger-${crypto.randomUUID()}`);
  await runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    const outbox = new InventoryOutbox(
      sql,
      { ...env, AUDIT: audit.queue, PAYMENTS: payments.queue } as Env,
      state,
      async () => {},
      () => {},
      pacedIntervalMs,
    );
    const write = (queue: string, n: number) =>
      sql.exec("INSERT INTO outbox (queue, body, created_at) VALUES (?, ?, ?)", queue, JSON.stringify({ n }), n);
    await story({ sql, outbox, write });
  });
  return { audit, payments };
}

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

it("ships a burst of changes, committed one after another, in one pass", async () => {
  const { audit } = await withOutbox(undefined, async ({ sql, outbox, write }) => {
    // Five changes, each followed by its flush request, as five holds in a row would be.
    for (let i = 1; i <= 5; i++) {
      write("audit", i);
      void outbox.start("paced");
    }
    expect(await outbox.inFlight).toBe(true);
    expect(sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n).toBe(0);
  });
  expect(audit.calls).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]]);
});

it("ships a steady stream of audit entries once per interval, not once per change", async () => {
  const { audit } = await withOutbox(1_000, async ({ outbox, write }) => {
    write("audit", 0);
    await outbox.start("paced"); // after a quiet spell: the short linger
    // Ten more changes over about 200 ms, as an on-sale's holds come: they wait for the interval.
    for (let i = 1; i <= 10; i++) {
      write("audit", i);
      void outbox.start("paced");
      await sleep(20);
    }
    await outbox.inFlight;
  });
  expect(audit.calls.map((c) => c.length)).toEqual([1, 10]);
  expect(audit.at[1]! - audit.at[0]!).toBeGreaterThanOrEqual(1_000);
});

it("ends a paced linger early when a payments row is waiting", async () => {
  const { audit, payments } = await withOutbox(60_000, async ({ outbox, write }) => {
    write("audit", 1);
    await outbox.start("paced");
    write("audit", 2);
    void outbox.start("paced"); // would wait a minute for the interval...
    await sleep(50);
    write("payments", 3);
    await outbox.start("soon"); // ...but a payment (a refund, a cancel) leaves after the short linger
  });
  expect(audit.calls).toEqual([[{ n: 1 }], [{ n: 2 }]]);
  expect(payments.calls).toEqual([[{ n: 3 }]]);
});
