import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { CheckoutSchema, OrderSchema } from "../../src/routes/order-schemas";
import { call, expectJson, expectProblem } from "../helpers/http";
import { until } from "../helpers/wait";
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
  simulatedIntent,
  ticketRows,
} from "./helpers";

type Checkout = ReturnType<typeof CheckoutSchema.parse>;

const order = async (token: string, id: string) => OrderSchema.parse(await getOrder(token, id));

/** The simulated provider's intent, as the payment page knows it. */
async function intentRow(id: string) {
  const intent = await simulatedIntent(id);
  return intent && { status: intent.status, amount_refunded: intent.amount_refunded };
}

/** Declines on the simulated page as the order's own fan (the page answers no one else). */
function declineOnPage(co: Checkout, token: string) {
  return call("POST", co.payment.paymentUrl!, { token, body: { card: "4000 0000 0000 0002" } });
}

/** Pays on the simulated page as the order's own fan. */
function payOnPage(co: Checkout, token: string) {
  return call("POST", co.payment.paymentUrl!, { token, body: { card: "4242 4242 4242 4242" } });
}

async function payAgain(token: string, orderId: string) {
  const res = await call("POST", `/v1/orders/${orderId}/pay`, { token, headers: { "Idempotency-Key": newKey() } });
  return CheckoutSchema.parse(await expectJson(res, 201));
}

/** Captured money minus refunds must equal the value of the order's valid tickets. */
async function netOf(orderId: string) {
  const rows = await paymentRows(orderId);
  const captured = rows
    .filter((r) => r.kind === "charge" && r.status === "succeeded")
    .reduce((n, r) => n + r.amount, 0);
  const refunded = rows.filter((r) => r.kind === "refund").reduce((n, r) => n + r.amount, 0);
  const tickets = await runInDurableObject(env.EVENT_INVENTORY.getByName(orderId.split("~")[0]!), (_i, state) =>
    state.storage.sql
      .exec<{ v: number }>(
        "SELECT COALESCE(SUM(price), 0) AS v FROM tickets WHERE order_id = ? AND status IN ('valid','used')",
        orderId,
      )
      .one(),
  );
  return { captured, refunded, tickets: tickets.v };
}

describe("one live intent per order", () => {
  it("paying again cancels the declined attempt's intent, so the old attempt can no longer be paid", async () => {
    const { fan, co } = await checkedOut(["A-1-1"]);
    await expectJson(await declineOnPage(co, fan.token), 200);
    expect((await order(fan.token, co.orderId)).status).toBe("failed");

    const second = await payAgain(fan.token, co.orderId);
    expect(second.payment.reference).not.toBe(co.payment.reference);
    expect((await intentRow(co.payment.reference))?.status).toBe("canceled");

    // The fan goes back to the first payment page with a good card: it is no longer payable.
    await expectProblem(await payOnPage(co, fan.token), 409, "order_not_payable");
    expect(await expectJson(await payOnPage(second, fan.token), 200)).toMatchObject({ result: "succeeded" });

    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets).toHaveLength(1);
    expect(await netOf(co.orderId)).toEqual({ captured: 5000, refunded: 0, tickets: 5000 });
  });

  it("refunds a success for a superseded attempt that slipped through, whichever settles first", async () => {
    const { fan, co } = await checkedOut(["A-1-2"]);
    await expectJson(await declineOnPage(co, fan.token), 200);
    const second = await payAgain(fan.token, co.orderId);
    await expectJson(await payOnPage(second, fan.token), 200);

    // Stripe reports attempt 1 succeeded anyway (it was paid just before the cancel reached it).
    const late = await deliver(await signedEvent("payment_intent.succeeded", intentOf(co)));
    expect(await expectJson(late, 200)).toMatchObject({ outcome: "refunded_superseded" });

    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("paid");
    expect(o.tickets).toHaveLength(1);
    // The refund goes out through the object's outbox and the payments queue.
    expect(await refundsAnswered(co.orderId)).toContainEqual({
      kind: "refund",
      status: "succeeded",
      amount: 5000,
      reason: "superseded",
    });
    expect(await netOf(co.orderId)).toEqual({ captured: 10000, refunded: 5000, tickets: 5000 });
  });

  it("refunds a success for a settled order instead of answering already_settled", async () => {
    const { fan, co } = await checkedOut(["A-1-3"]);
    await expectJson(await declineOnPage(co, fan.token), 200);
    const second = await payAgain(fan.token, co.orderId);
    // Attempt 2 is paid first, then attempt 1's success arrives for the settled order.
    await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(second))), 200);
    const late = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(late.outcome).toMatch(/^refunded_/);
    expect(await netOf(co.orderId)).toEqual({ captured: 10000, refunded: 5000, tickets: 5000 });
  });
});

describe("signed successes that do not match what the order recorded", () => {
  it("refunds a success with the wrong amount and sells nothing", async () => {
    const { event, fan, co } = await checkedOut(["A-2-1"]);
    const wrong = { ...intentOf(co), amount: 100 };
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", wrong)), 200);
    expect(res.outcome).toBe("refunded_mismatch");

    const o = await order(fan.token, co.orderId);
    expect(o.status).not.toBe("paid");
    expect(o.tickets).toHaveLength(0);
    expect(await ticketRows(co.orderId)).toHaveLength(0);
    expect((await seatMap(event.id))["A-2-1"]).not.toBe("s");
    expect(await refundsAnswered(co.orderId)).toContainEqual({
      kind: "refund",
      status: "succeeded",
      amount: 100,
      reason: "mismatch",
    });
  });

  it("refunds a success in the wrong currency", async () => {
    const { fan, co } = await checkedOut(["A-2-2"]);
    const wrong = { ...intentOf(co), currency: "usd" };
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", wrong)), 200);
    expect(res.outcome).toBe("refunded_mismatch");
    expect((await order(fan.token, co.orderId)).tickets).toHaveLength(0);
  });

  it("refunds a success for an intent the order never created", async () => {
    const { event, fan, co } = await checkedOut(["A-2-3"]);
    const stray = { ...intentOf(co), id: `pi_stray_${crypto.randomUUID().replaceAll("-", "")}` };
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", stray)), 200);
    expect(res.outcome).toBe("refunded_unknown_intent");

    const o = await order(fan.token, co.orderId);
    expect(o.status).toBe("pending_payment");
    expect(o.tickets).toHaveLength(0);
    expect((await seatMap(event.id))["A-2-3"]).toBe("h");
    const refunds = await runInDurableObject(env.EVENT_INVENTORY.getByName(event.id), (_i, state) =>
      state.storage.sql
        .exec("SELECT amount, reason, charge_ref FROM payments WHERE order_id = ? AND kind = 'refund'", co.orderId)
        .toArray(),
    );
    expect(refunds).toEqual([{ amount: 5000, reason: "unknown_intent", charge_ref: stray.id }]);
    // The real intent still pays the order.
    await expectJson(await payOnPage(co, fan.token), 200);
    expect((await order(fan.token, co.orderId)).status).toBe("paid");
  });
});

describe("cancels target their own intent", () => {
  it("a stale cancel_payment for attempt 1 leaves attempt 2 payable", async () => {
    const { fan, hold, co } = await checkedOut(["A-3-1"]);
    await expectJson(await declineOnPage(co, fan.token), 200);
    const second = await payAgain(fan.token, co.orderId);
    const firstHoldId = hold.holdId.split("~")[1];

    const result = await runPayments([{ type: "cancel_payment", orderId: co.orderId, holdId: firstHoldId }]);
    expect(result.retryMessages).toEqual([]);
    expect((await intentRow(second.payment.reference))?.status).toBe("requires_payment_method");
    expect((await order(fan.token, co.orderId)).status).toBe("pending_payment");
    await expectJson(await payOnPage(second, fan.token), 200);
    expect((await order(fan.token, co.orderId)).status).toBe("paid");
  });
});

describe("releasing a hold during checkout", () => {
  it("cancels the checkout's intent, so paying it later sells nothing and takes no money", async () => {
    const { event, fan, hold, co } = await checkedOut(["A-3-2"]);
    const released = await call("DELETE", `/v1/holds/${encodeURIComponent(hold.holdId)}`, { token: fan.token });
    expect(released.status).toBe(204);
    expect((await seatMap(event.id))["A-3-2"]).toBe("a");

    // Whether the cancel has reached the provider yet or not, a success for this intent refunds.
    const late = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(late.outcome).toMatch(/^refunded_/);
    expect((await seatMap(event.id))["A-3-2"]).toBe("a");
    expect(await ticketRows(co.orderId)).toHaveLength(0);
    const net = await netOf(co.orderId);
    expect(net.captured - net.refunded).toBe(0);
  });

  it("queues the cancel of that intent and closes the order", async () => {
    const { fan, hold, co } = await checkedOut(["A-3-3"]);
    await call("DELETE", `/v1/holds/${encodeURIComponent(hold.holdId)}`, { token: fan.token });
    // Nothing is injected: the object's own outbox sends the cancel through the payments queue.
    const closed = await until(
      () => order(fan.token, co.orderId),
      (o) => o.status === "cancelled",
    );
    expect(closed.status).toBe("cancelled");
    const intent = await until(
      () => intentRow(co.payment.reference),
      (i) => i?.status === "canceled",
    );
    expect(intent?.status).toBe("canceled");
    await expectProblem(await payOnPage(co, fan.token), 409, "order_not_payable");
  });
});

describe("every way back to seats obeys the rules", () => {
  it("a late payment that would break the per-user cap is refunded, not re-acquired", async () => {
    const { event, fan, hold, co } = await checkedOut(["A-4-1", "A-4-2"], { maxSeatsPerOrder: 2 });
    await expireHold(hold.holdId);
    // The default cap is twice the per-order limit: the fan holds four more seats meanwhile.
    for (const seats of [
      ["A-4-5", "A-4-6"],
      ["A-4-7", "A-4-8"],
    ]) {
      await expectJson(await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats } }), 201);
    }
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(res.outcome).toBe("refunded_unavailable");
    expect((await seatMap(event.id))["A-4-1"]).toBe("a");
    expect(await ticketRows(co.orderId)).toHaveLength(0);
  });

  it("a late payment after sales closed is refunded", async () => {
    const { event, org, hold, co } = await checkedOut(["A-4-3"]);
    await expireHold(hold.holdId);
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "closed" } }),
      200,
    );
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(res.outcome).toBe("refunded_unavailable");
    expect(await ticketRows(co.orderId)).toHaveLength(0);
  });

  it("a late payment while the waiting room is on is refunded", async () => {
    const { event, org, hold, co } = await checkedOut(["A-4-4"]);
    await expireHold(hold.holdId);
    await expectJson(
      await call("PUT", `/v1/admin/events/${event.id}/queue`, {
        token: org.token,
        body: { enabled: true, ratePerMinute: 60, maxShopping: 10 },
      }),
      200,
    );
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(res.outcome).toBe("refunded_unavailable");
    expect(await ticketRows(co.orderId)).toHaveLength(0);
  });
});

describe("a default per-user cap", () => {
  it("new events cap one account at twice the per-order limit", async () => {
    const { event } = await setupEvent({ maxSeatsPerOrder: 3 });
    expect(event.maxSeatsPerUser).toBe(6);
    const { fan } = await fanWithHold(event.id, ["A-1-1", "A-1-2", "A-1-3"]);
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, {
        token: fan.token,
        body: { seats: ["A-1-4", "A-1-5", "A-1-6"] },
      }),
      201,
    );
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-7"] } }),
      422,
      "limit_exceeded",
    );
  });
});

describe("order creation is atomic", () => {
  it("leaves no order behind when its lines cannot be written", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const stub = env.EVENT_INVENTORY.getByName(event.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec(
        "CREATE TRIGGER refuse_lines BEFORE INSERT ON order_lines BEGIN SELECT RAISE(ABORT, 'lines refused'); END",
      );
    });
    try {
      // A storage failure is a 500 (the helper throws on it); what matters is what it leaves.
      await expect(checkoutCall(fan.token, hold.holdId)).rejects.toThrow(/server error 500/);
    } finally {
      await runInDurableObject(stub, (_i, state) => {
        state.storage.sql.exec("DROP TRIGGER refuse_lines");
      });
    }
    const holdId = hold.holdId.split("~")[1];
    const left = await runInDurableObject(stub, (_i, state) => ({
      orders: state.storage.sql.exec("SELECT 1 FROM orders WHERE hold_id = ?", holdId).toArray().length,
      hold: state.storage.sql.exec<{ status: string }>("SELECT status FROM holds WHERE id = ?", holdId).one().status,
    }));
    // The order, its lines and the hold's move to checkout are one transaction: all rolled back.
    expect(left).toEqual({ orders: 0, hold: "active" });
    const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
    expect((await order(fan.token, co.orderId)).lines).toHaveLength(1);
  });
});

describe("late paid orders on cancelled events", () => {
  const cancel = (eventId: string, token: string) =>
    call("POST", `/v1/admin/events/${eventId}/status`, { token, body: { status: "cancelled" } });

  it("refunds an order that becomes paid after its event was cancelled", async () => {
    const { event, org, fan, co } = await checkedOut(["A-1-5"]);
    await expectJson(await cancel(event.id, org.token), 200);
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(res.outcome).toBe("refunded_unavailable");
    expect((await order(fan.token, co.orderId)).status).toBe("refunded_unavailable");
    const net = await netOf(co.orderId);
    expect(net).toEqual({ captured: 5000, refunded: 5000, tickets: 0 });
  });

  it("refunds every order whether the payment or the cancellation reaches the object first", async () => {
    const { event, org } = await setupEvent();
    const buyers = await Promise.all(
      ["A-3-5", "A-3-6", "A-3-7", "A-3-8"].map(async (seat) => {
        const { fan, hold } = await fanWithHold(event.id, [seat]);
        const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
        return { fan, co };
      }),
    );
    // Two payments land before the cancellation, two race it.
    for (const b of buyers.slice(0, 2)) await expectJson(await payOnPage(b.co, b.fan.token), 200);
    await Promise.all([
      cancel(event.id, org.token),
      ...buyers.slice(2).map(async (b) => deliver(await signedEvent("payment_intent.succeeded", intentOf(b.co)))),
    ]);
    for (const b of buyers) {
      const o = await until(
        () => order(b.fan.token, b.co.orderId),
        (x) => x.status === "refunded" || x.status === "refunded_unavailable",
      );
      expect(["refunded", "refunded_unavailable"]).toContain(o.status);
      const net = await netOf(b.co.orderId);
      expect(net.captured - net.refunded).toBe(0);
      expect(net.tickets).toBe(0);
    }
  });
});

describe("a refund and its seats' return are one transaction", () => {
  it("refunds nothing when the seats cannot go back, and refunds in full once they can", async () => {
    const { org, event } = await setupEvent();
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { refundDeadlineHours: 24 } }),
      200,
    );
    const { fan, hold } = await fanWithHold(event.id, ["A-2-5"]);
    const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
    await expectJson(await payOnPage(co, fan.token), 200);
    const stub = env.EVENT_INVENTORY.getByName(event.id);
    await runInDurableObject(stub, (_i, state) => {
      state.storage.sql.exec(
        "CREATE TRIGGER refuse_returns BEFORE INSERT ON returns BEGIN SELECT RAISE(ABORT, 'unreachable'); END",
      );
    });
    try {
      await expect(call("POST", `/v1/orders/${co.orderId}/cancel`, { token: fan.token })).rejects.toThrow(
        /server error 500/,
      );
    } finally {
      await runInDurableObject(stub, (_i, state) => {
        state.storage.sql.exec("DROP TRIGGER refuse_returns");
      });
    }
    // Nothing moved: no refund without its seats back, no seats back without the refund.
    expect((await seatMap(event.id))["A-2-5"]).toBe("s");
    expect((await ticketRows(co.orderId)).map((t) => t.status)).toEqual(["valid"]);
    expect((await paymentRows(co.orderId)).filter((p) => p.kind === "refund")).toEqual([]);
    expect((await order(fan.token, co.orderId)).status).toBe("paid");

    const res = await expectJson(await call("POST", `/v1/orders/${co.orderId}/cancel`, { token: fan.token }), 200);
    expect(res.refund).toMatchObject({ amount: 5000, status: "succeeded" });
    expect((await seatMap(event.id))["A-2-5"]).toBe("a");
    expect((await order(fan.token, co.orderId)).status).toBe("refunded");
  });
});
