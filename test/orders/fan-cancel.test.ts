import { describe, expect, it } from "vitest";
import { DEFAULT_REFUND_DEADLINE_HOURS, refundQuote } from "../../src/domain/order-policy";
import { CancellationQuoteSchema } from "../../src/routes/orders";
import { CheckoutSchema, OrderSchema } from "../../src/routes/order-schemas";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, getOrder, newKey, paySimulated, seatMap, setupEvent, type Json } from "./helpers";

const HOUR = 3_600_000;

/** A fan who held `seats` and paid for them on the simulated page. */
async function paidOrder(eventId: string, seats: string[]) {
  const { fan, hold } = await fanWithHold(eventId, seats);
  const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
  expect(await paySimulated(co.payment.paymentUrl!)).toMatchObject({ webhook: { outcome: "paid" } });
  return { fan, orderId: co.orderId };
}

const quote = async (token: string, orderId: string) =>
  CancellationQuoteSchema.parse(
    await expectJson(await call("GET", `/v1/orders/${orderId}/cancellation`, { token }), 200),
  );
const cancel = (token: string, orderId: string, key = newKey()) =>
  call("POST", `/v1/orders/${orderId}/cancel`, { token, headers: { "Idempotency-Key": key } });
const patchEvent = (org: Json, eventId: string, body: Json) =>
  call("PATCH", `/v1/admin/events/${eventId}`, { token: org.token, body });

describe("the default refund policy", () => {
  it("gives a new event full refunds until 48 hours before the start, shown in the public event", async () => {
    const { event } = await setupEvent();
    expect(event.refundDeadlineHours).toBe(DEFAULT_REFUND_DEADLINE_HOURS);
    const pub = await expectJson(await call("GET", `/v1/events/${event.id}`), 200);
    const until = new Date(Date.parse(pub.startsAt) - 48 * HOUR).toISOString();
    expect(pub.refundPolicy).toEqual({ kind: "full_until", hoursBeforeStart: 48, refundsUntil: until });
  });

  it("keeps an organizer's explicit null: no fan refunds", async () => {
    const { org, event } = await setupEvent();
    expect(
      (await expectJson(await patchEvent(org, event.id, { refundDeadlineHours: null }), 200)).refundDeadlineHours,
    ).toBeNull();
    const pub = await expectJson(await call("GET", `/v1/events/${event.id}`), 200);
    expect(pub.refundPolicy).toEqual({ kind: "none", hoursBeforeStart: null, refundsUntil: null });
  });
});

describe("GET /v1/orders/:id/cancellation and POST /v1/orders/:id/cancel", () => {
  it("quotes the refund to the owner inside the policy, then refunds exactly that once", async () => {
    const { event } = await setupEvent();
    const { fan, orderId } = await paidOrder(event.id, ["A-1-1", "A-1-2"]);
    // The order carries each ticket's signed code: the ticket view draws its QR from it.
    const tickets = OrderSchema.parse(await getOrder(fan.token, orderId)).tickets;
    expect(tickets.map((t) => t.code.split(".")[0])).toEqual(["T1", "T1"]);
    const q = await quote(fan.token, orderId);
    expect(q).toMatchObject({ allowed: true, amount: 10000, currency: "NOK", reason: null });
    expect(q.refundsUntil).toBe(new Date(Date.parse(event.startsAt) - 48 * HOUR).toISOString());

    const key = newKey();
    const res = await expectJson(await cancel(fan.token, orderId, key), 200);
    expect(res.refund).toMatchObject({ amount: q.amount, status: "succeeded" });
    expect(OrderSchema.parse(res.order)).toMatchObject({ status: "refunded", refundedAmount: 10000 });
    // The same key replays the first answer rather than refunding again.
    expect((await expectJson(await cancel(fan.token, orderId, key), 200)).refund).toEqual(res.refund);
    expect(OrderSchema.parse(await getOrder(fan.token, orderId)).refundedAmount).toBe(10000);
    expect((await seatMap(event.id))["A-1-1"]).toBe("a");
    // Afterwards there is nothing left to refund.
    expect(await quote(fan.token, orderId)).toMatchObject({ allowed: false, amount: 0 });
  });

  it("answers 404 to another fan, for the quote and the cancel, and refunds nothing", async () => {
    const { event } = await setupEvent();
    const { fan, orderId } = await paidOrder(event.id, ["A-2-1"]);
    const other = await createUser();
    await expectProblem(
      await call("GET", `/v1/orders/${orderId}/cancellation`, { token: other.token }),
      404,
      "not_found",
    );
    await expectProblem(await cancel(other.token, orderId), 404, "not_found");
    expect(OrderSchema.parse(await getOrder(fan.token, orderId)).status).toBe("paid");
  });

  it("refuses with 409 refund_not_allowed past the cutoff, and the quote says when refunds closed", async () => {
    const { org, event } = await setupEvent();
    const { fan, orderId } = await paidOrder(event.id, ["A-3-1"]);
    // The show moves to tomorrow: inside the 48-hour window before the start.
    const startsAt = new Date(Date.now() + 24 * HOUR).toISOString();
    const endsAt = new Date(Date.now() + 28 * HOUR).toISOString();
    await expectJson(await patchEvent(org, event.id, { startsAt, endsAt }), 200);
    const q = await quote(fan.token, orderId);
    expect(q).toMatchObject({ allowed: false, amount: 0 });
    expect(q.reason).toMatch(/^refunds closed at /);
    const problem = await expectProblem(await cancel(fan.token, orderId), 409, "refund_not_allowed");
    expect(problem.detail).toMatch(/refunds closed at/);
    expect(OrderSchema.parse(await getOrder(fan.token, orderId)).status).toBe("paid");
    expect((await seatMap(event.id))["A-3-1"]).toBe("s");
  });

  it("refuses with 409 when the event's policy is none", async () => {
    const { org, event } = await setupEvent();
    await expectJson(await patchEvent(org, event.id, { refundDeadlineHours: null }), 200);
    const { fan, orderId } = await paidOrder(event.id, ["A-4-1"]);
    expect(await quote(fan.token, orderId)).toEqual({
      allowed: false,
      amount: 0,
      currency: "NOK",
      refundsUntil: null,
      reason: "this event does not offer refunds",
    });
    await expectProblem(await cancel(fan.token, orderId), 409, "refund_not_allowed");
    expect(OrderSchema.parse(await getOrder(fan.token, orderId)).status).toBe("paid");
  });

  it("refuses an unpaid order with 409 and quotes why", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-3"]);
    const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
    expect(await quote(fan.token, co.orderId)).toMatchObject({
      allowed: false,
      reason: "an order that is pending_payment cannot be refunded",
    });
    await expectProblem(await cancel(fan.token, co.orderId), 409, "refund_not_allowed");
  });
});

describe("cancelling an unpaid order", () => {
  it("releases the order's hold (named on the order): the seats go back and the order stops waiting", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-4-3"]);
    const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
    const pending = OrderSchema.parse(await getOrder(fan.token, co.orderId));
    expect(pending).toMatchObject({ status: "pending_payment", holdId: hold.holdId });
    const other = await createUser();
    await expectProblem(await call("DELETE", `/v1/holds/${pending.holdId}`, { token: other.token }), 404, "not_found");
    expect((await call("DELETE", `/v1/holds/${pending.holdId}`, { token: fan.token })).status).toBe(204);
    expect((await seatMap(event.id))["A-4-3"]).toBe("a");
    expect(OrderSchema.parse(await getOrder(fan.token, co.orderId)).status).not.toBe("pending_payment");
  });
});

describe("refundQuote", () => {
  const event = { refundDeadlineHours: 48, startsAt: 100 * HOUR, status: "on_sale" as const };
  const order = {
    status: "partially_refunded",
    tickets: [
      { status: "valid", price: 5000 },
      { status: "refunded", price: 5000 },
      { status: "valid", price: 3000 },
    ],
  };

  it("counts only valid tickets, up to the last millisecond before the cutoff", () => {
    expect(refundQuote(event, order, 52 * HOUR - 1)).toEqual({
      allowed: true,
      amount: 8000,
      refundsUntil: 52 * HOUR,
      reason: null,
    });
    expect(refundQuote(event, order, 52 * HOUR)).toMatchObject({ allowed: false, amount: 0 });
  });

  it("refuses a cancelled event's orders: the cancellation refunds them", () => {
    expect(refundQuote({ ...event, status: "cancelled" }, order, 0).reason).toMatch(/event was cancelled/);
  });
});
