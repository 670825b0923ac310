import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../../db/client";
import { getVenue } from "../../db/queries/catalog";
import { inventoryStub } from "../../domain/event-lifecycle";
import { inventoryError } from "../../domain/inventory-errors";
import { AppError } from "../../errors";
import { userText } from "../../domain/text";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { managedEvent } from "./events";
import { IdParam } from "./schemas";
import type { AppEnv } from "../../env";
import type { Context } from "hono";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409, 422);
const EventId = IdParam("id");
const Seats = z.array(z.string().min(1).max(100)).min(1).max(1000);
/** Why the seats are held back ("camera position", "sightline"): kept in the audit trail and answered back. */
const Reason = userText({ max: 500 }).openapi({ description: "Why, for the audit trail; required to block" });
const BlockInput = z.strictObject({ seats: Seats, reason: Reason });
const UnblockInput = z.strictObject({ seats: Seats, reason: Reason.optional() });
const BlockResult = z.object({
  changed: z.array(z.string()),
  version: z.number().int(),
  reason: z.string().nullable(),
});
const Counts = z.object({
  version: z.number().int(),
  tiers: z.record(
    z.string(),
    z.object({
      available: z.number().int(),
      held: z.number().int(),
      sold: z.number().int(),
      blocked: z.number().int(),
    }),
  ),
  areas: z.array(
    z.object({
      id: z.string(),
      tier: z.string().nullable(),
      price: z.number().int(),
      capacity: z.number().int(),
      held: z.number().int(),
      sold: z.number().int(),
      remaining: z.number().int(),
    }),
  ),
});

/** The managed, published event's inventory stub (drafts have no inventory yet: 409). */
async function stubFor(c: Context<AppEnv>, id: string) {
  const db = createDb(c.env.DB);
  const event = await managedEvent(db, c.var.auth, id);
  if (event.status === "draft") throw new AppError("conflict", "A draft event has no inventory; publish it first");
  const venue = await getVenue(db, event.venueId);
  return {
    event,
    stub: inventoryStub(c.env.EVENT_INVENTORY, event.id, venue?.region as DurableObjectLocationHint | undefined),
  };
}

/** Blocks or unblocks seats in the object and audits what actually changed, with the organizer's reason. */
async function changeBlocks(
  c: Context<AppEnv>,
  id: string,
  { seats, reason }: { seats: string[]; reason?: string },
  action: "block" | "unblock",
) {
  const { event, stub } = await stubFor(c, id);
  const r = action === "block" ? await stub.block(seats) : await stub.unblock(seats);
  if (!r.ok) throw inventoryError(r, "Event");
  audit(c, {
    action: action === "block" ? "seats.blocked" : "seats.unblocked",
    entityType: "event",
    entityId: event.id,
    organizerId: event.organizerId,
    eventId: event.id,
    data: { seats: r.changed, reason: reason ?? null },
  });
  return { changed: r.changed, version: r.version, reason: reason ?? null };
}

export const inventoryRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminBlockSeats",
      ...base,
      method: "post",
      path: "/events/{id}/seats/block",
      summary: "Block seats from sale",
      description: "A reason is required; it is kept in the audit trail (`seats.blocked`) and answered back.",
      request: { params: EventId, body: jsonBody(BlockInput) },
      responses: { 200: jsonResponse(BlockResult, "Blocked"), ...errs },
    }),
    async (c) => c.json(await changeBlocks(c, c.req.valid("param").id, c.req.valid("json"), "block"), 200),
  )
  .openapi(
    createRoute({
      operationId: "adminUnblockSeats",
      ...base,
      method: "post",
      path: "/events/{id}/seats/unblock",
      summary: "Return blocked seats to sale",
      request: { params: EventId, body: jsonBody(UnblockInput) },
      responses: { 200: jsonResponse(BlockResult, "Unblocked"), ...errs },
    }),
    async (c) => c.json(await changeBlocks(c, c.req.valid("param").id, c.req.valid("json"), "unblock"), 200),
  )
  .openapi(
    createRoute({
      operationId: "adminGetInventory",
      ...base,
      method: "get",
      path: "/events/{id}/inventory",
      summary: "Inventory counts per tier and area",
      request: { params: EventId },
      responses: { 200: jsonResponse(Counts, "Counts"), ...errs },
    }),
    async (c) => {
      const { stub } = await stubFor(c, c.req.valid("param").id);
      return c.json(await stub.inventory(), 200);
    },
  );
