import { ledgerCaughtUp } from "../helpers/ledger";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { until } from "../helpers/wait";
import { reconcilePayments } from "../../src/domain/reconcile";
import { SimulatedProvider } from "../../src/payments/simulated";
import { expectJson } from "../helpers/http";
import { checkoutCall, expireHold, fanWithHold, getOrder, runPayments, seatMap, setupEvent } from "./helpers";

describe("abandoned checkouts", () => {
  it("a lapsed checkout's PaymentIntent is cancelled through the object's outbox and the payments queue", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-5"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await expireHold(hold.holdId);
    expect((await seatMap(event.id))["A-1-5"]).toBe("a");
    // Nothing here calls the consumer: the object queued cancel_payment, the queue delivered it.
    const order = await until(
      () => getOrder(fan.token, co.orderId),
      (o) => o.status === "expired",
    );
    expect(order.status).toBe("expired");
    const intent = await until(
      () => new SimulatedProvider(env.SIMULATED_GATEWAY).get(co.payment.reference),
      (i) => i?.status === "canceled",
    );
    expect(intent?.status).toBe("canceled");
  });
});

describe("reconciliation (cron)", () => {
  it("queues a cancel for orders still pending past their hold deadline", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-5"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    const later = Date.parse(co.expiresAt) + 3 * 60 * 1000;
    // The cron reads the ledger (D1), which trails the object by a moment.
    await ledgerCaughtUp(event.id);
    const result = await reconcilePayments(env, later);
    expect(result.orders).toBeGreaterThanOrEqual(1);
    const stale = await env.DB.prepare("SELECT COUNT(*) AS n FROM orders WHERE id = ? AND hold_expires_at < ?")
      .bind(co.orderId, later - 120_000)
      .first<{ n: number }>();
    expect(stale?.n).toBe(1);
  });

  it("a payment that succeeded but whose webhook never came is applied when the cancel finds it paid", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-3-5", "A-3-6"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    // The fan paid at the provider, and the webhook was lost.
    expect(await new SimulatedProvider(env.SIMULATED_GATEWAY).settle(co.payment.reference, "succeeded")).toBe(true);
    const result = await runPayments([{ type: "cancel_payment", orderId: co.orderId }]);
    expect(result.explicitAcks).toHaveLength(1);
    const order = await getOrder(fan.token, co.orderId);
    expect(order.status).toBe("paid");
    expect(order.tickets.map((t: { place: string }) => t.place).sort()).toEqual(["A-3-5", "A-3-6"]);
    expect((await seatMap(event.id))["A-3-5"]).toBe("s");
  });
});
