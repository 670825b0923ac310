import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../db/client";
import { getEvent, getVenue } from "../db/queries/catalog";
import { eventIcs } from "../domain/ics";
import { notFound } from "../errors";
import { pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const EventParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

/**
 * "Add to calendar": the event as an iCalendar file. Public like the event itself (drafts answer
 * 404 like unknown ids), so the site can offer it as a plain link; times are in UTC, which every
 * calendar shows in its owner's zone.
 */
export const eventCalendar = createRouter().openapi(
  createRoute({
    operationId: "getEventCalendar",
    security: [],
    method: "get",
    path: "/events/{id}/calendar.ics",
    tags: ["events"],
    summary: "The event as an iCalendar (.ics) file",
    request: { params: EventParam },
    responses: {
      200: { description: "RFC 5545 calendar with one event", content: { "text/calendar": { schema: z.string() } } },
      ...pickProblems(404),
    },
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const event = await getEvent(db, c.req.valid("param").id);
    if (!event || event.status === "draft") throw notFound("Event");
    const venue = await getVenue(db, event.venueId);
    const base = (c.env.PUBLIC_BASE_URL || new URL(c.req.url).origin).replace(/\/+$/, "");
    const ics = eventIcs({
      uid: `${event.id}@edge-tickets`,
      name: event.name,
      description: event.description,
      location: venue ? [venue.name, venue.address, venue.city, venue.country].filter(Boolean).join(", ") : "",
      startsAt: event.startsAt,
      endsAt: event.endsAt,
      updatedAt: event.updatedAt,
      url: `${base}/events/${encodeURIComponent(event.id)}`,
    });
    return c.body(ics, 200, {
      "Content-Type": "text/calendar; charset=utf-8",
      "Content-Disposition": `attachment; filename="${event.id}.ics"`,
      "Cache-Control": "public, max-age=60",
    });
  },
);
