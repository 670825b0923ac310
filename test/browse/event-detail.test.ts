import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers/http";
import { DAY, seedEvent, seedVenue } from "../helpers/catalog";

describe("GET /v1/events/{id}", () => {
  it("returns details, venue, tiers and salesStatus", async () => {
    const e = await seedEvent({
      name: "Gala",
      description: "A night",
      performers: ["Ann"],
      tiers: [9000, 4500],
      venue: { name: "Opera", city: "Paris" },
    });
    const res = await call("GET", `/v1/events/${e.id}`);
    expect(res.status).toBe(200);
    const body = (await res.json()) as Record<string, unknown>;
    expect(body).toMatchObject({
      id: e.id,
      name: "Gala",
      description: "A night",
      performers: ["Ann"],
      status: "on_sale",
      salesStatus: "on_sale",
      holdSeconds: 300,
      maxSeatsPerOrder: 10,
      currency: "EUR",
      startsAt: new Date(e.startsAt).toISOString(),
      venue: { name: "Opera", city: "Paris", country: "FR", timezone: "Europe/Paris", address: "1 Main Street" },
      tiers: [
        { key: "t0", name: "Tier 0", amount: 9000, currency: "EUR" },
        { key: "t1", name: "Tier 1", amount: 4500, currency: "EUR" },
      ],
    });
  });

  it("shows cancelled events as cancelled", async () => {
    const e = await seedEvent({ status: "cancelled" });
    const body = (await (await call("GET", `/v1/events/${e.id}`)).json()) as { salesStatus: string };
    expect(body.salesStatus).toBe("cancelled");
  });

  it("answers 404 for drafts and unknown ids", async () => {
    const draft = await seedEvent({ status: "draft" });
    await expectProblem(await call("GET", `/v1/events/${draft.id}`), 404, "not_found");
    await expectProblem(await call("GET", "/v1/events/evt_nope"), 404, "not_found");
  });
});

describe("GET /v1/venues/{id}", () => {
  it("returns the venue with its count of upcoming visible events", async () => {
    const venue = await seedVenue({ name: "Dome", city: "Lille" });
    await seedEvent({ venueId: venue.id });
    await seedEvent({ venueId: venue.id, status: "published" });
    await seedEvent({ venueId: venue.id, status: "draft" });
    await seedEvent({ venueId: venue.id, startsAt: Date.now() - 2 * DAY });
    const res = await call("GET", `/v1/venues/${venue.id}`);
    expect(res.status).toBe(200);
    expect(await res.json()).toEqual({
      id: venue.id,
      name: "Dome",
      address: "1 Main Street",
      city: "Lille",
      country: "FR",
      timezone: "Europe/Paris",
      upcomingEventCount: 2,
    });
  });

  it("answers 404 for an unknown venue", async () => {
    await expectProblem(await call("GET", "/v1/venues/ven_nope"), 404, "not_found");
  });
});
