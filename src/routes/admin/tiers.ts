import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { listTiers } from "../../db/queries/catalog";
import { priceTiers } from "../../db/schema";
import type { Layout } from "../../domain/layout";
import { tierReferenceProblems } from "../../domain/pricing";
import { AppError, type FieldError } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { managedEvent } from "./events";
import { AppliesToSchema, IdParam, TierSchema, toTier } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409, 422);
const TierInput = z.strictObject({
  key: z
    .string()
    .min(1)
    .max(64)
    .regex(/^[A-Za-z0-9_-]+$/, "letters, digits, _ and - only"),
  name: z.string().trim().min(1).max(200),
  amount: z.number().int().min(0).max(100_000_000),
  currency: z
    .string()
    .regex(/^[A-Z]{3}$/)
    .optional(),
  appliesTo: AppliesToSchema,
});
const PutTiers = z.strictObject({ tiers: z.array(TierInput).max(200) });
const Tiers = z.object({ items: z.array(TierSchema) });

/** Price tiers of an event, replaced as a whole so the mapping is always consistent. */
export const tierRoutes = createRouter()
  .openapi(
    createRoute({
      ...base,
      method: "get",
      path: "/events/{id}/tiers",
      summary: "List an event's price tiers",
      request: { params: IdParam("id") },
      responses: { 200: jsonResponse(Tiers, "Tiers"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      return c.json({ items: (await listTiers(db, event.id)).map(toTier) }, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      method: "put",
      path: "/events/{id}/tiers",
      summary: "Replace all price tiers",
      request: { params: IdParam("id"), body: jsonBody(PutTiers) },
      responses: { 200: jsonResponse(Tiers, "Tiers"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      // Tickets already sold carry their price; changing tiers afterwards would make refunds and reports lie.
      if (event.firstSaleAt != null)
        throw new AppError("locked_after_sales", "Prices cannot change once tickets have been sold");
      const { tiers } = c.req.valid("json");
      const problems: FieldError[] = tierReferenceProblems(event.layoutSnapshot as Layout, tiers);
      tiers.forEach((t, i) => {
        if (t.currency !== undefined && t.currency !== event.currency)
          problems.push({
            path: `tiers.${i}.currency`,
            code: "currency_mismatch",
            message: `the event is priced in ${event.currency}`,
          });
      });
      if (problems.length > 0)
        throw new AppError("unprocessable", `${problems.length} problem(s) in the price tiers`, {
          extra: { errors: problems },
        });
      const now = Date.now();
      const rows = tiers.map((t, i) => ({
        id: newId("tier"),
        eventId: event.id,
        key: t.key,
        name: t.name,
        amount: t.amount,
        currency: event.currency,
        appliesTo: t.appliesTo,
        sort: i,
        createdAt: now,
        updatedAt: now,
      }));
      // One batch so readers never see a half-replaced set of tiers.
      const del = db.delete(priceTiers).where(eq(priceTiers.eventId, event.id));
      if (rows.length > 0) await db.batch([del, ...rows.map((r) => db.insert(priceTiers).values(r))]);
      else await del;
      audit(c, {
        action: "tiers.replaced",
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: { tiers: tiers.map((t) => ({ key: t.key, amount: t.amount })) },
      });
      return c.json({ items: (await listTiers(db, event.id)).map(toTier) }, 200);
    },
  );
