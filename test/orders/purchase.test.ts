import { describe, expect, it } from "vitest";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, getOrder, paySimulated, setupEvent } from "./helpers";

describe("purchase with the simulated provider", () => {
  it("holds, checks out, pays on the local page and gets one signed ticket per seat", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1", "A-1-2"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    expect(co).toMatchObject({
      status: "pending_payment",
      amount: 10000,
      currency: "NOK",
      payment: { provider: "simulated" },
    });
    expect(co.payment.paymentUrl).toMatch(/^\/v1\/pay\/simulated\/pi_sim_/);

    const paid = await paySimulated(co.payment.paymentUrl, undefined, fan.token);
    expect(paid).toMatchObject({ result: "succeeded", webhook: { status: 200, outcome: "paid" } });

    const order = await getOrder(fan.token, co.orderId);
    expect(order.status).toBe("paid");
    expect(order.tickets.map((t: { place: string }) => t.place).sort()).toEqual(["A-1-1", "A-1-2"]);
    const seats = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(seats.seats["A-1-1"]).toBe("s");
  });

  it("a declined card releases the seats at once and fails the order", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    const declined = await paySimulated(co.payment.paymentUrl, "4000 0000 0000 0002", fan.token);
    expect(declined).toMatchObject({ result: "declined", webhook: { status: 200, outcome: "failed" } });
    expect((await getOrder(fan.token, co.orderId)).status).toBe("failed");
    const seats = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(seats.seats["A-2-1"]).toBe("a");
  });

  it("checkout needs an Idempotency-Key", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-3-1"]);
    await expectProblem(
      await call("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, { token: fan.token }),
      400,
      "idempotency_key_missing",
    );
  });
});
