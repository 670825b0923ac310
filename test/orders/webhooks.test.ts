import { ledgerCaughtUp } from "../helpers/ledger";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CheckoutSchema, OrderSchema } from "../../src/routes/order-schemas";
import { call, expectJson, expectProblem } from "../helpers/http";
import {
  checkedOut,
  checkoutCall,
  deliver,
  expireHold,
  fanWithHold,
  getOrder,
  intentOf,
  newKey,
  paymentRows,
  refundsAnswered,
  runPayments,
  seatMap,
  setupEvent,
  signedEvent,
  ticketRows,
} from "./helpers";

const order = async (token: string, id: string) => OrderSchema.parse(await getOrder(token, id));

describe("POST /v1/webhooks/stripe: signatures", () => {
  it("answers 400 to a forged or stale signature and changes nothing", async () => {
    const { event, fan, co } = await checkedOut(["A-1-1"]);
    const forged = await signedEvent("payment_intent.succeeded", intentOf(co), { secret: "whsec_someone_else" });
    await expectProblem(await deliver(forged), 400, "bad_request");
    const stale = await signedEvent("payment_intent.succeeded", intentOf(co), {
      timestamp: Math.floor(Date.now() / 1000) - 600,
    });
    await expectProblem(await deliver(stale), 400, "bad_request");

    expect((await order(fan.token, co.orderId)).status).toBe("pending_payment");
    expect((await seatMap(event.id))["A-1-1"]).toBe("h");
    expect(await ticketRows(co.orderId)).toHaveLength(0);
  });
});

describe("POST /v1/webhooks/stripe: replays and races", () => {
  it("applies one event id once: the replay answers duplicate and issues nothing more", async () => {
    const { fan, co } = await checkedOut(["A-1-1", "A-1-2"]);
    const ev = await signedEvent("payment_intent.succeeded", intentOf(co), { id: `evt_dup_${crypto.randomUUID()}` });
    expect(await expectJson(await deliver(ev), 200)).toMatchObject({ duplicate: false, outcome: "paid" });
    expect(await expectJson(await deliver(ev), 200)).toMatchObject({ duplicate: true });

    expect((await order(fan.token, co.orderId)).tickets).toHaveLength(2);
    expect(await ticketRows(co.orderId)).toHaveLength(2);
  });

  it("two different events for one intent delivered at once issue one set of tickets", async () => {
    const { event, fan, co } = await checkedOut(["A-2-1", "A-2-2"]);
    const [a, b] = await Promise.all([
      signedEvent("payment_intent.succeeded", intentOf(co)),
      signedEvent("payment_intent.succeeded", intentOf(co)),
    ]);
    const answers = await Promise.all([deliver(a), deliver(b)]);
    for (const res of answers) expect(res.status).toBe(200);

    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets.map((t) => t.place)).toEqual(["A-2-1", "A-2-2"]);
    // The ledger, once caught up, has the same two tickets and no more.
    await ledgerCaughtUp(event.id);
    const live = await env.DB.prepare("SELECT COUNT(*) AS n FROM tickets WHERE event_id = ? AND status = 'valid'")
      .bind(event.id)
      .first<{ n: number }>();
    expect(live?.n).toBe(2);
  });
});

describe("POST /v1/webhooks/stripe: outcomes out of order", () => {
  it("a success after a failure re-acquires the released seats and pays the order", async () => {
    const { event, fan, co } = await checkedOut(["A-1-3", "A-1-4"]);
    expect(
      await expectJson(await deliver(await signedEvent("payment_intent.payment_failed", intentOf(co))), 200),
    ).toMatchObject({ outcome: "failed" });
    expect((await order(fan.token, co.orderId)).status).toBe("failed");
    expect((await seatMap(event.id))["A-1-3"]).toBe("a");

    expect(
      await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200),
    ).toMatchObject({ outcome: "paid" });
    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets.map((t) => t.place)).toEqual(["A-1-3", "A-1-4"]);
    const seats = await seatMap(event.id);
    expect([seats["A-1-3"], seats["A-1-4"]]).toEqual(["s", "s"]);
  });

  it("a failure after the success changes nothing: order paid, seats sold, tickets valid", async () => {
    const { event, fan, co } = await checkedOut(["A-3-1"]);
    await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(
      await expectJson(await deliver(await signedEvent("payment_intent.payment_failed", intentOf(co))), 200),
    ).toMatchObject({ outcome: "ignored" });

    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets.map((t) => t.status)).toEqual(["valid"]);
    expect((await seatMap(event.id))["A-3-1"]).toBe("s");
  });
});

describe("payment after the hold lapsed", () => {
  it("sells the same seats when they are still free", async () => {
    const { event, fan, hold, co } = await checkedOut(["A-4-1", "A-4-2"]);
    await expireHold(hold.holdId);
    expect((await seatMap(event.id))["A-4-1"]).toBe("a");

    expect(
      await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200),
    ).toMatchObject({ outcome: "paid" });
    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets.map((t) => t.place)).toEqual(["A-4-1", "A-4-2"]);
    expect((await seatMap(event.id))["A-4-2"]).toBe("s");
  });

  it("refunds in full when another fan holds the seats now, and leaves that hold alone", async () => {
    const { event, fan, hold, co } = await checkedOut(["A-4-3"]);
    await expireHold(hold.holdId);
    const other = await fanWithHold(event.id, ["A-4-3"]);

    expect(
      await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200),
    ).toMatchObject({ outcome: "refunded_unavailable" });
    const o = await order(fan.token, co.orderId);
    expect(o).toMatchObject({ status: "refunded_unavailable", refundedAmount: 5000, tickets: [] });
    expect(await refundsAnswered(co.orderId)).toContainEqual({
      kind: "refund",
      status: "succeeded",
      amount: 5000,
      reason: "unavailable",
    });
    expect(await ticketRows(co.orderId)).toHaveLength(0);

    const theirs = await expectJson(
      await call("GET", `/v1/holds/${encodeURIComponent(other.hold.holdId)}`, { token: other.fan.token }),
      200,
    );
    expect(theirs.status).toBe("active");
    expect((await seatMap(event.id))["A-4-3"]).toBe("h");
  });

  it("the lapsed checkout's cancel_payment message expires the order and cancels the intent", async () => {
    const { fan, hold, co } = await checkedOut(["A-4-4"]);
    await expireHold(hold.holdId);
    const result = await runPayments([{ type: "cancel_payment", orderId: co.orderId }]);
    expect(result.retryMessages).toEqual([]);
    expect(result.explicitAcks).toHaveLength(1);

    expect((await order(fan.token, co.orderId)).status).toBe("expired");
    await expectProblem(
      await call("POST", co.payment.paymentUrl!, { token: fan.token, body: { card: "4242 4242 4242 4242" } }),
      409,
      "order_not_payable",
    );
  });
});

describe("POST /v1/holds/:holdId/checkout", () => {
  it("two concurrent checkouts of one hold end as one order", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-5", "A-1-6"]);
    const [a, b] = await Promise.all([checkoutCall(fan.token, hold.holdId), checkoutCall(fan.token, hold.holdId)]);
    const [ca, cb] = [CheckoutSchema.parse(await expectJson(a, 201)), CheckoutSchema.parse(await expectJson(b, 201))];
    expect(ca.orderId).toBe(cb.orderId);
    expect(ca.payment.reference).toBe(cb.payment.reference);

    await ledgerCaughtUp(event.id);
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE hold_id = ?")
      .bind(hold.holdId.split("~")[1])
      .first<{ n: number }>();
    expect(rows?.n).toBe(1);
    expect(await paymentRows(ca.orderId)).toHaveLength(1);
  });

  it("replays the first answer for a reused Idempotency-Key and runs a new hold under the same key", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-7"]);
    const key = newKey();
    const first = await checkoutCall(fan.token, hold.holdId, key);
    const firstBody = await first.text();
    expect(first.status).toBe(201);
    const again = await checkoutCall(fan.token, hold.holdId, key);
    expect(again.status).toBe(201);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(await again.text()).toBe(firstBody);
    const orderId = JSON.parse(firstBody).orderId as string;
    expect(await paymentRows(orderId)).toHaveLength(1);

    // The key is scoped to the route (path included): another hold is another operation.
    const second = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-8"] } }),
      201,
    );
    const other = await checkoutCall(fan.token, second.holdId, key);
    expect(other.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await expectJson(other, 201)).orderId).not.toBe(orderId);
  });
});
