import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem, type Json } from "../helpers/http";

const venueBody = () => ({
  name: `Hall ${uniq()}`,
  address: "1 Main St",
  city: "Paris",
  country: "FR",
  timezone: "Europe/Paris",
  region: "weur",
});
const smallLayout = {
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
      ],
    },
  ],
  areas: [{ id: "pit", name: "Pit", capacity: 100 }],
};
const eventBody = (venueId: string, layoutId: string) => ({
  venueId,
  layoutId,
  name: `Show ${uniq()}`,
  category: "concert",
  performers: ["The Band"],
  startsAt: "2030-05-01T19:00:00Z",
  endsAt: "2030-05-01T22:00:00Z",
  currency: "EUR",
});

const json = expectJson;

/** An organizer account with a venue, a layout and a draft event. */
async function seed() {
  const org = await createUser({ role: "organizer" });
  const venue = await json(await call("POST", "/v1/admin/venues", { token: org.token, body: venueBody() }), 201);
  const layout = await json(
    await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
      token: org.token,
      body: { name: "Main", layout: smallLayout },
    }),
    201,
  );
  const event = await json(
    await call("POST", "/v1/admin/events", { token: org.token, body: eventBody(venue.id, layout.id) }),
    201,
  );
  return { org, venue, layout, event };
}

describe("admin organizers", () => {
  it("lets an admin create and list organizers, and an organizer see only its own", async () => {
    const admin = await createUser({ role: "admin" });
    const created = await json(
      await call("POST", "/v1/admin/organizers", {
        token: admin.token,
        body: { name: `Acme ${uniq()}`, contactEmail: "a@example.test" },
      }),
      201,
    );
    expect(created).toMatchObject({ id: expect.stringMatching(/^org_/), slug: expect.any(String) });
    const all = await json(await call("GET", "/v1/admin/organizers", { token: admin.token }), 200);
    expect(all.items.map((o: Json) => o.id)).toContain(created.id);
    const org = await createUser({ role: "organizer" });
    const mine = await json(await call("GET", "/v1/admin/organizers", { token: org.token }), 200);
    expect(mine.items.map((o: Json) => o.id)).toEqual([org.organizerId]);
    await expectProblem(
      await call("GET", `/v1/admin/organizers/${created.id}`, { token: org.token }),
      404,
      "not_found",
    );
    await json(await call("GET", `/v1/admin/organizers/${org.organizerId}`, { token: org.token }), 200);
    await expectProblem(
      await call("POST", "/v1/admin/organizers", { token: org.token, body: { name: "x" } }),
      403,
      "forbidden",
    );
    await expectProblem(
      await call("POST", "/v1/admin/organizers", { token: admin.token, body: { name: "x", extra: 1 } }),
      400,
      "validation_failed",
    );
  });

  it("invites members, who join on accepting, and removes them", async () => {
    const org = await createUser({ role: "organizer" });
    const fan = await createUser({ role: "fan" });
    const invited = await json(
      await call("POST", `/v1/admin/organizers/${org.organizerId}/members`, {
        token: org.token,
        body: { email: fan.email },
      }),
      202,
    );
    expect(invited).toMatchObject({ email: fan.email, status: "pending" });
    const joined = await json(await call("POST", `/v1/me/invitations/${invited.id}/accept`, { token: fan.token }), 200);
    expect(joined.member).toMatchObject({ id: fan.id, role: "organizer" });
    const list = await json(
      await call("GET", `/v1/admin/organizers/${org.organizerId}/members`, { token: org.token }),
      200,
    );
    expect(list.items.map((m: Json) => m.id)).toEqual(expect.arrayContaining([org.id, fan.id]));
    const other = await createUser({ role: "organizer" });
    await expectProblem(
      await call("POST", `/v1/admin/organizers/${org.organizerId}/members`, {
        token: org.token,
        body: { email: other.email },
      }),
      409,
      "conflict",
    );
    // An email without an account can be invited: the invitation waits for the sign-up.
    await json(
      await call("POST", `/v1/admin/organizers/${org.organizerId}/members`, {
        token: org.token,
        body: { email: `nobody-${uniq()}@example.test` },
      }),
      202,
    );
    await expectProblem(
      await call("POST", `/v1/admin/organizers/${other.organizerId}/members`, {
        token: org.token,
        body: { email: fan.email },
      }),
      404,
      "not_found",
    );
    const del = await call("DELETE", `/v1/admin/organizers/${org.organizerId}/members/${fan.id}`, { token: org.token });
    expect(del.status).toBe(204);
    const row = await env.DB.prepare("SELECT role, organizer_id FROM users WHERE id = ?").bind(fan.id).first();
    expect(row).toEqual({ role: "fan", organizer_id: null });
  });
});

describe("admin venues and layouts", () => {
  it("creates, lists, reads and patches venues", async () => {
    const { org, venue } = await seed();
    expect(venue).toMatchObject({ organizerId: org.organizerId, country: "FR", createdAt: expect.stringMatching(/T/) });
    const list = await json(await call("GET", "/v1/admin/venues", { token: org.token }), 200);
    expect(list.items.map((v: Json) => v.id)).toEqual([venue.id]);
    const patched = await json(
      await call("PATCH", `/v1/admin/venues/${venue.id}`, { token: org.token, body: { city: "Lyon" } }),
      200,
    );
    expect(patched.city).toBe("Lyon");
    await json(await call("GET", `/v1/admin/venues/${venue.id}`, { token: org.token }), 200);
  });

  it("rejects unknown fields, wrong types, bad zones and countries", async () => {
    const org = await createUser({ role: "organizer" });
    for (const body of [
      { ...venueBody(), extra: true },
      { ...venueBody(), name: 5 },
      { ...venueBody(), timezone: "Mars/Olympus" },
      { ...venueBody(), country: "fr" },
      { ...venueBody(), region: "moon" },
    ]) {
      await expectProblem(await call("POST", "/v1/admin/venues", { token: org.token, body }), 400, "validation_failed");
    }
    await expectProblem(
      await call("POST", "/v1/admin/venues", {
        token: org.token,
        raw: "{nope",
        headers: { "Content-Type": "application/json" },
      }),
      400,
      "malformed_json",
    );
  });

  it("hides other organizers' objects with 404 and shows them to admins", async () => {
    const { venue, layout, event } = await seed();
    const other = await createUser({ role: "organizer" });
    for (const path of [
      `/v1/admin/venues/${venue.id}`,
      `/v1/admin/layouts/${layout.id}`,
      `/v1/admin/events/${event.id}`,
      `/v1/admin/venues/${venue.id}/layouts`,
      `/v1/admin/events/${event.id}/tiers`,
    ]) {
      await expectProblem(await call("GET", path, { token: other.token }), 404, "not_found");
    }
    await expectProblem(
      await call("PATCH", `/v1/admin/venues/${venue.id}`, { token: other.token, body: { city: "X" } }),
      404,
      "not_found",
    );
    await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: other.token,
        body: { name: "x", layout: smallLayout },
      }),
      404,
      "not_found",
    );
    const list = await json(await call("GET", "/v1/admin/events", { token: other.token }), 200);
    expect(list.items).toEqual([]);
    const admin = await createUser({ role: "admin" });
    await json(await call("GET", `/v1/admin/venues/${venue.id}`, { token: admin.token }), 200);
    await json(await call("GET", `/v1/admin/events/${event.id}`, { token: admin.token }), 200);
    const all = await json(await call("GET", "/v1/admin/venues", { token: admin.token }), 200);
    expect(all.items.map((v: Json) => v.id)).toContain(venue.id);
  });

  it("lets an admin create a venue for an organizer, and requires organizerId", async () => {
    const admin = await createUser({ role: "admin" });
    const org = await createUser({ role: "organizer" });
    await expectProblem(
      await call("POST", "/v1/admin/venues", { token: admin.token, body: venueBody() }),
      400,
      "validation_failed",
    );
    const v = await json(
      await call("POST", "/v1/admin/venues", {
        token: admin.token,
        body: { ...venueBody(), organizerId: org.organizerId },
      }),
      201,
    );
    expect(v.organizerId).toBe(org.organizerId);
    await expectProblem(
      await call("POST", "/v1/admin/venues", {
        token: admin.token,
        body: { ...venueBody(), organizerId: "org_missing" },
      }),
      404,
      "not_found",
    );
  });

  it("stores, reads, lists and replaces layouts; generates them", async () => {
    const { org, venue, layout } = await seed();
    expect(layout).toMatchObject({ seatCount: 2, gaCapacity: 100, document: { sections: [{ id: "A" }] } });
    const got = await json(await call("GET", `/v1/admin/layouts/${layout.id}`, { token: org.token }), 200);
    expect(got.document.areas[0].id).toBe("pit");
    const list = await json(await call("GET", `/v1/admin/venues/${venue.id}/layouts`, { token: org.token }), 200);
    expect(list.items).toHaveLength(1);
    const generate = {
      sections: [
        { id: "B", name: "Balcony", rows: 3, seatsPerRow: 4, shape: "curved", aisleEvery: 2, accessibleRows: ["A"] },
      ],
    };
    const put = await json(
      await call("PUT", `/v1/admin/layouts/${layout.id}`, { token: org.token, body: { name: "Gen", generate } }),
      200,
    );
    expect(put).toMatchObject({ name: "Gen", seatCount: 12, gaCapacity: 0 });
    expect(put.document.sections[0].rows[0].seats[0]).toMatchObject({ id: "B-A-1", accessible: true });
    const preview = await json(
      await call("POST", "/v1/admin/layouts/generate", { token: org.token, body: generate }),
      200,
    );
    expect(preview.sections[0].rows.map((r: Json) => r.label)).toEqual(["A", "B", "C"]);
    await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "both", layout: smallLayout, generate },
      }),
      400,
      "validation_failed",
    );
  });

  it("refuses bad layouts with 422 and paths", async () => {
    const { org, venue } = await seed();
    const dup = {
      sections: [
        {
          id: "A",
          name: "S",
          rows: [
            {
              label: "1",
              seats: [
                { id: "s1", label: "1", x: 0, y: 0 },
                { id: "s1", label: "2", x: 1, y: 0 },
              ],
            },
          ],
        },
      ],
    };
    const p = await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "dup", layout: dup },
      }),
      422,
      "layout_invalid",
    );
    expect(p.errors).toEqual([
      expect.objectContaining({ path: "sections.0.rows.0.seats.1.id", code: "duplicate_seat_id" }),
    ]);
    const huge = { sections: [{ id: "H", name: "Huge", rows: 500, seatsPerRow: 1000, shape: "straight" }] };
    const tooMany = await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "huge", generate: huge },
      }),
      422,
      "layout_invalid",
    );
    expect(tooMany.errors).toEqual([expect.objectContaining({ code: "too_many_seats" })]);
    await expectProblem(
      await call("POST", "/v1/admin/layouts/generate", {
        token: org.token,
        body: { sections: [{ id: "X", name: "X", rows: 0, seatsPerRow: 1 }] },
      }),
      400,
      "validation_failed",
    );
    const big = { sections: [{ id: "B", name: "Big", rows: 100, seatsPerRow: 1000, shape: "curved" }] };
    const tooBig = await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "big", generate: big },
      }),
      422,
      "layout_invalid",
    );
    expect(tooBig.errors).toEqual([expect.objectContaining({ code: "document_too_large" })]);
    await expectProblem(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "bad", layout: { sections: "no" } },
      }),
      400,
      "validation_failed",
    );
  });
});
