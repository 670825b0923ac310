import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { uniq } from "../helpers/fixtures";
import { seedEvent, seedVenue } from "../helpers/catalog";

/** Calls the app with the edge cache switched on, waiting for the cache write to land. */
async function cachedGet(url: string, headers: Record<string, string> = {}) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(url, { headers }), { ...env, LIST_CACHE_SECONDS: "5" }, ctx);
  const body = (await res.json()) as { items: { id: string }[] };
  await waitOnExecutionContext(ctx);
  return { res, ids: body.items.map((i) => i.id) };
}

describe("GET /v1/events edge cache", () => {
  it("serves a repeated request from the cache with max-age", async () => {
    const city = `Cached${uniq()}`;
    const venue = await seedVenue({ city });
    const first = await seedEvent({ venueId: venue.id });
    const url = `http://edge.test/v1/events?city=${city}`;
    const a = await cachedGet(url);
    expect(a.res.headers.get("cache-control")).toBe("public, max-age=5");
    expect(a.ids).toEqual([first.id]);
    await seedEvent({ venueId: venue.id });
    const b = await cachedGet(url);
    expect(b.ids).toEqual([first.id]);
    expect(b.res.headers.get("cache-control")).toBe("public, max-age=5");
    // A different URL is a different key, so the new event shows there.
    expect((await cachedGet(`${url}&limit=50`)).ids).toHaveLength(2);
  });

  it("does not replay one caller's CORS or request-id headers to another", async () => {
    const url = `http://edge.test/v1/events?city=Cors${uniq()}`;
    const a = await cachedGet(url, { Origin: "http://localhost:8787", "X-Request-Id": "first-req" });
    expect(a.res.headers.get("access-control-allow-origin")).toBe("http://localhost:8787");
    const b = await cachedGet(url, { Origin: "http://127.0.0.1:8787" });
    expect(b.res.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8787");
    expect(b.res.headers.get("x-request-id")).not.toBe("first-req");
    const c = await cachedGet(url, { Origin: "https://evil.example" });
    expect(c.res.headers.get("access-control-allow-origin")).toBeNull();
    expect(c.res.headers.get("cache-control")).toBe("public, max-age=5");
  });
});
