import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem, type Json } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { checkoutCall, fanWithHold, getOrder, paySimulated, simulatedIntent } from "../orders/helpers";

/** The tiers `setupEvent` publishes with, with the standard tier's key and amount replaceable. */
const tiersWith = (std: { key?: string; amount?: number } = {}, ga = 3000) => [
  { key: std.key ?? "std", name: "Standard", amount: std.amount ?? 5000, appliesTo: { sections: ["A"] } },
  { key: "ga", name: "Pit", amount: ga, appliesTo: { areas: ["pit"] } },
];

function putTiers(org: Json, eventId: string, tiers: unknown[]) {
  return call("PUT", `/v1/admin/events/${eventId}/tiers`, { token: org.token, body: { tiers } });
}

function holdCall(token: string, eventId: string, body: unknown) {
  return call("POST", `/v1/events/${eventId}/holds`, { token, body });
}

async function getHold(token: string, holdId: string) {
  return expectJson(await call("GET", `/v1/holds/${encodeURIComponent(holdId)}`, { token }), 200);
}

/** What the PaymentIntent itself asks for, straight from the simulated provider's table. */
async function intentAmount(co: Json): Promise<number | undefined> {
  return (await simulatedIntent(co.payment.reference))?.amount;
}

describe("tier edits after publishing", () => {
  it("a raised price is what a new hold shows and what checkout charges", async () => {
    const { org, event } = await setupEvent();
    await expectJson(await putTiers(org, event.id, tiersWith({ amount: 7000 })), 200);
    // A retry of the same edit (say after a D1 hiccup) converges on the same prices.
    await expectJson(await putTiers(org, event.id, tiersWith({ amount: 7000 })), 200);
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    expect(hold).toMatchObject({ amount: 7000, seats: [{ id: "A-1-1", tier: "std", price: 7000 }] });
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    expect(co.amount).toBe(7000);
    expect((await getOrder(fan.token, co.orderId)).amount).toBe(7000);
    expect(await intentAmount(co)).toBe(7000);
  });

  it("a renamed tier key is what best-available holds ask for", async () => {
    const { org, event } = await setupEvent();
    await expectJson(await putTiers(org, event.id, tiersWith({ key: "stalls" })), 200);
    const fan = await createUser();
    const held = await expectJson(await holdCall(fan.token, event.id, { tier: "stalls", quantity: 2 }), 201);
    expect(held.seats).toHaveLength(2);
    expect(held.seats.map((s: Json) => s.tier)).toEqual(["stalls", "stalls"]);
    expect(held.amount).toBe(10000);
    await expectProblem(await holdCall(fan.token, event.id, { tier: "std", quantity: 2 }), 409, "sold_out");
  });

  it("re-prices an active hold made before the edit, and its checkout charges the new price", async () => {
    const { org, event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1", "A-1-2"]);
    const pit = await expectJson(await holdCall(fan.token, event.id, { area: "pit", quantity: 2 }), 201);
    expect([hold.amount, pit.amount]).toEqual([10000, 6000]);
    await expectJson(await putTiers(org, event.id, tiersWith({ amount: 7000 }, 4000)), 200);
    expect((await getHold(fan.token, hold.holdId)).amount).toBe(14000);
    expect((await getHold(fan.token, pit.holdId)).amount).toBe(8000);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    expect(co.amount).toBe(14000);
    expect(await intentAmount(co)).toBe(14000);
  });

  it("leaves a hold in checkout at the amount its order and PaymentIntent carry", async () => {
    const { org, event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await expectJson(await putTiers(org, event.id, tiersWith({ amount: 7000 })), 200);
    expect((await getHold(fan.token, hold.holdId)).amount).toBe(5000);
    const again = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    expect(again).toMatchObject({ orderId: co.orderId, amount: 5000 });
    expect(await intentAmount(again)).toBe(5000);
  });

  it("refuses tiers that would leave seats or areas of a published event unpriced", async () => {
    const { org, event } = await setupEvent();
    const p = await expectProblem(await putTiers(org, event.id, tiersWith().slice(0, 1)), 422, "unprocessable");
    expect(p.errors).toEqual([expect.objectContaining({ path: "tiers", code: "unpriced_areas" })]);
    const fan = await createUser();
    const pit = await expectJson(await holdCall(fan.token, event.id, { area: "pit", quantity: 1 }), 201);
    expect(pit.amount).toBe(3000);
  });

  it("after a sale answers 409 locked_after_sales and changes no price, in D1 or in the object", async () => {
    const { org, event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await paySimulated(co.payment.paymentUrl);
    await expectProblem(await putTiers(org, event.id, tiersWith({ amount: 7000 })), 409, "locked_after_sales");
    // The object confirms a sale before D1 records first_sale_at: it must refuse on its own.
    await env.DB.prepare("UPDATE events SET first_sale_at = NULL WHERE id = ?").bind(event.id).run();
    const p = await expectProblem(
      await putTiers(org, event.id, tiersWith({ amount: 7000 })),
      409,
      "locked_after_sales",
    );
    expect(p.detail).toMatch(/sold/);
    const tiers = await expectJson(await call("GET", `/v1/admin/events/${event.id}/tiers`, { token: org.token }), 200);
    expect(tiers.items.map((t: Json) => [t.key, t.amount])).toEqual([
      ["std", 5000],
      ["ga", 3000],
    ]);
    const other = await fanWithHold(event.id, ["A-2-1"]);
    expect(other.hold.amount).toBe(5000);
  });
});
