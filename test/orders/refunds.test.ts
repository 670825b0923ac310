import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CheckoutSchema, OrderSchema } from "../../src/routes/order-schemas";
import { createUser } from "../helpers/fixtures";
import { ledgerCaughtUp } from "../helpers/ledger";
import { call, expectJson, expectProblem } from "../helpers/http";
import {
  checkoutCall,
  fanWithHold,
  getOrder,
  paySimulated,
  refundsAnswered,
  seatMap,
  setupEvent,
  type Json,
} from "./helpers";

/** A fan who held `seats` and paid for them on the simulated page; returns the order id. */
async function paidOrder(eventId: string, seats: string[]) {
  const { fan, hold } = await fanWithHold(eventId, seats);
  const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
  expect(await paySimulated(co.payment.paymentUrl!)).toMatchObject({ webhook: { outcome: "paid" } });
  return { fan, orderId: co.orderId };
}

const order = async (token: string, id: string) => OrderSchema.parse(await getOrder(token, id));
const refundPolicy = (org: Json, eventId: string, hours: number | null) =>
  call("PATCH", `/v1/admin/events/${eventId}`, { token: org.token, body: { refundDeadlineHours: hours } });

describe("POST /v1/orders/:id/cancel", () => {
  it("refunds the whole order within the event's refund policy and puts the seats back on sale", async () => {
    const { org, event } = await setupEvent();
    await expectJson(await refundPolicy(org, event.id, 24), 200);
    const { fan, orderId } = await paidOrder(event.id, ["A-1-1", "A-1-2"]);

    const res = await expectJson(await call("POST", `/v1/orders/${orderId}/cancel`, { token: fan.token }), 200);
    expect(res.refund).toMatchObject({ amount: 10000, status: "succeeded" });
    const o = await order(fan.token, orderId);
    expect(o).toMatchObject({ status: "refunded", refundedAmount: 10000 });
    expect(o.tickets.map((t) => t.status)).toEqual(["refunded", "refunded"]);
    const seats = await seatMap(event.id);
    expect([seats["A-1-1"], seats["A-1-2"]]).toEqual(["a", "a"]);

    await fanWithHold(event.id, ["A-1-1", "A-1-2"]);
  });

  it("answers 409 refund_not_allowed when the event offers no refunds", async () => {
    const { org, event } = await setupEvent();
    await expectJson(await refundPolicy(org, event.id, null), 200);
    const { fan, orderId } = await paidOrder(event.id, ["A-2-1"]);
    await expectProblem(
      await call("POST", `/v1/orders/${orderId}/cancel`, { token: fan.token }),
      409,
      "refund_not_allowed",
    );
    expect((await order(fan.token, orderId)).status).toBe("paid");
    expect((await seatMap(event.id))["A-2-1"]).toBe("s");
  });
});

describe("POST /v1/admin/orders/:id/refund", () => {
  it("refunds one ticket of two: partially refunded, that seat back on sale, the other still sold", async () => {
    const { org, event } = await setupEvent();
    const { fan, orderId } = await paidOrder(event.id, ["A-3-1", "A-3-2"]);
    const before = await order(fan.token, orderId);
    const first = before.tickets.find((t) => t.place === "A-3-1")!;

    const res = await expectJson(
      await call("POST", `/v1/admin/orders/${orderId}/refund`, { token: org.token, body: { ticketIds: [first.id] } }),
      200,
    );
    expect(OrderSchema.parse(res.order)).toMatchObject({ status: "partially_refunded", refundedAmount: 5000 });
    expect(res.refund).toMatchObject({ amount: 5000, status: "succeeded" });
    const seats = await seatMap(event.id);
    expect([seats["A-3-1"], seats["A-3-2"]]).toEqual(["a", "s"]);

    await expectProblem(
      await call("POST", `/v1/admin/orders/${orderId}/refund`, { token: org.token, body: { ticketIds: [first.id] } }),
      409,
      "refund_not_allowed",
    );
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(
      await call("POST", `/v1/admin/orders/${orderId}/refund`, {
        token: stranger.token,
        body: { ticketIds: [first.id] },
      }),
      404,
      "not_found",
    );
    expect((await order(fan.token, orderId)).refundedAmount).toBe(5000);
  });
});

describe("cancelling an event", () => {
  it("refunds every paid order in the cancelling transaction, and the payments queue sends each refund", async () => {
    const { org, event } = await setupEvent();
    const a = await paidOrder(event.id, ["A-1-1", "A-1-2"]);
    const b = await paidOrder(event.id, ["A-2-1"]);
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "cancelled" } }),
      200,
    );
    // Refunded in the event's object as the cancellation answers: nothing waits for a queue.
    for (const [o, amount] of [
      [a, 10000],
      [b, 5000],
    ] as const) {
      const got = await order(o.fan.token, o.orderId);
      expect(got).toMatchObject({ status: "refunded", refundedAmount: amount });
      expect(got.tickets.every((t) => t.status === "refunded")).toBe(true);
      // The money goes back through the outbox and the payments queue.
      expect((await refundsAnswered(o.orderId)).filter((p) => p.kind === "refund")).toEqual([
        { kind: "refund", status: "succeeded", amount, reason: "event_cancelled" },
      ]);
    }
    expect((await seatMap(event.id))["A-1-1"]).toBe("a");
    // The ledger follows: no valid ticket left, both refunds settled.
    await ledgerCaughtUp(event.id);
    const live = await env.DB.prepare("SELECT COUNT(*) AS n FROM tickets WHERE event_id = ? AND status = 'valid'")
      .bind(event.id)
      .first<{ n: number }>();
    expect(live?.n).toBe(0);
    const refunds = await env.DB.prepare(
      "SELECT COUNT(*) AS n FROM payments WHERE order_id IN (?, ?) AND kind = 'refund' AND status = 'succeeded'",
    )
      .bind(a.orderId, b.orderId)
      .first<{ n: number }>();
    expect(refunds?.n).toBe(2);
  });
});
