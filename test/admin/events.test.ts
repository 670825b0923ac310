import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem, type Json } from "../helpers/http";

const layoutDoc = {
  sections: [
    {
      id: "A",
      name: "Stalls",
      rows: [
        {
          label: "1",
          seats: [
            { id: "A-1-1", label: "1", x: 0, y: 0 },
            { id: "A-1-2", label: "2", x: 1, y: 0 },
          ],
        },
        { label: "2", seats: [{ id: "A-2-1", label: "1", x: 0, y: 1 }] },
      ],
    },
  ],
  areas: [{ id: "pit", name: "Pit", capacity: 50 }],
};

const json = expectJson;

async function seed() {
  const org = await createUser({ role: "organizer" });
  const venueBody = {
    name: `Arena ${uniq()}`,
    address: "2 Quay",
    city: "Oslo",
    country: "NO",
    timezone: "Europe/Oslo",
    region: "weur",
  };
  const venue = await json(await call("POST", "/v1/admin/venues", { token: org.token, body: venueBody }), 201);
  const layout = await json(
    await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
      token: org.token,
      body: { name: "Main", layout: layoutDoc },
    }),
    201,
  );
  const body = {
    venueId: venue.id,
    layoutId: layout.id,
    name: `Gig ${uniq()}`,
    category: "concert",
    startsAt: "2030-06-01T19:00:00Z",
    endsAt: "2030-06-01T23:00:00+02:00",
    currency: "NOK",
  };
  const event = await json(await call("POST", "/v1/admin/events", { token: org.token, body }), 201);
  return { org, venue, layout, event, body };
}
const allPriced = [
  { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
  { key: "vip", name: "VIP", amount: 9000, currency: "NOK", appliesTo: { seats: ["A-1-1"], areas: ["pit"] } },
];

describe("admin events", () => {
  it("creates a draft with a frozen snapshot, lists, reads and patches it", async () => {
    const { org, layout, event } = await seed();
    expect(event).toMatchObject({
      status: "draft",
      holdSeconds: 300,
      maxSeatsPerOrder: 10,
      startsAt: "2030-06-01T19:00:00.000Z",
      layoutId: layout.id,
    });
    await json(
      await call("PUT", `/v1/admin/layouts/${layout.id}`, {
        token: org.token,
        body: { name: "Changed", generate: { sections: [{ id: "Z", name: "Z", rows: 1, seatsPerRow: 1 }] } },
      }),
      200,
    );
    const detail = await json(await call("GET", `/v1/admin/events/${event.id}`, { token: org.token }), 200);
    expect(detail.layout).toMatchObject({ seatCount: 3, gaCapacity: 50, sections: [{ id: "A", rows: 2, seats: 3 }] });
    expect(detail.tiers).toEqual([]);
    const list = await json(await call("GET", "/v1/admin/events", { token: org.token }), 200);
    expect(list.items.map((e: Json) => e.id)).toEqual([event.id]);
    const patched = await json(
      await call("PATCH", `/v1/admin/events/${event.id}`, {
        token: org.token,
        body: { name: "Renamed", performers: ["X"], layoutId: layout.id },
      }),
      200,
    );
    expect(patched.name).toBe("Renamed");
    const again = await json(await call("GET", `/v1/admin/events/${event.id}`, { token: org.token }), 200);
    expect(again.layout.sections[0].id).toBe("Z");
  });

  it("validates event input", async () => {
    const { org, event, body } = await seed();
    for (const bad of [
      { ...body, extra: 1 },
      { ...body, holdSeconds: 10 },
      { ...body, currency: "eur" },
      { ...body, startsAt: "tomorrow" },
      { ...body, maxSeatsPerOrder: "5" },
      { ...body, category: "opera" },
    ]) {
      await expectProblem(
        await call("POST", "/v1/admin/events", { token: org.token, body: bad }),
        400,
        "validation_failed",
      );
    }
    await expectProblem(
      await call("POST", "/v1/admin/events", { token: org.token, body: { ...body, endsAt: body.startsAt } }),
      422,
      "unprocessable",
    );
    await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, {
        token: org.token,
        body: { endsAt: "2000-01-01T00:00:00Z" },
      }),
      422,
      "unprocessable",
    );
    await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { status: "closed" } }),
      400,
      "validation_failed",
    );
    const other = await createUser({ role: "organizer" });
    await expectProblem(await call("POST", "/v1/admin/events", { token: other.token, body }), 404, "not_found");
    await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: other.token, body: { name: "x" } }),
      404,
      "not_found",
    );
  });

  it("refuses to publish with unpriced seats, then publishes and moves through the lifecycle", async () => {
    const { org, event } = await seed();
    const refused = await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }),
      422,
      "publish_refused",
    );
    expect((refused.problems as Json[]).map((p) => p.code)).toEqual(["no_tiers", "unpriced_seats", "unpriced_areas"]);
    await json(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: [allPriced[0]] } }),
      200,
    );
    const partial = await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }),
      422,
      "publish_refused",
    );
    expect(partial.problems).toEqual([expect.objectContaining({ code: "unpriced_areas", areas: ["pit"] })]);
    const tiers = await json(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: allPriced } }),
      200,
    );
    expect(tiers.items.map((t: Json) => t.key)).toEqual(["std", "vip"]);
    const got = await json(await call("GET", `/v1/admin/events/${event.id}/tiers`, { token: org.token }), 200);
    expect(got.items[1]).toMatchObject({ currency: "NOK", amount: 9000 });
    const published = await json(await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }), 200);
    expect(published).toMatchObject({ status: "published", publishedAt: expect.any(String) });
    await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }),
      409,
      "invalid_transition",
    );
    await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "closed" } }),
      409,
      "invalid_transition",
    );
    const onSale = await json(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "on_sale" } }),
      200,
    );
    expect(onSale.status).toBe("on_sale");
    await json(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "closed" } }),
      200,
    );
    await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "cancelled" } }),
      409,
      "invalid_transition",
    );
    await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "published" } }),
      400,
      "validation_failed",
    );
  });

  it("cancels a draft", async () => {
    const { org, event } = await seed();
    const res = await json(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "cancelled" } }),
      200,
    );
    expect(res).toMatchObject({ status: "cancelled", cancelledAt: expect.any(String) });
  });

  it("rejects tiers naming unknown seats, rows, sections or areas, or another currency", async () => {
    const { org, event } = await seed();
    const bad = [
      {
        key: "x",
        name: "X",
        amount: 1,
        currency: "EUR",
        appliesTo: { sections: ["Q"], rows: [{ section: "A", row: "9" }], seats: ["nope"], areas: ["lawn"] },
      },
    ];
    const p = await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: bad } }),
      422,
      "unprocessable",
    );
    expect((p.errors as Json[]).map((e) => e.path).sort()).toEqual([
      "tiers.0.appliesTo.areas.0",
      "tiers.0.appliesTo.rows.0",
      "tiers.0.appliesTo.seats.0",
      "tiers.0.appliesTo.sections.0",
      "tiers.0.currency",
    ]);
    await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, {
        token: org.token,
        body: { tiers: [{ ...allPriced[0], amount: -1 }] },
      }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, {
        token: org.token,
        body: { tiers: [{ ...allPriced[0], amount: 1.5 }] },
      }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, {
        token: org.token,
        body: { tiers: [allPriced[0], allPriced[0]] },
      }),
      422,
      "unprocessable",
    );
  });

  it("locks tiers and layout after the first sale", async () => {
    const { org, event, layout } = await seed();
    await json(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: allPriced } }),
      200,
    );
    await env.DB.prepare("UPDATE events SET first_sale_at = ? WHERE id = ?").bind(Date.now(), event.id).run();
    await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: allPriced } }),
      409,
      "locked_after_sales",
    );
    await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { layoutId: layout.id } }),
      409,
      "locked_after_sales",
    );
    const ok = await json(
      await call("PATCH", `/v1/admin/events/${event.id}`, {
        token: org.token,
        body: { description: "Still editable" },
      }),
      200,
    );
    expect(ok.firstSaleAt).toEqual(expect.any(String));
  });

  it("lets an admin create an event for an organizer and see it", async () => {
    const { org, body } = await seed();
    const admin = await createUser({ role: "admin" });
    const e = await json(
      await call("POST", "/v1/admin/events", { token: admin.token, body: { ...body, organizerId: org.organizerId } }),
      201,
    );
    expect(e.organizerId).toBe(org.organizerId);
    const mine = await json(await call("GET", "/v1/admin/events", { token: org.token }), 200);
    expect(mine.items.map((x: Json) => x.id)).toContain(e.id);
  });

  it("lists published events in search and lists admin routes in the OpenAPI document", async () => {
    const { org, event } = await seed();
    await json(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: allPriced } }),
      200,
    );
    await json(await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }), 200);
    const fts = await env.DB.prepare("SELECT city FROM events_fts WHERE event_id = ?").bind(event.id).first();
    expect(fts).toEqual({ city: "Oslo" });
    const doc = await json(await call("GET", "/v1/openapi.json"), 200);
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining([
        "/v1/admin/events/{id}/tiers",
        "/v1/admin/venues/{venueId}/layouts",
        "/v1/admin/layouts/generate",
      ]),
    );
  });
});
