import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect, it } from "vitest";
import { InventoryOutbox } from "../../src/objects/inventory/outbox";

/** A queue that records each sendBatch call's messages. */
function recordingQueue() {
  const calls: unknown[][] = [];
  const queue = {
    sendBatch: async (msgs: Iterable<{ body: unknown }>) => {
      calls.push([...msgs].map((m) => m.body));
    },
  } as unknown as Queue;
  return { queue, calls };
}

it("ships a burst of changes, committed one after another, in one pass", async () => {
  const audit = recordingQueue();
  const stub = env.EVENT_INVENTORY.getByName(`outbox-linger-${crypto.randomUUID()}`);
  const calls = await runInDurableObject(stub, async (_instance, state) => {
    const sql = state.storage.sql;
    const outbox = new InventoryOutbox(
      sql,
      { ...env, AUDIT: audit.queue } as Env,
      state,
      async () => {},
      () => {},
    );
    // Five changes, each followed by its flush request, as five holds in a row would be.
    for (let i = 1; i <= 5; i++) {
      sql.exec("INSERT INTO outbox (queue, body, created_at) VALUES ('audit', ?, ?)", JSON.stringify({ n: i }), i);
      void outbox.start();
    }
    expect(await outbox.inFlight).toBe(true);
    expect(sql.exec("SELECT COUNT(*) AS n FROM outbox").one().n).toBe(0);
    return audit.calls;
  });
  expect(calls).toEqual([[{ n: 1 }, { n: 2 }, { n: 3 }, { n: 4 }, { n: 5 }]]);
});
