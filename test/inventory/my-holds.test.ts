import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, expireHold, fanWithHold, paySimulated } from "../orders/helpers";
import { setupEvent } from "./helpers";

const mine = (eventId: string, token?: string) =>
  call("GET", `/v1/holds?mine=true&event=${encodeURIComponent(eventId)}`, { token });

describe("GET /v1/holds?mine=true&event=…", () => {
  it("lists the caller's live holds with seat labels, never another fan's", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-3", "A-2-4"]);
    const ga = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { area: "pit", quantity: 2 } }),
      201,
    );
    const { fan: other, hold: theirs } = await fanWithHold(event.id, ["A-1-1"]);
    const list = await expectJson(await mine(event.id, fan.token), 200);
    expect(list.items.map((h: { holdId: string }) => h.holdId).sort()).toEqual([hold.holdId, ga.holdId].sort());
    const seats = list.items.find((h: { holdId: string }) => h.holdId === hold.holdId);
    expect(seats).toMatchObject({
      eventId: event.id,
      status: "active",
      kind: "seats",
      amount: 10000,
      currency: "NOK",
      expiresAt: hold.expiresAt,
      orderId: null,
    });
    expect(seats.seats).toEqual(
      expect.arrayContaining([
        { id: "A-2-3", label: "Stalls · Row 2 · Seat 3", tier: "std", price: 5000 },
        { id: "A-2-4", label: "Stalls · Row 2 · Seat 4", tier: "std", price: 5000 },
      ]),
    );
    const area = list.items.find((h: { holdId: string }) => h.holdId === ga.holdId);
    expect(area).toMatchObject({ kind: "area", seats: [], area: { id: "pit", quantity: 2, label: "Pit (standing)" } });
    const theirList = await expectJson(await mine(event.id, other.token), 200);
    expect(theirList.items.map((h: { holdId: string }) => h.holdId)).toEqual([theirs.holdId]);
  });

  it("shows a checkout with its order and deadline; released, expired and paid holds drop out", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-3-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    const [checking] = (await expectJson(await mine(event.id, fan.token), 200)).items;
    expect(checking).toMatchObject({ holdId: hold.holdId, status: "checking_out", orderId: co.orderId });
    expect(checking.expiresAt).toBe(co.expiresAt);

    const released = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-3-2"] } }),
      201,
    );
    const expired = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-3-3"] } }),
      201,
    );
    const live = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-3-4"] } }),
      201,
    );
    expect((await expectJson(await mine(event.id, fan.token), 200)).items).toHaveLength(4);
    const del = await call("DELETE", `/v1/holds/${encodeURIComponent(released.holdId)}`, { token: fan.token });
    expect(del.status).toBe(204);
    await expireHold(expired.holdId);
    await paySimulated(co.payment.paymentUrl, undefined, fan.token);
    const after = await expectJson(await mine(event.id, fan.token), 200);
    expect(after.items.map((h: { holdId: string }) => h.holdId)).toEqual([live.holdId]);
  });

  it("needs a sign-in, mine=true and an event; unknown or junk events create no object", async () => {
    const { event } = await setupEvent();
    await expectProblem(await mine(event.id), 401, "unauthenticated");
    const fan = await createUser();
    await expectProblem(await call("GET", "/v1/holds?mine=true", { token: fan.token }), 400, "validation_failed");
    await expectProblem(
      await call("GET", `/v1/holds?event=${event.id}`, { token: fan.token }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await call("GET", `/v1/holds?mine=false&event=${event.id}`, { token: fan.token }),
      400,
      "validation_failed",
    );
    expect((await expectJson(await mine(event.id, fan.token), 200)).items).toEqual([]);
    for (const id of [newId("evt"), `junk${crypto.randomUUID()}`]) {
      await expectProblem(await mine(id, fan.token), 404, "not_found");
      const ids = new Set((await listDurableObjectIds(env.EVENT_INVENTORY)).map(String));
      expect(ids.has(String(env.EVENT_INVENTORY.idFromName(id)))).toBe(false);
    }
    const draft = await setupEvent({ publish: false });
    await expectProblem(await mine(draft.event.id, fan.token), 404, "not_found");
  });
});
