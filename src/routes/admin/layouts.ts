import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../../domain/text";
import { and, asc, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { getLayout, getVenue } from "../../db/queries/catalog";
import { seatLayouts } from "../../db/schema";
import { visibleOr404 } from "../../domain/catalog-access";
import { LayoutSchema, assertValidLayout, type Layout } from "../../domain/layout";
import { GenerateLayoutSchema, generateLayout } from "../../domain/layout-generator";
import { AppError } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam, LayoutSummarySchema, LayoutWithDocSchema, toLayoutSummary, toLayoutWithDoc } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 422);
/** Either a full document or a compact description to generate one from — exactly one. */
const LayoutInput = z.strictObject({
  name: userText({ max: 200 }),
  layout: LayoutSchema.optional(),
  generate: GenerateLayoutSchema.optional(),
});

/** Resolves the document to store and its totals, throwing 422 layout_invalid on any problem. */
function documentFrom(body: z.infer<typeof LayoutInput>): { document: Layout; seatCount: number; gaCapacity: number } {
  if ((body.layout === undefined) === (body.generate === undefined)) {
    throw new AppError("validation_failed", "Give exactly one of `layout` or `generate`", {
      extra: { errors: [{ path: "layout", message: "exactly one of layout or generate is required" }] },
    });
  }
  const document = body.layout ?? generateLayout(body.generate!);
  const totals = assertValidLayout(document);
  assertStorable(document);
  return { document, ...totals };
}

/** D1 refuses values over ~2 MB; a generated layout can pass the seat ceiling yet exceed that. */
const MAX_DOCUMENT_BYTES = 1_900_000;
function assertStorable(document: Layout) {
  const bytes = new TextEncoder().encode(JSON.stringify(document)).length;
  if (bytes > MAX_DOCUMENT_BYTES) {
    throw new AppError("layout_invalid", "The seat layout is too large to store", {
      extra: {
        errors: [
          {
            path: "",
            code: "document_too_large",
            message: `the layout document is ${bytes} bytes; the limit is ${MAX_DOCUMENT_BYTES}`,
          },
        ],
      },
    });
  }
}

/** Seat layouts of venues. Events snapshot a layout, so editing one never moves sold seats. */
export const layoutRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminGenerateLayout",
      ...base,
      method: "post",
      path: "/layouts/generate",
      summary: "Generate a layout document without saving it",
      request: { body: jsonBody(GenerateLayoutSchema) },
      responses: { 200: jsonResponse(LayoutSchema, "Generated layout"), ...errs },
    }),
    async (c) => {
      const document = generateLayout(c.req.valid("json"));
      assertValidLayout(document);
      return c.json(document, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminCreateLayout",
      ...base,
      method: "post",
      path: "/venues/{venueId}/layouts",
      summary: "Create a seat layout",
      request: { params: IdParam("venueId"), body: jsonBody(LayoutInput) },
      responses: { 201: jsonResponse(LayoutWithDocSchema, "Created"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const venue = visibleOr404(c.var.auth, await getVenue(db, c.req.valid("param").venueId), "Venue");
      const body = c.req.valid("json");
      const doc = documentFrom(body);
      const now = Date.now();
      const [row] = await db
        .insert(seatLayouts)
        .values({
          id: newId("lay"),
          organizerId: venue.organizerId,
          venueId: venue.id,
          name: body.name,
          ...doc,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      audit(c, {
        action: "layout.created",
        entityType: "layout",
        entityId: row!.id,
        organizerId: row!.organizerId,
        data: { venueId: venue.id, name: row!.name, seatCount: row!.seatCount, gaCapacity: row!.gaCapacity },
      });
      return c.json(toLayoutWithDoc(row!), 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminListVenueLayouts",
      ...base,
      method: "get",
      path: "/venues/{venueId}/layouts",
      summary: "List a venue's layouts",
      request: { params: IdParam("venueId") },
      responses: { 200: jsonResponse(z.object({ items: z.array(LayoutSummarySchema) }), "Layouts"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const venue = visibleOr404(c.var.auth, await getVenue(db, c.req.valid("param").venueId), "Venue");
      const rows = await db
        .select()
        .from(seatLayouts)
        .where(and(eq(seatLayouts.venueId, venue.id)))
        .orderBy(asc(seatLayouts.createdAt));
      return c.json({ items: rows.map(toLayoutSummary) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetLayout",
      ...base,
      method: "get",
      path: "/layouts/{id}",
      summary: "Get a layout with its document",
      request: { params: IdParam("id") },
      responses: { 200: jsonResponse(LayoutWithDocSchema, "Layout"), ...errs },
    }),
    async (c) => {
      const row = visibleOr404(c.var.auth, await getLayout(createDb(c.env.DB), c.req.valid("param").id), "Layout");
      return c.json(toLayoutWithDoc(row), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminReplaceLayout",
      ...base,
      method: "put",
      path: "/layouts/{id}",
      summary: "Replace a layout (events keep their snapshot)",
      request: { params: IdParam("id"), body: jsonBody(LayoutInput) },
      responses: { 200: jsonResponse(LayoutWithDocSchema, "Layout"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const layout = visibleOr404(c.var.auth, await getLayout(db, c.req.valid("param").id), "Layout");
      const body = c.req.valid("json");
      const doc = documentFrom(body);
      const [row] = await db
        .update(seatLayouts)
        .set({ name: body.name, ...doc, updatedAt: Date.now() })
        .where(eq(seatLayouts.id, layout.id))
        .returning();
      audit(c, {
        action: "layout.updated",
        entityType: "layout",
        entityId: layout.id,
        organizerId: layout.organizerId,
        data: { name: row!.name, seatCount: row!.seatCount, gaCapacity: row!.gaCapacity },
      });
      return c.json(toLayoutWithDoc(row!), 200);
    },
  );
