import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signAdmission } from "../../src/domain/admission";
import { QueueTicketSchema } from "../../src/routes/queue";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, paySimulated } from "../orders/helpers";
import { eventWithRoom, join } from "./helpers";

const SECRET = (env as unknown as { JWT_SECRET: string }).JWT_SECRET;
const hold = (eventId: string, token: string, admission?: string) =>
  call("POST", `/v1/events/${eventId}/holds`, {
    token,
    body: { seats: ["A-1-1"] },
    headers: admission ? { "X-Admission-Token": admission } : {},
  });
const mint = (sub: string, evt: string, expInS = 600) => {
  const now = Math.floor(Date.now() / 1000);
  return signAdmission({ sub, evt, tkt: "qt_test", iat: now, exp: now + expInS }, SECRET);
};

describe("POST /v1/events/:id/holds while the waiting room is on", () => {
  it("answers 403 admission_required without a token", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    const p = await expectProblem(await hold(event.id, fan.token), 403, "admission_required");
    expect(p.detail).toContain("X-Admission-Token");
  });

  it("answers 403 admission_invalid for another user's token", async () => {
    const { event } = await eventWithRoom();
    const [fan, other] = [await createUser(), await createUser()];
    const p = await expectProblem(
      await hold(event.id, fan.token, await mint(other.id, event.id)),
      403,
      "admission_invalid",
    );
    expect(p.reason).toBe("wrong_user");
  });

  it("answers 403 admission_invalid for another event's token", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    const p = await expectProblem(
      await hold(event.id, fan.token, await mint(fan.id, "evt_other")),
      403,
      "admission_invalid",
    );
    expect(p.reason).toBe("wrong_event");
  });

  it("answers 403 for an expired, forged or access token", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    expect(
      (await expectProblem(await hold(event.id, fan.token, await mint(fan.id, event.id, -1)), 403, "admission_invalid"))
        .reason,
    ).toBe("expired");
    const forged = `${(await mint(fan.id, event.id)).slice(0, -4)}AAAA`;
    expect((await expectProblem(await hold(event.id, fan.token, forged), 403, "admission_invalid")).reason).toBe(
      "signature",
    );
    await expectProblem(await hold(event.id, fan.token, fan.token), 403, "admission_invalid");
  });

  it("holds with the token the room hands an admitted fan", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    const { ticket } = await join(event.id, fan.token);
    expect(ticket.state).toBe("waiting");
    await runDurableObjectAlarm(env.WAITING_ROOM.getByName(event.id));
    const admitted = QueueTicketSchema.parse(
      await expectJson(await call("GET", `/v1/events/${event.id}/queue/${ticket.ticket}`, { token: fan.token }), 200),
    );
    expect(admitted.state).toBe("admitted");
    await expectJson(await hold(event.id, fan.token, admitted.admission!.token), 201);
  });

  it("a fan who pays stops counting as shopping, so the slot frees at once", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    const { ticket } = await join(event.id, fan.token);
    await runDurableObjectAlarm(env.WAITING_ROOM.getByName(event.id));
    const admitted = QueueTicketSchema.parse(
      await expectJson(await call("GET", `/v1/events/${event.id}/queue/${ticket.ticket}`, { token: fan.token }), 200),
    );
    const held = await expectJson(await hold(event.id, fan.token, admitted.admission!.token), 201);
    const co = await expectJson(await checkoutCall(fan.token, held.holdId), 201);
    await paySimulated(co.payment.paymentUrl);
    const after = QueueTicketSchema.parse(
      await expectJson(await call("GET", `/v1/events/${event.id}/queue/${ticket.ticket}`, { token: fan.token }), 200),
    );
    expect(after.state).toBe("left");
  });

  it("needs no token once the organizer switches the room off", async () => {
    const { event, org } = await eventWithRoom();
    await expectJson(
      await call("PUT", `/v1/admin/events/${event.id}/queue`, {
        token: org.token,
        body: { enabled: false, ratePerMinute: 600, maxShopping: 100 },
      }),
      200,
    );
    const fan = await createUser();
    await expectJson(await hold(event.id, fan.token), 201);
  });
});
