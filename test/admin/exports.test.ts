import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, uniq } from "../helpers/fixtures";
import { parseCsv } from "../helpers/csv";
import { call, expectProblem } from "../helpers/http";
import { ledgerCaughtUp } from "../helpers/ledger";
import { setupEvent } from "../orders/helpers";
import { buy } from "./order-helpers";

type Org = { token: string };

async function download(org: Org, eventId: string, kind: "attendees" | "orders") {
  const res = await call("GET", `/v1/admin/events/${eventId}/exports/${kind}.csv`, { token: org.token });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toBe("text/csv; charset=utf-8");
  expect(res.headers.get("content-disposition")).toMatch(new RegExp(`^attachment; filename=".+-${kind}\\.csv"$`));
  const [header, ...rows] = parseCsv(await res.text());
  return rows.map((r) => Object.fromEntries(header!.map((h, i) => [h, r[i]])));
}

describe("CSV exports of an event", () => {
  it("lists every ticket with its place as people say it, its buyer and its state", async () => {
    const { org, event } = await setupEvent();
    const tag = uniq();
    const alice = await buy(event.id, { seats: ["A-2-3", "A-2-4"] }, { email: `alice.${tag}@example.test` });
    const pit = await buy(event.id, { area: "pit", quantity: 2 }, { email: `=cmd.${tag}@example.test` });
    await buy(event.id, { seats: ["A-4-9"] }, { email: `dave.${tag}@example.test`, pay: false });
    await ledgerCaughtUp(event.id);

    const rows = await download(org, event.id, "attendees");
    expect(rows).toHaveLength(4); // the unpaid order has no tickets
    const a = rows.filter((r) => r.order_id === alice.orderId);
    expect(a.map((r) => r.place).sort()).toEqual(["Stalls · Row 2 · Seat 3", "Stalls · Row 2 · Seat 4"]);
    expect(a[0]).toMatchObject({ tier: "std", price: "50.00", currency: "NOK", status: "valid", checked_in_at: "" });
    expect(a[0]!.buyer_email).toBe(`alice.${tag}@example.test`);
    const p = rows.filter((r) => r.order_id === pit.orderId);
    expect(p.map((r) => r.place).sort()).toEqual(["Pit (standing) · place 1", "Pit (standing) · place 2"]);
    // A buyer-typed value that a spreadsheet would run as a formula arrives defused.
    expect(p[0]!.buyer_email).toBe(`'=cmd.${tag}@example.test`);
  });

  it("lists every order with its state, places and amounts in the currency's precision", async () => {
    const { org, event } = await setupEvent();
    const paid = await buy(event.id, { seats: ["A-1-1", "A-1-2"] });
    const unpaid = await buy(event.id, { seats: ["A-1-5"] }, { pay: false });
    await ledgerCaughtUp(event.id);
    const rows = await download(org, event.id, "orders");
    expect(rows.find((r) => r.order_id === paid.orderId)).toMatchObject({
      status: "paid",
      places: "2",
      amount: "100.00",
      refunded: "0.00",
      currency: "NOK",
    });
    expect(rows.find((r) => r.order_id === unpaid.orderId)).toMatchObject({ status: "pending_payment", paid_at: "" });
    expect(rows).toHaveLength(2);
  });

  it("streams a large event across many pages, every row exactly once", async () => {
    const { org, event } = await setupEvent({ rows: 30, perRow: 40 });
    const buyer = await createUser();
    const now = Date.now();
    const n = 1_150; // more than two of the route's 500-row pages
    const stmts: D1PreparedStatement[] = [];
    for (let i = 0; i < n; i++) {
      const orderId = `${event.id}~ord_bulk${String(i).padStart(5, "0")}`;
      const seat = `A-${Math.floor(i / 40) + 1}-${(i % 40) + 1}`;
      stmts.push(
        env.DB.prepare(
          "INSERT INTO orders (id, user_id, event_id, hold_id, status, amount, currency, email, " +
            "created_at, updated_at) VALUES (?, ?, ?, ?, 'paid', 5000, 'NOK', ?, ?, ?)",
        ).bind(orderId, buyer.id, event.id, `hold_bulk_${i}_${uniq()}`, `bulk${i}@example.test`, now, now),
        env.DB.prepare(
          "INSERT INTO tickets (id, order_id, event_id, user_id, place, seat_id, tier, price, status, code, " +
            "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 'std', 5000, 'valid', 'x', ?, ?)",
        ).bind(`${orderId}~t${i}`, orderId, event.id, buyer.id, seat, seat, now, now),
      );
    }
    for (let i = 0; i < stmts.length; i += 400) await env.DB.batch(stmts.slice(i, i + 400));

    const attendees = await download(org, event.id, "attendees");
    expect(attendees).toHaveLength(n);
    expect(new Set(attendees.map((r) => r.ticket_id)).size).toBe(n);
    const orders = await download(org, event.id, "orders");
    expect(orders).toHaveLength(n);
    expect(new Set(orders.map((r) => r.order_id)).size).toBe(n);
  });

  it("is for the event's organizer: staff may, another organizer gets 404, a fan 403", async () => {
    const { org, event } = await setupEvent();
    const staff = await createUser({ role: "organizer", organizerId: org.organizerId!, organizerRole: "staff" });
    expect((await download(staff, event.id, "orders")).length).toBe(0);
    const stranger = await createUser({ role: "organizer" });
    const path = `/v1/admin/events/${event.id}/exports/attendees.csv`;
    await expectProblem(await call("GET", path, { token: stranger.token }), 404, "not_found");
    await expectProblem(await call("GET", path, { token: (await createUser()).token }), 403, "forbidden");
    await expectProblem(await call("GET", path), 401, "unauthenticated");
  });
});
