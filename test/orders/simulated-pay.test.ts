import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkedOut, getOrder } from "./helpers";

describe("the simulated pay page acts only for the intent's own fan", () => {
  it("answers 404 to another fan, who can neither see nor decline the intent, and the seats stay held", async () => {
    const { event, fan, co } = await checkedOut(["A-3-4"]);
    const stranger = await createUser();
    const url = co.payment.paymentUrl!;
    await expectProblem(await call("GET", url, { token: stranger.token }), 404, "not_found");
    const declined = await call("POST", url, { token: stranger.token, body: { action: "decline" } });
    await expectProblem(declined, 404, "not_found");
    const paid = await call("POST", url, { token: stranger.token, body: { card: "4242 4242 4242 4242" } });
    await expectProblem(paid, 404, "not_found");
    expect((await getOrder(fan.token, co.orderId)).status).toBe("pending_payment");
    const seats = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(seats.seats["A-3-4"]).toBe("h");
  });

  it("needs the fan's bearer token: without one it answers 401", async () => {
    const { fan, co } = await checkedOut(["A-3-5"]);
    const url = co.payment.paymentUrl!;
    await expectProblem(await call("GET", url), 401, "unauthenticated");
    await expectProblem(await call("POST", url, { body: { action: "decline" } }), 401, "unauthenticated");
    expect((await getOrder(fan.token, co.orderId)).status).toBe("pending_payment");
  });

  it("lets the order's own fan see the intent and pay it", async () => {
    const { fan, co } = await checkedOut(["A-4-5"]);
    const url = co.payment.paymentUrl!;
    const seen = await expectJson(await call("GET", url, { token: fan.token }), 200);
    expect(seen).toMatchObject({ orderId: co.orderId, status: "requires_payment_method", amount: co.amount });
    const paid = await call("POST", url, { token: fan.token, body: { card: "4242 4242 4242 4242" } });
    expect(await expectJson(paid, 200)).toMatchObject({ result: "succeeded", orderId: co.orderId });
    expect((await getOrder(fan.token, co.orderId)).status).toBe("paid");
  });
});
