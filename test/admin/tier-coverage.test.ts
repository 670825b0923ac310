import { describe, expect, it } from "vitest";
import { call, expectJson, expectProblem, type Json } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

const putTiers = (org: Json, eventId: string, tiers: unknown[]) =>
  call("PUT", `/v1/admin/events/${eventId}/tiers`, { token: org.token, body: { tiers } });
const std = { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } };
const pit = { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } };

describe("tiers that cover nothing", () => {
  it("are refused with a 422 naming the tier at its field, on a draft and after publishing", async () => {
    for (const publish of [false, true]) {
      const { org, event } = await setupEvent({ publish, onSale: false });
      for (const appliesTo of [{}, { sections: [], areas: [] }, { rows: [] }]) {
        const p = await expectProblem(
          await putTiers(org, event.id, [std, pit, { key: "vip", name: "VIP lounge", amount: 9000, appliesTo }]),
          422,
          "unprocessable",
        );
        expect(p.errors).toEqual([
          { path: "tiers.2.appliesTo", code: "empty_tier", message: 'tier "VIP lounge" (vip) covers no seat or area' },
        ]);
        expect(p.detail).toContain('tier "VIP lounge" (vip) covers no seat or area');
      }
      const tiers = await expectJson(
        await call("GET", `/v1/admin/events/${event.id}/tiers`, { token: org.token }),
        200,
      );
      expect(tiers.items.map((t: Json) => t.key)).toEqual(["std", "ga"]);
    }
  });

  it("accepts a tier that reaches one row or one seat, or an area alone", async () => {
    const { org, event } = await setupEvent({ publish: false });
    const row = { key: "front", name: "Front row", amount: 8000, appliesTo: { rows: [{ section: "A", row: "1" }] } };
    const seat = { key: "box", name: "Box", amount: 9000, appliesTo: { seats: ["A-2-3"] } };
    await expectJson(await putTiers(org, event.id, [std, row, seat, pit]), 200);
  });
});

describe("publication problems", () => {
  it("name what has no price in the detail and in each problem", async () => {
    const { org, event } = await setupEvent({ publish: false });
    await expectJson(await putTiers(org, event.id, [std]), 200);
    const p = await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }),
      422,
      "publish_refused",
    );
    expect(p.problems).toEqual([
      { code: "unpriced_areas", message: "1 area(s) have no price: pit", areas: ["pit"], count: 1 },
    ]);
    expect(p.detail).toBe("1 problem(s) stop publication: 1 area(s) have no price: pit");
  });
});
