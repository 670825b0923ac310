import { createMessageBatch } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { auditMsg } from "../audit/helpers";
import { expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";
import { captureLogs, requestLines, useRequestLogs } from "./helpers";

/** The JSON lines with the given `msg` among captured lines. */
function linesWith(lines: string[], msg: string): Record<string, unknown>[] {
  return lines.map((l) => JSON.parse(l) as Record<string, unknown>).filter((o) => o.msg === msg);
}

describe("binding counts on log lines", () => {
  useRequestLogs();

  it("a hold logs no D1 statement and exactly one Durable Object call", async () => {
    const { event } = await setupEvent();
    const { lines } = await captureLogs(() => fanWithHold(event.id, ["A-1-1"]));
    const [line] = requestLines(lines);
    expect(line).toMatchObject({ route: "/v1/events/:id/holds", status: 201, d1: 0, d1RoundTrips: 0, rpc: 1 });
  });

  it("checkout and the payment webhook log the D1 statements, round trips and object calls they ran", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const { lines } = await captureLogs(async () => {
      const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
      await paySimulated(co.payment.paymentUrl);
    });
    const byRoute = Object.fromEntries(requestLines(lines).map((l) => [l.route, l]));
    // Checkout: read the hold, order + lines in one batch, beginCheckout, the payment; plus the
    // Idempotency-Key bookkeeping. The webhook: confirm, then the paid batch and the outbox.
    expect(byRoute["/v1/holds/:holdId/checkout"]).toMatchObject({ status: 201, d1: 14, d1RoundTrips: 13, rpc: 2 });
    expect(byRoute["/v1/webhooks/stripe"]).toMatchObject({ status: 200, d1: 19, d1RoundTrips: 14, rpc: 1 });
    expect(byRoute["/v1/pay/simulated/:id"]).toMatchObject({ d1: 2, d1RoundTrips: 2, rpc: 0 });
  });

  it("a queue batch logs what it cost", async () => {
    // The Worker's own entry builds the metered env for the batch. Imported late: a static import
    // of the entry from a test file evaluates the route modules in an order they do not support.
    const { default: worker } = await import("../../src/index");
    const message = { id: `m-${crypto.randomUUID()}`, timestamp: new Date(), attempts: 1, body: auditMsg() };
    const batch = createMessageBatch("audit", [message]) as MessageBatch<unknown>;
    const { lines } = await captureLogs(() => worker.queue(batch, env));
    const [line] = linesWith(lines, "queue batch");
    expect(line).toMatchObject({ queue: "audit", messages: 1, d1: 3, d1RoundTrips: 3, rpc: 0 });
  });
});
