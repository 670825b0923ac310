import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { inventoryStub } from "../domain/event-lifecycle";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { notModified } from "./conditional";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const SeatMap = z
  .object({
    version: z.number().int(),
    seats: z
      .record(z.string(), z.enum(["a", "h", "s", "b"]))
      .openapi({ description: "a available, h held, s sold, b blocked" }),
    areas: z.record(z.string(), z.number().int()).openapi({ description: "Remaining capacity per GA area" }),
  })
  .openapi("SeatMap");
const EventParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

const cacheKey = (eventId: string) => new Request(`https://seat-cache.internal/v1/events/${eventId}/seats`);

/** Answers from a cached map, honouring If-None-Match. */
function fromCached(c: Context<AppEnv>, cached: Response): Response {
  const etag = cached.headers.get("ETag");
  if (notModified(c.req.header("If-None-Match"), etag))
    return c.body(null, 304, { ETag: etag!, "Cache-Control": "no-cache" });
  return new Response(cached.body, {
    status: 200,
    headers: {
      "Content-Type": "application/json",
      ETag: etag ?? "",
      "Cache-Control": "no-cache",
      "X-Seat-Cache": "hit",
    },
  });
}

/**
 * Live seat map (the read side). The snapshot is kept in the colo's edge cache for
 * SEAT_CACHE_SECONDS, so browsing traffic during a flash sale costs the inventory object one
 * snapshot per second per colo instead of one per fan; live clients get deltas over the socket.
 * `ETag: "v<version>"` lets clients revalidate; `Cache-Control: no-cache` on the request skips the cache.
 */
export const seats = createRouter().openapi(
  createRoute({
    operationId: "getEventSeats",
    security: [],
    method: "get",
    path: "/events/{id}/seats",
    tags: ["events"],
    summary: "Live seat availability",
    request: { params: EventParam },
    responses: { 200: jsonResponse(SeatMap, "Seat map"), 304: { description: "Not modified" }, ...pickProblems(404) },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const ttl = Number(c.env.SEAT_CACHE_SECONDS ?? "1");
    const useCache = ttl > 0 && !/no-cache/i.test(c.req.header("Cache-Control") ?? "");
    if (useCache) {
      const cached = await caches.default.match(cacheKey(id));
      if (cached) return fromCached(c, cached);
    }
    const e = await c.env.DB.prepare(
      `SELECT e.status, v.region FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ?`,
    )
      .bind(id)
      .first<{ status: string; region: string }>();
    if (!e || e.status === "draft") throw notFound("Event");
    const stub = inventoryStub(c.env.EVENT_INVENTORY, id, e.region as DurableObjectLocationHint);
    c.header("Cache-Control", "no-cache");
    const inm = c.req.header("If-None-Match");
    // A revalidating client costs one integer, not a 20,000-seat map.
    if (inm && !useCache) {
      const version = await stub.currentVersion();
      if (notModified(inm, `"v${version}"`)) return c.body(null, 304, { ETag: `"v${version}"` });
    }
    const snap = await stub.snapshot();
    const etag = `"v${snap.version}"`;
    if (ttl > 0) {
      const body = JSON.stringify(snap);
      const put = caches.default.put(
        cacheKey(id),
        new Response(body, {
          headers: { "Content-Type": "application/json", ETag: etag, "Cache-Control": `public, max-age=${ttl}` },
        }),
      );
      c.executionCtx.waitUntil(put.catch(() => undefined));
      if (notModified(inm, etag)) return c.body(null, 304, { ETag: etag });
      return c.body(body, 200, { "Content-Type": "application/json", ETag: etag });
    }
    c.header("ETag", etag);
    if (notModified(inm, etag)) return c.body(null, 304);
    return c.json(snap, 200);
  },
);
