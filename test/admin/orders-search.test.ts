import { describe, expect, it } from "vitest";
import { AdminOrderPageSchema } from "../../src/routes/admin/order-schemas";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { ledgerCaughtUp } from "../helpers/ledger";
import { setupEvent } from "../orders/helpers";
import { buy } from "./order-helpers";

type Org = { token: string; organizerId: string | null };

/** The ids the list answers for `query`, after re-parsing the page with the route's schema. */
async function search(org: Org, eventId: string, query: string) {
  const res = await call("GET", `/v1/admin/events/${eventId}/orders?${query}`, { token: org.token });
  return AdminOrderPageSchema.parse(await expectJson(res, 200));
}
const ids = async (org: Org, eventId: string, query: string) =>
  (await search(org, eventId, query)).items.map((o) => o.id);

/** One event with three paid orders (two fans by name, one GA) and one left unpaid. */
async function scene() {
  const { org, event } = await setupEvent();
  const tag = uniq();
  const alice = await buy(event.id, { seats: ["A-2-3", "A-2-4"] }, { email: `alice.${tag}@example.test` });
  const bob = await buy(event.id, { seats: ["A-3-1"] }, { email: `bob.${tag}@example.test` });
  const pit = await buy(event.id, { area: "pit", quantity: 2 }, { email: `carol.${tag}@example.test` });
  const unpaid = await buy(event.id, { seats: ["A-4-9"] }, { email: `dave.${tag}@example.test`, pay: false });
  await ledgerCaughtUp(event.id);
  return { org, event, tag, alice, bob, pit, unpaid };
}

describe("GET /v1/admin/events/:id/orders (search)", () => {
  it("finds orders by part of the buyer's email, in any case", async () => {
    const s = await scene();
    expect(await ids(s.org, s.event.id, `email=${`ALICE.${s.tag}`.toUpperCase()}`)).toEqual([s.alice.orderId]);
    expect(await ids(s.org, s.event.id, `email=${s.tag}%40EXAMPLE`)).toHaveLength(4);
    // A LIKE wildcard typed by the organizer is a literal character, not "anything".
    expect(await ids(s.org, s.event.id, "email=%25")).toEqual([]);
    expect(await ids(s.org, s.event.id, `q=Bob.${s.tag}`)).toEqual([s.bob.orderId]);
  });

  it("finds an order by its whole id or by its ord_ part", async () => {
    const s = await scene();
    const ordPart = s.bob.orderId.split("~")[1]!;
    expect(await ids(s.org, s.event.id, `orderId=${encodeURIComponent(s.bob.orderId)}`)).toEqual([s.bob.orderId]);
    expect(await ids(s.org, s.event.id, `orderId=${ordPart.toUpperCase()}`)).toEqual([s.bob.orderId]);
    expect(await ids(s.org, s.event.id, `q=${ordPart}`)).toEqual([s.bob.orderId]);
  });

  it("finds orders by seat id, by the seat's label as tickets show it, or as people say it", async () => {
    const s = await scene();
    for (const seat of ["A-2-4", "a-2-4", "Stalls · Row 2 · Seat 4", "row 2 seat 4", "Stalls 2 4"])
      expect(await ids(s.org, s.event.id, `seat=${encodeURIComponent(seat)}`), seat).toEqual([s.alice.orderId]);
    expect(await ids(s.org, s.event.id, "seat=Pit")).toEqual([s.pit.orderId]);
    expect(await ids(s.org, s.event.id, `q=${encodeURIComponent("Row 3 Seat 1")}`)).toEqual([s.bob.orderId]);
    expect(await ids(s.org, s.event.id, `seat=${encodeURIComponent("Balcony 2 4")}`)).toEqual([]);
    expect(await ids(s.org, s.event.id, "seat=A-1-1")).toEqual([]);
  });

  it("filters by status, alone and with another criterion", async () => {
    const s = await scene();
    expect(await ids(s.org, s.event.id, "status=pending_payment")).toEqual([s.unpaid.orderId]);
    const paid = await ids(s.org, s.event.id, "status=paid");
    expect(paid.sort()).toEqual([s.alice.orderId, s.bob.orderId, s.pit.orderId].sort());
    expect(await ids(s.org, s.event.id, `status=paid&email=dave.${s.tag}`)).toEqual([]);
    await expectProblem(
      await call("GET", `/v1/admin/events/${s.event.id}/orders?status=lost`, { token: s.org.token }),
      400,
      "validation_failed",
    );
  });

  it("names each order's places as people read them", async () => {
    const s = await scene();
    const { items } = await search(s.org, s.event.id, `email=alice.${s.tag}`);
    expect(items[0]).toMatchObject({
      email: `alice.${s.tag}@example.test`,
      status: "paid",
      amount: 10000,
      places: [
        { place: "A-2-3", label: "Stalls · Row 2 · Seat 3", quantity: 1 },
        { place: "A-2-4", label: "Stalls · Row 2 · Seat 4", quantity: 1 },
      ],
    });
    const pit = (await search(s.org, s.event.id, "seat=pit")).items[0]!;
    expect(pit.places).toEqual([{ place: "pit", label: "Pit (standing)", quantity: 2 }]);
  });

  it("pages newest first with a cursor, every order exactly once; a forged cursor is a 400", async () => {
    const s = await scene();
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page = await search(s.org, s.event.id, `limit=1${cursor ? `&cursor=${encodeURIComponent(cursor)}` : ""}`);
      seen.push(...page.items.map((o) => o.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(4);
    const all = await search(s.org, s.event.id, "limit=10");
    expect(all.nextCursor).toBeNull();
    expect(seen).toEqual(all.items.map((o) => o.id));
    expect(seen).toEqual([s.unpaid.orderId, s.pit.orderId, s.bob.orderId, s.alice.orderId]);
    const created = all.items.map((o) => Date.parse(o.createdAt));
    expect([...created].sort((a, b) => b - a)).toEqual(created);
    await expectProblem(
      await call("GET", `/v1/admin/events/${s.event.id}/orders?cursor=not-ours`, { token: s.org.token }),
      400,
      "validation_failed",
    );
  });

  it("lets the event's staff search, and answers 404 to another organizer", async () => {
    const s = await scene();
    const staff = await createUser({ role: "organizer", organizerId: s.org.organizerId!, organizerRole: "staff" });
    expect(await ids(staff, s.event.id, `email=bob.${s.tag}`)).toEqual([s.bob.orderId]);
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(
      await call("GET", `/v1/admin/events/${s.event.id}/orders?email=bob`, { token: stranger.token }),
      404,
      "not_found",
    );
    const fan = await createUser();
    await expectProblem(
      await call("GET", `/v1/admin/events/${s.event.id}/orders`, { token: fan.token }),
      403,
      "forbidden",
    );
  });
});
