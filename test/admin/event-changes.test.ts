import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { until } from "../helpers/wait";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";

describe("editing a published event", () => {
  it("new limits reach the inventory: holds over the new per-order limit are refused", async () => {
    const { org, event } = await setupEvent();
    const fan = await createUser();
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { maxSeatsPerOrder: 2 } }),
      200,
    );
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, {
        token: fan.token,
        body: { seats: ["A-1-1", "A-1-2", "A-1-3"] },
      }),
      422,
      "limit_exceeded",
    );
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1", "A-1-2"] } }),
      201,
    );
  });

  it("moving the start tells every ticket holder", async () => {
    const { org, event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await paySimulated(co.payment.paymentUrl);
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, {
        token: org.token,
        body: { startsAt: "2030-06-02T19:00:00Z", endsAt: "2030-06-02T23:00:00Z" },
      }),
      200,
    );
    const row = await until(
      () =>
        env.DB.prepare("SELECT recipient, status FROM notifications WHERE kind = 'event_rescheduled' AND order_id = ?")
          .bind(co.orderId)
          .first<{ recipient: string; status: string }>(),
      (r) => r?.status === "sent",
    );
    expect(row).toEqual({ recipient: fan.email, status: "sent" });
  });
});
