import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, describe, expect, it } from "vitest";
import { Meter } from "../../src/observability/meter";
import { meteredEnv } from "../../src/observability/metered-env";
import { paidOrder, rowsOf, run, testEnv } from "./helpers";

const REGION = "eu-central-1";
const SES_URL = `https://email.${REGION}.amazonaws.com/v2/email/outbound-emails`;
const sesEnv = {
  EMAIL_PROVIDER: "ses",
  SES_REGION: REGION,
  EMAIL_FROM: "tickets@example.com",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
};

/** The meter of the batch being run, and its D1 round trips at each SES send. */
let meter = new Meter();
let tripsAtSend: number[] = [];
/** Scripted SES statuses, consumed in order; default: success. */
let script: number[] = [];

const server = setupServer(
  http.post(SES_URL, () => {
    tripsAtSend.push(meter.d1RoundTrips);
    const status = script.shift() ?? 200;
    if (status !== 200) return HttpResponse.json({ message: `scripted ${status}` }, { status });
    return HttpResponse.json({ MessageId: `ses-${crypto.randomUUID()}` });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

/** Runs the consumer on `bodies` with a fresh meter on D1. */
async function metered(bodies: unknown[], overrides: Record<string, unknown> = sesEnv) {
  meter = new Meter();
  tripsAtSend = [];
  const t = testEnv(overrides);
  const result = await run(bodies, meteredEnv(t.env, meter));
  return { result, t, meter, tripsAtSend };
}

describe("notifications consumer D1 cost per batch", () => {
  it("a batch of 10 order_paid messages costs 2 D1 round trips before the sends and 1 after", async () => {
    const orders = await Promise.all(Array.from({ length: 10 }, () => paidOrder()));
    const bodies = orders.map((o) => ({ type: "order_paid", orderId: o.order.id }));
    const { result, tripsAtSend, meter } = await metered(bodies);
    expect(result.explicitAcks).toHaveLength(10);
    expect(tripsAtSend).toEqual(Array(10).fill(2));
    expect(meter.d1RoundTrips).toBe(3);
    // Reads: orders, buyers, events, venues, tickets and the layout of an event not seen yet; then 10
    // inserts and 1 claim; then 10 results.
    expect(meter.d1).toBe(27);
    for (const o of orders) expect((await rowsOf(o.order.id)).map((r) => r.status)).toEqual(["sent"]);

    // Redelivered: read and claim (which claims nothing), no send, nothing to write after.
    const again = await metered(bodies);
    expect(again.result.explicitAcks).toHaveLength(10);
    expect(again.tripsAtSend).toEqual([]);
    expect(again.meter.d1RoundTrips).toBe(2);
  });

  it("a message twice in one batch sends once and acks both", async () => {
    const { order } = await paidOrder();
    const body = { type: "order_paid", orderId: order.id };
    const { result, tripsAtSend } = await metered([body, body]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(tripsAtSend).toHaveLength(1);
    expect(await rowsOf(order.id)).toMatchObject([{ status: "sent", attempts: 1 }]);
  });

  it("retries only the message whose send may pass, fails and audits the other, in one results batch", async () => {
    const [a, b] = await Promise.all([paidOrder(), paidOrder()]);
    script = [503, 400];
    const bodies = [a, b].map((o) => ({ type: "order_paid", orderId: o.order.id }));
    const { result, t, meter } = await metered(bodies, sesEnv);
    expect(result.retryMessages).toHaveLength(1);
    expect(result.explicitAcks).toHaveLength(1);
    const statuses = [(await rowsOf(a.order.id))[0]!.status, (await rowsOf(b.order.id))[0]!.status].sort();
    expect(statuses).toEqual(["failed", "pending"]);
    expect(t.audited.map((m) => m.action)).toEqual(["notification.failed"]);
    // read, record-and-claim, results with the audit row, then the outbox ships it (read, delete).
    expect(meter.d1RoundTrips).toBe(5);
  });

  it("a malformed message is audited in the claim batch and acked with the rest", async () => {
    const { order } = await paidOrder();
    const { result, t, meter } = await metered([{ type: "order_paid", orderId: order.id }, "garbage"]);
    expect(result.explicitAcks).toHaveLength(2);
    expect(t.audited.map((m) => m.action)).toEqual(["queue.malformed"]);
    // read, record-and-claim with the audit row, results, then the outbox ships it (read, delete).
    expect(meter.d1RoundTrips).toBe(5);
  });
});
