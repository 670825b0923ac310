import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers/http";
import { uniq } from "../helpers/fixtures";
import { DAY, seedEvent, seedVenue } from "../helpers/catalog";

type Item = {
  id: string;
  name: string;
  startsAt: string;
  status: string;
  salesStatus: string;
  venue: { city: string; timezone: string };
  priceFrom: { amount: number; currency: string } | null;
};
type Page = { items: Item[]; nextCursor: string | null };

async function list(query: Record<string, string>): Promise<Page> {
  const res = await call("GET", `/v1/events?${new URLSearchParams(query)}`);
  if (res.status !== 200) throw new Error(`list failed ${res.status}: ${await res.text()}`);
  return (await res.json()) as Page;
}

describe("GET /v1/events", () => {
  it("lists visible events of a city and excludes drafts and cancelled ones", async () => {
    const city = `Lyon${uniq()}`;
    const venue = await seedVenue({ city, timezone: "America/Chicago" });
    const shown = await seedEvent({ venueId: venue.id, tiers: [7000, 2500] });
    const published = await seedEvent({ venueId: venue.id, status: "published" });
    await seedEvent({ venueId: venue.id, status: "draft" });
    await seedEvent({ venueId: venue.id, status: "cancelled" });
    const page = await list({ city: city.toUpperCase() });
    expect(page.items.map((i) => i.id).sort()).toEqual([shown.id, published.id].sort());
    const item = page.items.find((i) => i.id === shown.id)!;
    expect(item).toMatchObject({
      status: "on_sale",
      salesStatus: "on_sale",
      priceFrom: { amount: 2500, currency: "EUR" },
      // The venue's zone comes with every card, so the site can show the time as the venue reads it.
      venue: { city, timezone: "America/Chicago" },
    });
    expect(page.items.find((i) => i.id === published.id)!.salesStatus).toBe("upcoming");
  });

  it("searches by performer, venue name and city, never returning drafts", async () => {
    const term = `zq${uniq()}`;
    const byPerformer = await seedEvent({ performers: ["Someone", `${term}band`] });
    const byVenue = await seedEvent({ venue: { name: `Arena ${term}` } });
    const byCity = await seedEvent({ venue: { city: `${term}ville` } });
    await seedEvent({ status: "draft", performers: [`${term}band`] });
    const page = await list({ q: term });
    expect(page.items.map((i) => i.id).sort()).toEqual([byPerformer.id, byVenue.id, byCity.id].sort());
    expect((await list({ q: `${term}band someone` })).items.map((i) => i.id)).toEqual([byPerformer.id]);
  });

  it("treats FTS syntax in q as plain text instead of failing", async () => {
    for (const q of ['"AND OR NEAR(* ^', "*", '"', "a:b OR (c", "^^^"]) {
      const res = await call("GET", `/v1/events?${new URLSearchParams({ q })}`);
      expect(res.status, q).toBe(200);
    }
  });

  it("filters by category, date range and onSaleNow", async () => {
    const city = `Nantes${uniq()}`;
    const venue = await seedVenue({ city, country: "BE" });
    const t0 = Date.now() + 30 * DAY;
    const early = await seedEvent({ venueId: venue.id, category: "sports", startsAt: t0 });
    const mid = await seedEvent({
      venueId: venue.id,
      category: "concert",
      startsAt: t0 + 2 * DAY,
      status: "published",
    });
    const late = await seedEvent({
      venueId: venue.id,
      category: "concert",
      startsAt: t0 + 4 * DAY,
      salesStartAt: Date.now() + DAY,
    });
    const ids = (p: Page) => p.items.map((i) => i.id);
    expect(ids(await list({ city, category: "sports" }))).toEqual([early.id]);
    expect(ids(await list({ city, country: "be" }))).toEqual([early.id, mid.id, late.id]);
    expect(ids(await list({ city, country: "FR" }))).toEqual([]);
    const from = new Date(t0 + DAY).toISOString();
    const to = new Date(t0 + 3 * DAY).toISOString();
    expect(ids(await list({ city, from, to }))).toEqual([mid.id]);
    expect(ids(await list({ city, from }))).toEqual([mid.id, late.id]);
    expect(ids(await list({ city, onSaleNow: "true" }))).toEqual([early.id]);
  });

  it("walks every page in order without duplicates", async () => {
    const city = `Paged${uniq()}`;
    const venue = await seedVenue({ city });
    const t0 = Date.now() + 20 * DAY;
    const seeded = [];
    // Two events share a start time so the id tie-breaker is exercised.
    for (let i = 0; i < 7; i++)
      seeded.push(await seedEvent({ venueId: venue.id, startsAt: t0 + Math.floor(i / 2) * DAY }));
    const expected = [...seeded].sort((a, b) => a.startsAt - b.startsAt || (a.id < b.id ? -1 : 1)).map((e) => e.id);
    const seen: string[] = [];
    let cursor: string | null = null;
    let pages = 0;
    do {
      const page: Page = await list({ city, limit: "3", ...(cursor ? { cursor } : {}) });
      seen.push(...page.items.map((i) => i.id));
      cursor = page.nextCursor;
      pages++;
    } while (cursor && pages < 10);
    expect(pages).toBe(3);
    expect(seen).toEqual(expected);
  });

  it("rejects a bad cursor and invalid query values with 400", async () => {
    for (const qs of [
      "cursor=not-a-cursor",
      `cursor=${btoa("x:y")}`,
      "limit=abc",
      "limit=0",
      "limit=101",
      "category=nope",
      "from=notadate",
      "country=FRA",
    ]) {
      await expectProblem(await call("GET", `/v1/events?${qs}`), 400, "validation_failed");
    }
  });

  it("sets Cache-Control and documents the route in OpenAPI", async () => {
    const res = await call("GET", `/v1/events?city=None${uniq()}`);
    expect(res.headers.get("cache-control")).toBe("no-store");
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as { paths: Record<string, unknown> };
    expect(Object.keys(doc.paths)).toEqual(
      expect.arrayContaining(["/v1/events", "/v1/events/{id}", "/v1/venues/{id}"]),
    );
  });
});
