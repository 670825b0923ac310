import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditMsg } from "../audit/helpers";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";
import { isWrite } from "../../src/observability/metered-env";
import { OPERATOR_TOKEN, captureLogs, requestLines, useOperatorToken, useRequestLogs } from "./helpers";

/** The JSON lines with the given `msg` among captured lines. */
function linesWith(lines: string[], msg: string): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.msg === msg);
}

describe("binding counts on log lines", () => {
  useRequestLogs();

  it("a hold makes one Durable Object call and reads D1 only when the isolate first meets its event", async () => {
    const { event } = await setupEvent();
    const { lines } = await captureLogs(async () => {
      await fanWithHold(event.id, ["A-1-1"]);
      await fanWithHold(event.id, ["A-1-2"]);
    });
    const [first, second] = requestLines(lines);
    // The first hold looks the event up (unknown ids must not create objects); later ones do not.
    // That lookup is a read: a hold writes nothing to D1.
    expect(first).toMatchObject({
      route: "/v1/events/:id/holds",
      status: 201,
      d1: 1,
      d1Writes: 0,
      d1RoundTrips: 1,
      rpc: 1,
    });
    expect(second).toMatchObject({ route: "/v1/events/:id/holds", status: 201, d1: 0, d1RoundTrips: 0, rpc: 1 });
  });

  it("checkout and the payment webhook log the D1 statements, round trips and object calls they ran", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const { lines } = await captureLogs(async () => {
      const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
      await paySimulated(co.payment.paymentUrl);
    });
    const byRoute = Object.fromEntries(requestLines(lines).map((l) => [l.route, l]));
    // Checkout and the webhook write only to the event's object (order, lines, attempt, tickets and
    // the Idempotency-Key record all live there): no D1 statement at all once the isolate knows the event.
    const checkout = byRoute["/v1/holds/:holdId/checkout"]!;
    const webhook = byRoute["/v1/webhooks/stripe"]!;
    expect(checkout).toMatchObject({ status: 201, d1: 0, d1RoundTrips: 0 });
    expect(webhook).toMatchObject({ status: 200, d1: 0, d1RoundTrips: 0 });
    // Checkout: two calls, the open that also takes the Idempotency-Key and the intent's record that
    // also stores the answer (the simulated provider's own object is not counted); the webhook: one
    // call that sells and issues the tickets.
    expect(checkout.rpc).toBe(2);
    expect(webhook.rpc).toBe(1);
  });

  it("a queue batch logs what it cost", async () => {
    // The Worker's own entry builds the metered env for the batch. Imported late: a static import
    // of the entry from a test file evaluates the route modules in an order they do not support.
    const { default: worker } = await import("../../src/index");
    const message = { id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: auditMsg() };
    const batch = createMessageBatch("audit", [message]) as MessageBatch<unknown>;
    const { lines } = await captureLogs(() => worker.queue(batch, env));
    const [line] = linesWith(lines, "queue batch");
    // One read batch (the id lookup and the chain's last row), one write batch (the entry).
    expect(line).toMatchObject({ queue: "audit", messages: 1, d1: 3, d1Writes: 1, d1RoundTrips: 2, rpc: 0 });
  });
});

describe("GET /v1/admin/metrics/bindings", () => {
  useOperatorToken();
  const HOLD = "request POST /v1/events/:id/holds";
  const totals = async () =>
    (await expectJson(await call("GET", "/v1/admin/metrics/bindings", { token: OPERATOR_TOKEN }), 200)) as {
      since: number;
      sources: Record<string, { runs: number; d1: number; d1Writes: number; d1RoundTrips: number; rpc: number }>;
    };

  it("adds up the D1 and object calls of every request by route, for the operator token only", async () => {
    const { event } = await setupEvent();
    const before = (await totals()).sources[HOLD] ?? { runs: 0, d1: 0, d1Writes: 0, d1RoundTrips: 0, rpc: 0 };
    await fanWithHold(event.id, ["A-1-1"]);
    await fanWithHold(event.id, ["A-1-2"]);
    const after = await totals();
    // Two holds on one event: one event lookup between them, then memory.
    expect(after.sources[HOLD]).toEqual({
      runs: before.runs + 2,
      d1: before.d1 + 1,
      d1Writes: before.d1Writes,
      d1RoundTrips: before.d1RoundTrips + 1,
      rpc: before.rpc + 2,
    });
    // Publishing writes the event's status to D1: writes are counted where they happen.
    expect(after.sources["request POST /v1/admin/events/:id/publish"]!.d1Writes).toBeGreaterThan(0);
    expect(after.since).toBeLessThanOrEqual(Date.now());
    await expectProblem(await call("GET", "/v1/admin/metrics/bindings"), 401, "unauthenticated");
  });
});

describe("which statements count as D1 writes", () => {
  it("counts reads apart and errs towards writes", () => {
    const reads = [
      "SELECT 1",
      "  select * from orders",
      "WITH t AS (SELECT 1) SELECT * FROM t",
      "PRAGMA table_info(x)",
    ];
    const writes = [
      "INSERT INTO audit_log VALUES (?)",
      "update orders set status = ?",
      "DELETE FROM holds",
      "REPLACE INTO t VALUES (1)",
      "WITH t AS (SELECT 1) INSERT INTO x SELECT * FROM t",
      "CREATE TABLE x (a)",
    ];
    expect(reads.map(isWrite)).toEqual(reads.map(() => false));
    expect(writes.map(isWrite)).toEqual(writes.map(() => true));
  });
});
