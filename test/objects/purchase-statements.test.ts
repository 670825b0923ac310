import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";

// Every SQL statement costs the event's one thread a fixed ~80 µs in the runtime, whatever it
// does, so one purchase's statements in its object set how many purchases an event can take per
// second. This is the budget, step by step; the outbox's own sending pass is left out (it ships a
// burst of transactions at once, so it is shared).

const SENDING_PASS = /^(SELECT id, queue, body FROM outbox|DELETE FROM outbox)/;

/** Counts the statements the event's object runs, by the step the test says it is in. */
async function countStatements(eventId: string) {
  const counts: Record<string, string[]> = {};
  const meter = { step: "setup" };
  await runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), (instance, state) => {
    // The suite checks every cached order read against SQLite; here the statements are the point.
    (instance as unknown as { s: { book: { verify: boolean } } }).s.book.verify = false;
    const sql = state.storage.sql as unknown as { exec: (query: string, ...b: unknown[]) => unknown };
    const exec = sql.exec.bind(sql);
    sql.exec = (query: string, ...bindings: unknown[]) => {
      const text = query.replace(/\s+/g, " ").trim();
      if (!SENDING_PASS.test(text)) {
        counts[meter.step] ??= [];
        counts[meter.step]!.push(text);
      }
      return exec(query, ...bindings);
    };
  });
  return { counts, meter };
}

describe("statements per purchase in the event's object", () => {
  it("stays within the budget for hold, checkout, payment, the order read and a release", async () => {
    const { event } = await setupEvent();
    const { counts, meter } = await countStatements(event.id);
    // The first purchase warms the object's caches (config, version, sequence); the second, of two
    // seats, is measured: a seat more adds no statement.
    for (const round of ["warm", "measured"]) {
      meter.step = `${round} hold`;
      const { fan, hold } = await fanWithHold(event.id, round === "warm" ? ["A-1-1"] : ["A-1-2", "A-1-4"]);
      meter.step = `${round} checkout`;
      const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
      meter.step = `${round} pay`;
      await paySimulated(co.payment.paymentUrl, undefined, fan.token);
      meter.step = `${round} order`;
      await expectJson(await call("GET", `/v1/orders/${encodeURIComponent(co.orderId)}`, { token: fan.token }), 200);
    }
    // A hold given back: the other half of the hold path.
    meter.step = "other hold";
    const other = await fanWithHold(event.id, ["A-1-3"]);
    meter.step = "measured release";
    const gone = await call("DELETE", `/v1/holds/${encodeURIComponent(other.hold.holdId)}`, { token: other.fan.token });
    expect(gone.status).toBe(204);
    const n = (step: string) => counts[`measured ${step}`]?.length ?? 0;
    // The hold row, its seats freed (their ids returned), its status, the change log, the audit row.
    expect(n("release")).toBe(5);
    // Checkout: the key, the hold, its seats (one join), the order, its lines (one statement) and its
    // attempt, the sequence number, one outbox write per transaction, the intent and the stored answer.
    // No search for an existing order: the hold's row names it. The order's rows are read from SQLite
    // by no later step: the object's order cache has them from the checkout's writes (recording the
    // intent, the webhook's sale and the order read would take 2, 3 and 4 reads more). The payment
    // writes both tickets in one statement.
    expect({ hold: n("hold"), checkout: n("checkout"), pay: n("pay"), order: n("order") }).toEqual({
      hold: 6,
      checkout: 12,
      pay: 9,
      order: 0,
    });
    // One outbox write per transaction, however many messages it carries.
    const outboxWrites = counts["measured checkout"]!.filter((q) => q.startsWith("INSERT INTO outbox"));
    expect(outboxWrites).toHaveLength(2);
    // The earliest deadline is read for the first hold (no alarm yet), and not again while every
    // new deadline falls after the armed alarm.
    const deadlineReads = (step: string) => counts[step]!.filter((q) => q.includes("MIN(deadline)")).length;
    expect(deadlineReads("warm hold")).toBe(1);
    expect(["hold", "checkout", "pay"].map((step) => deadlineReads(`measured ${step}`))).toEqual([0, 0, 0]);
  });
});
