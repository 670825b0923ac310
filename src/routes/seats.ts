import { createRoute, z } from "@hono/zod-openapi";
import { inventoryStub } from "../domain/event-lifecycle";
import { notFound } from "../errors";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const SeatMap = z
  .object({
    version: z.number().int(),
    seats: z.record(z.string(), z.enum(["a", "h", "s", "b"])).openapi({ description: "a available, h held, s sold, b blocked" }),
    areas: z.record(z.string(), z.number().int()).openapi({ description: "Remaining capacity per GA area" }),
  })
  .openapi("SeatMap");
const EventParam = z.object({ id: z.string().min(1).max(100).openapi({ param: { name: "id", in: "path" } }) });

/** Live seat map; `ETag: "v<version>"` lets clients revalidate with If-None-Match. */
export const seats = createRouter().openapi(
  createRoute({ method: "get", path: "/events/{id}/seats", tags: ["events"], summary: "Live seat availability", request: { params: EventParam }, responses: { 200: jsonResponse(SeatMap, "Seat map"), 304: { description: "Not modified" }, ...pickProblems(404) } }),
  async (c) => {
    const { id } = c.req.valid("param");
    const e = await c.env.DB.prepare(`SELECT e.status, v.region FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ?`).bind(id).first<{ status: string; region: string }>();
    if (!e || e.status === "draft") throw notFound("Event");
    const stub = inventoryStub(c.env.EVENT_INVENTORY, id, e.region as DurableObjectLocationHint);
    c.header("Cache-Control", "no-cache");
    const inm = c.req.header("If-None-Match");
    const matches = (version: number) => !!inm && inm.split(",").map((s) => s.trim().replace(/^W\//, "")).includes(`"v${version}"`);
    // A revalidating client costs one integer, not a 20,000-seat map.
    if (inm) {
      const version = await stub.currentVersion();
      if (matches(version)) {
        c.header("ETag", `"v${version}"`);
        return c.body(null, 304);
      }
    }
    const snap = await stub.snapshot();
    c.header("ETag", `"v${snap.version}"`);
    if (matches(snap.version)) return c.body(null, 304);
    return c.json(snap, 200);
  },
);
