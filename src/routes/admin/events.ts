import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../../domain/text";
import { desc, eq } from "drizzle-orm";
import { createDb, type Db } from "../../db/client";
import { getEvent, getLayout, getOrganizer, getVenue, listTiers } from "../../db/queries/catalog";
import { reindexEvent } from "../../db/queries/event-search";
import { events, type EventRow } from "../../db/schema";
import { EVENT_CATEGORIES } from "../../db/schema/constants";
import { listScope, ownerForCreate, visibleOr404 } from "../../domain/catalog-access";
import {
  changeEventStatus,
  inventoryStub,
  loadInventory,
  publishEvent,
  syncInventoryConfig,
} from "../../domain/event-lifecycle";
import { inventoryError } from "../../domain/inventory-errors";
import { editLocks } from "../../domain/edit-locks";
import { DEFAULT_REFUND_DEADLINE_HOURS, defaultMaxSeatsPerUser } from "../../domain/order-policy";
import { queueEventNotifications } from "../../notifications/event-fanout";
import type { AuthContext } from "../../env";
import { AppError, notFound } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { EventDetailSchema, EventSchema, IdParam, toEvent, toEventDetail } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409, 422);
const when = z.iso.datetime({ offset: true });
const fields = {
  venueId: z.string().min(1).max(100),
  layoutId: z.string().min(1).max(100),
  name: userText({ max: 200 }),
  description: userText({ max: 10_000, min: 0, multiline: true }).optional(),
  category: z.enum(EVENT_CATEGORIES),
  performers: z
    .array(userText({ max: 200 }))
    .max(100)
    .optional(),
  startsAt: when,
  endsAt: when,
  salesStartAt: when.nullable().optional(),
  salesEndAt: when.nullable().optional(),
  holdSeconds: z.number().int().min(30).max(3600).default(300),
  maxSeatsPerOrder: z.number().int().min(1).max(50).default(10),
  maxSeatsPerUser: z
    .number()
    .int()
    .min(1)
    .max(1000)
    .nullable()
    .optional()
    .openapi({ description: "Most seats one account may hold or buy; default twice maxSeatsPerOrder, null: no cap" }),
  refundDeadlineHours: z.number().int().min(0).max(8760).nullable().optional().openapi({
    description: "Fans may cancel for a full refund until this many hours before the start; default 48, null: none",
  }),
  currency: z.string().regex(/^[A-Z]{3}$/, "ISO 4217, three upper-case letters"),
};
const CreateEvent = z.strictObject({ ...fields, organizerId: z.string().min(1).max(100).optional() });
const PatchEvent = z
  .strictObject({
    ...fields,
    holdSeconds: fields.holdSeconds.removeDefault(),
    maxSeatsPerOrder: fields.maxSeatsPerOrder.removeDefault(),
  })
  .partial();
const EventId = IdParam("id");
const ms = (s: string | null | undefined) => (s == null ? s : Date.parse(s));

const unprocessable = (path: string, message: string) =>
  new AppError("unprocessable", message, { extra: { errors: [{ path, message }] } });

/** Checks the time ordering zod cannot see across fields. */
function assertTimes(e: Pick<EventRow, "startsAt" | "endsAt" | "salesStartAt" | "salesEndAt">) {
  if (e.endsAt <= e.startsAt) throw unprocessable("endsAt", "endsAt must be after startsAt");
  if (e.salesStartAt != null && e.salesEndAt != null && e.salesEndAt <= e.salesStartAt)
    throw unprocessable("salesEndAt", "salesEndAt must be after salesStartAt");
}

/** A layout of this venue visible to the caller, or 404/422. */
async function layoutFor(db: Db, auth: AuthContext, venueId: string, layoutId: string) {
  const layout = visibleOr404(auth, await getLayout(db, layoutId), "Layout");
  if (layout.venueId !== venueId) throw unprocessable("layoutId", "the layout belongs to another venue");
  return layout;
}

/** Loads an event the caller may manage, or 404. */
export async function managedEvent(db: Db, auth: AuthContext, id: string) {
  return visibleOr404(auth, await getEvent(db, id), "Event");
}

/** Events: details, the frozen layout snapshot and lifecycle moves. */
export const eventRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminCreateEvent",
      ...base,
      method: "post",
      path: "/events",
      summary: "Create a draft event",
      request: { body: jsonBody(CreateEvent) },
      responses: { 201: jsonResponse(EventSchema, "Created"), ...errs },
    }),
    async (c) => {
      const { organizerId: requested, ...b } = c.req.valid("json");
      const db = createDb(c.env.DB);
      const organizerId = ownerForCreate(c.var.auth, requested);
      if (!(await getOrganizer(db, organizerId))) throw notFound("Organizer");
      const venue = await getVenue(db, b.venueId);
      if (!venue || venue.organizerId !== organizerId) throw notFound("Venue");
      const layout = await layoutFor(db, c.var.auth, venue.id, b.layoutId);
      const times = {
        startsAt: Date.parse(b.startsAt),
        endsAt: Date.parse(b.endsAt),
        salesStartAt: ms(b.salesStartAt) ?? null,
        salesEndAt: ms(b.salesEndAt) ?? null,
      };
      assertTimes(times);
      const now = Date.now();
      const [row] = await db
        .insert(events)
        .values({
          id: newId("evt"),
          organizerId,
          venueId: venue.id,
          layoutId: layout.id,
          name: b.name,
          description: b.description ?? "",
          category: b.category,
          performers: b.performers ?? [],
          ...times,
          status: "draft",
          layoutSnapshot: layout.document,
          holdSeconds: b.holdSeconds,
          maxSeatsPerOrder: b.maxSeatsPerOrder,
          maxSeatsPerUser:
            b.maxSeatsPerUser === undefined ? defaultMaxSeatsPerUser(b.maxSeatsPerOrder) : b.maxSeatsPerUser,
          refundDeadlineHours:
            b.refundDeadlineHours === undefined ? DEFAULT_REFUND_DEADLINE_HOURS : b.refundDeadlineHours,
          currency: b.currency,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      await reindexEvent(c.env.DB, row!.id);
      audit(c, {
        action: "event.created",
        entityType: "event",
        entityId: row!.id,
        organizerId,
        eventId: row!.id,
        data: { name: row!.name, venueId: venue.id, layoutId: layout.id },
      });
      return c.json(toEvent(row!), 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminListEvents",
      ...base,
      method: "get",
      path: "/events",
      summary: "List the caller's events",
      responses: { 200: jsonResponse(z.object({ items: z.array(EventSchema) }), "Events"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const scope = listScope(c.var.auth);
      const q = db.select().from(events);
      const rows = await (scope === null ? q : q.where(eq(events.organizerId, scope)))
        .orderBy(desc(events.startsAt))
        .limit(1000);
      return c.json({ items: rows.map(toEvent) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetEvent",
      ...base,
      method: "get",
      path: "/events/{id}",
      summary: "Get an event with tiers and layout summary",
      request: { params: EventId },
      responses: { 200: jsonResponse(EventDetailSchema, "Event"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      return c.json(toEventDetail(event, await listTiers(db, event.id)), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminUpdateEvent",
      ...base,
      method: "patch",
      path: "/events/{id}",
      summary: "Update event details",
      request: { params: EventId, body: jsonBody(PatchEvent) },
      responses: { 200: jsonResponse(EventSchema, "Event"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const b = c.req.valid("json");
      if (event.status === "closed" || event.status === "cancelled")
        throw new AppError("conflict", `A ${event.status} event cannot be edited`);
      const patch: Partial<EventRow> = { updatedAt: Date.now() };
      if (b.venueId !== undefined || b.layoutId !== undefined) {
        // Sold tickets point at seats of the snapshot; swapping it would orphan them.
        const lock = editLocks(event).layout;
        if (lock) throw new AppError(lock.code, lock.reason);
        const venueId = b.venueId ?? event.venueId;
        const venue = await getVenue(db, venueId);
        if (!venue || venue.organizerId !== event.organizerId) throw notFound("Venue");
        const layout = await layoutFor(db, c.var.auth, venueId, b.layoutId ?? event.layoutId ?? "");
        Object.assign(patch, { venueId, layoutId: layout.id, layoutSnapshot: layout.document });
      }
      if (b.currency !== undefined && b.currency !== event.currency) {
        const tiers = await listTiers(db, event.id);
        if (tiers.length > 0) throw new AppError("conflict", "Replace the price tiers before changing the currency");
        patch.currency = b.currency;
      }
      for (const k of [
        "name",
        "description",
        "category",
        "performers",
        "holdSeconds",
        "maxSeatsPerOrder",
        "maxSeatsPerUser",
        "refundDeadlineHours",
      ] as const) {
        if (b[k] !== undefined) (patch as Record<string, unknown>)[k] = b[k];
      }
      for (const k of ["startsAt", "endsAt", "salesStartAt", "salesEndAt"] as const)
        if (b[k] !== undefined) patch[k] = ms(b[k]) as number;
      assertTimes({ ...event, ...patch });
      const [row] = await db.update(events).set(patch).where(eq(events.id, event.id)).returning();
      if (patch.layoutSnapshot !== undefined && event.publishedAt != null) {
        const init = await loadInventory(db, c.env.EVENT_INVENTORY, row!, await listTiers(db, event.id));
        if (!init.ok) {
          // Seats are already held or sold: the object keeps its map, so D1 keeps its own too.
          // A new `updatedAt` too: the public layout is cached by it, and may have been read meanwhile.
          const back = {
            venueId: event.venueId,
            layoutId: event.layoutId,
            layoutSnapshot: event.layoutSnapshot,
            updatedAt: Math.max(Date.now(), patch.updatedAt! + 1),
          };
          await db.update(events).set(back).where(eq(events.id, event.id));
          throw inventoryError(init);
        }
      }
      if (row!.startsAt !== event.startsAt && event.publishedAt != null) {
        await queueEventNotifications(c.env, event.id, "event_rescheduled");
      }
      if (event.publishedAt != null) await syncInventoryConfig(c.env.EVENT_INVENTORY, row!);
      await reindexEvent(c.env.DB, event.id);
      audit(c, {
        action: "event.updated",
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: { fields: Object.keys(b) },
      });
      return c.json(toEvent(row!), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminPublishEvent",
      ...base,
      method: "post",
      path: "/events/{id}/publish",
      summary: "Publish a draft event once every seat is priced",
      request: { params: EventId },
      responses: { 200: jsonResponse(EventSchema, "Published"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const row = await publishEvent(db, c.env.EVENT_INVENTORY, event, await listTiers(db, event.id));
      await reindexEvent(c.env.DB, event.id);
      audit(c, {
        action: "event.published",
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: { status: row.status },
      });
      return c.json(toEvent(row), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminChangeEventStatus",
      ...base,
      method: "post",
      path: "/events/{id}/status",
      summary: "Move an event to on_sale, closed or cancelled",
      request: {
        params: EventId,
        body: jsonBody(z.strictObject({ status: z.enum(["on_sale", "closed", "cancelled"]) })),
      },
      responses: { 200: jsonResponse(EventSchema, "Event"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const row = await changeEventStatus(db, event, c.req.valid("json").status, Date.now(), c.env.EVENT_INVENTORY);
      if (row.status === "cancelled") {
        // The object refunds every paid order in one transaction; a later payment refunds itself.
        if (row.publishedAt != null) await inventoryStub(c.env.EVENT_INVENTORY, event.id).cancelEvent();
        await queueEventNotifications(c.env, event.id, "event_cancelled");
      }
      await reindexEvent(c.env.DB, event.id);
      audit(c, {
        action: `event.${row.status}`,
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: { from: event.status, to: row.status },
      });
      return c.json(toEvent(row), 200);
    },
  );
