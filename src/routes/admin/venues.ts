import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../../domain/text";
import { asc, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { getOrganizer, getVenue } from "../../db/queries/catalog";
import { reindexEvent } from "../../db/queries/event-search";
import { events, venues } from "../../db/schema";
import { REGIONS } from "../../db/schema/constants";
import { listScope, ownerForCreate, visibleOr404 } from "../../domain/catalog-access";
import { notFound } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam, VenueSchema, toVenue } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409);

/** True when the runtime knows the zone; Intl throws a RangeError for anything else. */
function isTimeZone(tz: string): boolean {
  try {
    new Intl.DateTimeFormat("en", { timeZone: tz });
    return true;
  } catch {
    return false;
  }
}

const fields = {
  name: userText({ max: 200 }),
  address: userText({ max: 500 }),
  city: userText({ max: 100 }),
  country: z.string().regex(/^[A-Z]{2}$/, "ISO 3166-1 alpha-2, upper case"),
  timezone: z.string().min(1).max(64).refine(isTimeZone, "not a known IANA time zone"),
  region: z.enum(REGIONS),
};
const CreateVenue = z.strictObject({ ...fields, organizerId: z.string().min(1).max(100).optional() });
const PatchVenue = z.strictObject(fields).partial();
const VenueId = IdParam("id");

/** Venues belong to an organizer; changing one refreshes the search rows of its events. */
export const venueRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminCreateVenue",
      ...base,
      method: "post",
      path: "/venues",
      summary: "Create a venue",
      request: { body: jsonBody(CreateVenue) },
      responses: { 201: jsonResponse(VenueSchema, "Created"), ...errs },
    }),
    async (c) => {
      const { organizerId: requested, ...body } = c.req.valid("json");
      const db = createDb(c.env.DB);
      const organizerId = ownerForCreate(c.var.auth, requested);
      if (!(await getOrganizer(db, organizerId))) throw notFound("Organizer");
      const now = Date.now();
      const [row] = await db
        .insert(venues)
        .values({ id: newId("ven"), organizerId, ...body, createdAt: now, updatedAt: now })
        .returning();
      audit(c, {
        action: "venue.created",
        entityType: "venue",
        entityId: row!.id,
        organizerId: row!.organizerId,
        data: { name: row!.name, city: row!.city },
      });
      return c.json(toVenue(row!), 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminListVenues",
      ...base,
      method: "get",
      path: "/venues",
      summary: "List venues",
      responses: { 200: jsonResponse(z.object({ items: z.array(VenueSchema) }), "Venues"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const scope = listScope(c.var.auth);
      const q = db.select().from(venues);
      const rows = await (scope === null ? q : q.where(eq(venues.organizerId, scope)))
        .orderBy(asc(venues.name))
        .limit(1000);
      return c.json({ items: rows.map(toVenue) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetVenue",
      ...base,
      method: "get",
      path: "/venues/{id}",
      summary: "Get a venue",
      request: { params: VenueId },
      responses: { 200: jsonResponse(VenueSchema, "Venue"), ...errs },
    }),
    async (c) => {
      const row = visibleOr404(c.var.auth, await getVenue(createDb(c.env.DB), c.req.valid("param").id), "Venue");
      return c.json(toVenue(row), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminUpdateVenue",
      ...base,
      method: "patch",
      path: "/venues/{id}",
      summary: "Update a venue",
      request: { params: VenueId, body: jsonBody(PatchVenue) },
      responses: { 200: jsonResponse(VenueSchema, "Venue"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const venue = visibleOr404(c.var.auth, await getVenue(db, c.req.valid("param").id), "Venue");
      const [row] = await db
        .update(venues)
        .set({ ...c.req.valid("json"), updatedAt: Date.now() })
        .where(eq(venues.id, venue.id))
        .returning();
      // Search rows carry the venue's name and city, so every event held there must be refreshed.
      const held = await db.select({ id: events.id }).from(events).where(eq(events.venueId, venue.id));
      for (const e of held) await reindexEvent(c.env.DB, e.id);
      audit(c, {
        action: "venue.updated",
        entityType: "venue",
        entityId: venue.id,
        organizerId: venue.organizerId,
        data: { fields: Object.keys(c.req.valid("json")) },
      });
      return c.json(toVenue(row!), 200);
    },
  );
