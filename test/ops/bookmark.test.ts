import { orderLedgerCaughtUp } from "../helpers/ledger";
import { describe, expect, it } from "vitest";
import { call, expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, setupEvent } from "../orders/helpers";

const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/;

describe("D1 read sessions (x-d1-bookmark)", () => {
  it("event list and event page return a bookmark, and sending it back reads at least that fresh", async () => {
    const { event } = await setupEvent();
    const first = await call("GET", `/v1/events/${event.id}`);
    expect(first.status).toBe(200);
    const bookmark = first.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(BOOKMARK);

    const again = await call("GET", `/v1/events/${event.id}`, { headers: { "x-d1-bookmark": bookmark! } });
    expect((await expectJson(again, 200)).id).toBe(event.id);
    const next = again.headers.get("x-d1-bookmark");
    expect(next).toMatch(BOOKMARK);
    expect(next! >= bookmark!).toBe(true); // bookmarks order lexically

    const list = await call("GET", "/v1/events", { headers: { "x-d1-bookmark": next! } });
    expect(list.status).toBe(200);
    expect(list.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
  });

  it("a fan reads their own new order, then reads again with the bookmark they were given", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    // The list reads D1, the ledger, which trails the order's object by a moment.
    await orderLedgerCaughtUp(co.orderId);

    const list = await call("GET", "/v1/orders", { token: fan.token });
    expect((await expectJson(list, 200)).items.map((o: { id: string }) => o.id)).toContain(co.orderId);
    const bookmark = list.headers.get("x-d1-bookmark");
    expect(bookmark).toMatch(BOOKMARK);

    const one = await call("GET", `/v1/orders/${co.orderId}`, {
      token: fan.token,
      headers: { "x-d1-bookmark": bookmark! },
    });
    // One order is read from its object (always current), so a bookmark sent along is simply unused.
    expect((await expectJson(one, 200)).id).toBe(co.orderId);
  });

  it("ignores a malformed bookmark instead of failing the read", async () => {
    const { event } = await setupEvent();
    const res = await call("GET", `/v1/events/${event.id}`, { headers: { "x-d1-bookmark": "not-a-bookmark" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-d1-bookmark")).toMatch(BOOKMARK);
  });
});
