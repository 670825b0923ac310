import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../../domain/text";
import { createDb } from "../../db/client";
import { listTiers } from "../../db/queries/catalog";
import { replaceTiers } from "../../domain/tier-edits";
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
  name: userText({ max: 200 }),
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
      operationId: "adminListTiers",
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
      operationId: "adminReplaceTiers",
      ...base,
      method: "put",
      path: "/events/{id}/tiers",
      summary: "Replace all price tiers",
      description:
        "On a published event, seats, GA areas and active holds take the new prices and keys at once. " +
        "409 `locked_after_sales` once anything has sold.",
      request: { params: IdParam("id"), body: jsonBody(PutTiers) },
      responses: { 200: jsonResponse(Tiers, "Tiers"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const { tiers } = c.req.valid("json");
      await replaceTiers(db, c.env.EVENT_INVENTORY, event, tiers);
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
