import { createRoute, z } from "@hono/zod-openapi";
import { LISTED_STATUSES } from "../db/queries/event-search";
import { notFound } from "../errors";
import { createRouter } from "./router";
import { jsonResponse, pickProblems } from "./problem-responses";

const VenueDetail = z
  .object({
    id: z.string(),
    name: z.string(),
    address: z.string(),
    city: z.string(),
    country: z.string(),
    timezone: z.string(),
    upcomingEventCount: z.number().int().openapi({ description: "Publicly listed events that have not started yet" }),
  })
  .openapi("VenueDetail");

const getRoute = createRoute({
  operationId: "getVenue",
  security: [],
  method: "get",
  path: "/{id}",
  tags: ["venues"],
  summary: "Public venue details",
  request: { params: z.object({ id: z.string().max(64) }) },
  responses: { 200: jsonResponse(VenueDetail, "The venue"), ...pickProblems(404) },
});

type VenueRow = Omit<z.infer<typeof VenueDetail>, "upcomingEventCount"> & { upcoming: number };

/** Public venue lookup; the count uses the same visibility rule as the event list. */
export const venues = createRouter().openapi(getRoute, async (c) => {
  const { id } = c.req.valid("param");
  const statuses = LISTED_STATUSES.map((s) => `'${s}'`).join(",");
  const v = await c.env.DB.prepare(
    `SELECT v.id, v.name, v.address, v.city, v.country, v.timezone,
       (SELECT count(*) FROM events e
         WHERE e.venue_id = v.id AND e.status IN (${statuses}) AND e.starts_at > ?) AS upcoming
     FROM venues v WHERE v.id = ?`,
  )
    .bind(Date.now(), id)
    .first<VenueRow>();
  if (!v) throw notFound("Venue");
  const { upcoming, ...rest } = v;
  return c.json({ ...rest, upcomingEventCount: upcoming }, 200);
});
