import { syncInventoryConfig } from "../../domain/event-lifecycle";
import { createRoute, z } from "@hono/zod-openapi";
import { eq } from "drizzle-orm";
import { audit } from "../../audit/emit";
import { createDb } from "../../db/client";
import { events } from "../../db/schema";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { waitingRoomStub } from "../queue";
import { createRouter } from "../router";
import { managedEvent } from "./events";
import { IdParam } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404);
const EventId = IdParam("id");

const QueueSettings = z
  .strictObject({
    enabled: z.boolean(),
    ratePerMinute: z
      .number()
      .int()
      .min(1)
      .max(1_000_000)
      .openapi({ description: "Fans admitted per minute; change it live" }),
    maxShopping: z.number().int().min(1).max(1_000_000).openapi({ description: "Most admitted fans shopping at once" }),
    tokenSeconds: z
      .number()
      .int()
      .min(30)
      .max(3600)
      .optional()
      .openapi({ description: "Lifetime of an admission token (default 600)" }),
  })
  .openapi("QueueSettings");

const QueueStats = z
  .object({
    eventId: z.string(),
    enabled: z.boolean(),
    ratePerMinute: z.number().int(),
    maxShopping: z.number().int(),
    tokenSeconds: z.number().int(),
    onSaleAt: z.string().nullable(),
    length: z.number().int().openapi({ description: "Fans waiting" }),
    admitted: z.number().int().openapi({ description: "Fans ever admitted" }),
    shopping: z.number().int().openapi({ description: "Admitted fans with a valid token who have not left" }),
    admittedLastMinute: z.number().int().openapi({ description: "Achieved admission rate" }),
    estimatedDrainSeconds: z.number().int().nullable(),
    soldOut: z.boolean(),
    stock: z.object({ available: z.number().int(), held: z.number().int(), at: z.string() }).nullable(),
    commitment: z.string(),
    shuffledAt: z.string().nullable(),
  })
  .openapi("QueueStats");

const iso = (ms: number) => new Date(ms).toISOString();
type Stats = Awaited<ReturnType<ReturnType<typeof waitingRoomStub>["stats"]>>;
const toStats = (s: Stats): z.infer<typeof QueueStats> => ({
  ...s,
  onSaleAt: s.onSaleAt == null ? null : iso(s.onSaleAt),
  stock: s.stock ? { ...s.stock, at: iso(s.stock.at) } : null,
  shuffledAt: s.shuffledAt == null ? null : iso(s.shuffledAt),
});

/** The organizer's waiting-room controls: switch on/off, rate and cap (live), and the figures. */
export const adminQueueRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminGetQueue",
      ...base,
      method: "get",
      path: "/events/{id}/queue",
      summary: "Waiting room figures: length, admitted, shopping, rate, time to drain",
      request: { params: EventId },
      responses: { 200: jsonResponse(QueueStats, "Figures"), ...errs },
    }),
    async (c) => {
      const event = await managedEvent(createDb(c.env.DB), c.var.auth, c.req.valid("param").id);
      return c.json(toStats(await waitingRoomStub(c.env.WAITING_ROOM, event.id).stats()), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminConfigureQueue",
      ...base,
      method: "put",
      path: "/events/{id}/queue",
      summary: "Switch the waiting room on or off and set its rate and cap (applies from the next tick)",
      request: { params: EventId, body: jsonBody(QueueSettings) },
      responses: { 200: jsonResponse(QueueStats, "Saved"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const b = c.req.valid("json");
      // The room first, then D1 (which the hold route reads): when switching on, the room is ready
      // before holds start asking for tokens. A PUT is idempotent, so a failure in between is retried.
      const stats = await waitingRoomStub(c.env.WAITING_ROOM, event.id).configure({
        eventId: event.id,
        onSaleAt: event.salesStartAt,
        ...b,
      });
      const [row] = await db
        .update(events)
        .set({
          queueEnabled: b.enabled,
          queueRatePerMinute: b.ratePerMinute,
          queueMaxShopping: b.maxShopping,
          updatedAt: Date.now(),
        })
        .where(eq(events.id, event.id))
        .returning();
      // The inventory object enforces admission on holds (no D1 read per hold): tell it.
      if (row!.publishedAt != null) await syncInventoryConfig(c.env.EVENT_INVENTORY, row!);
      audit(c, {
        action: "queue.configured",
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: b,
      });
      return c.json(toStats(stats), 200);
    },
  );
