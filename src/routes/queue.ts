import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { verifyLiveTicket } from "../auth/live-tickets";
import { requireAuth } from "../auth/middleware";
import { requirePublishedEvent } from "../domain/event-ids";
import { AppError, notFound } from "../errors";
import type { AppEnv } from "../env";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

/** The event's waiting room (one object per event). */
export function waitingRoomStub(ns: Env["WAITING_ROOM"], eventId: string) {
  return ns.getByName(eventId);
}

const STATES = ["waiting", "admitted", "left", "expired", "sold_out"] as const;
export const QueueTicketSchema = z
  .object({
    ticket: z.string(),
    eventId: z.string(),
    state: z.enum(STATES),
    position: z
      .number()
      .int()
      .nullable()
      .openapi({ description: "1-based place among waiting fans; null before the on-sale shuffle" }),
    ahead: z.number().int().nullable(),
    estimatedWaitSeconds: z.number().int().nullable(),
    joinedAt: z.string(),
    admission: z.object({ token: z.string(), expiresAt: z.string() }).optional().openapi({
      description: "While admitted: send `token` as the X-Admission-Token header of POST /v1/events/{id}/holds",
    }),
  })
  .openapi("QueueTicket");
export const FairnessSchema = z
  .object({
    commitment: z.string().openapi({ description: "hex SHA-256 of the seed, published before the sale" }),
    algorithm: z.string(),
    revealed: z.boolean(),
    onSaleAt: z.string().nullable(),
    seed: z.string().optional(),
    order: z.array(z.string()).optional().openapi({ description: "The pre-queue's ticket ids in admission order" }),
  })
  .openapi("QueueFairness");

const iso = (ms: number) => new Date(ms).toISOString();
type View = Awaited<ReturnType<ReturnType<typeof waitingRoomStub>["view"]>>;
function toTicket(v: Extract<View, { ok: true }>["view"]): z.infer<typeof QueueTicketSchema> {
  const { admission, joinedAt, ...rest } = v;
  return {
    ...rest,
    joinedAt: iso(joinedAt),
    ...(admission ? { admission: { token: admission.token, expiresAt: iso(admission.expiresAt) } } : {}),
  };
}

const EventParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const TicketParam = EventParam.extend({
  ticket: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "ticket", in: "path" } }),
});
const base = { tags: ["queue"], security: [{ bearer: [] }], middleware: requireAuth };

/** A published event (drafts do not exist to fans), with whether its waiting room is on. */
async function liveEvent(c: Context<AppEnv>, id: string) {
  const e = await c.env.DB.prepare(`SELECT status, queue_enabled FROM events WHERE id = ?`)
    .bind(id)
    .first<{ status: string; queue_enabled: number }>();
  if (!e || e.status === "draft") throw notFound("Event");
  return e;
}

/**
 * The flash-sale waiting room, fan side. Polling a ticket costs one indexed D1 read (that the
 * event exists, so a junk id never creates a room) and one room call; the socket makes polling
 * unnecessary.
 */
export const queueRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "getQueueFairness",
      security: [],
      method: "get",
      path: "/events/{id}/queue/fairness",
      tags: ["queue"],
      summary: "The shuffle's seed commitment, and after the on-sale the seed and order",
      request: { params: EventParam },
      responses: { 200: jsonResponse(FairnessSchema, "Fairness"), ...pickProblems(404) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await liveEvent(c, id);
      const f = await waitingRoomStub(c.env.WAITING_ROOM, id).fairness();
      return c.json({ ...f, onSaleAt: f.onSaleAt == null ? null : iso(f.onSaleAt) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "joinQueue",
      ...base,
      method: "post",
      path: "/events/{id}/queue",
      summary: "Join the waiting room (one place per account)",
      request: { params: EventParam },
      responses: {
        200: jsonResponse(QueueTicketSchema, "Your existing place"),
        201: jsonResponse(QueueTicketSchema, "Joined"),
        ...pickProblems(401, 404, 409, 429),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      // Only an organizer's PUT (on an event they manage) opens a room, so the room answers
      // whether joining is possible; the one indexed D1 read first keeps junk and unknown event
      // ids from creating a stored room (every object call creates the object).
      await requirePublishedEvent(c.env.DB, id);
      const { success } = await c.env.QUEUE_LIMITER.limit({ key: `queue:${c.var.auth.userId}` });
      if (!success)
        throw new AppError("rate_limited", "Too many join attempts; retry shortly", {
          headers: { "Retry-After": "10" },
        });
      const r = await waitingRoomStub(c.env.WAITING_ROOM, id).join(c.var.auth.userId);
      if (!r.ok) throw new AppError(r.code, "This event has no waiting room open; hold seats directly");
      return r.created ? c.json(toTicket(r.view), 201) : c.json(toTicket(r.view), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "getQueuePosition",
      ...base,
      method: "get",
      path: "/events/{id}/queue/{ticket}",
      summary: "Your place, fans ahead, wait estimate, and the admission token once admitted",
      request: { params: TicketParam },
      responses: { 200: jsonResponse(QueueTicketSchema, "Ticket"), ...pickProblems(401, 404) },
    }),
    async (c) => {
      const { id, ticket } = c.req.valid("param");
      await requirePublishedEvent(c.env.DB, id, "Queue ticket");
      const r = await waitingRoomStub(c.env.WAITING_ROOM, id).view(ticket, c.var.auth.userId);
      if (!r.ok) throw notFound("Queue ticket");
      return c.json(toTicket(r.view), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "leaveQueue",
      ...base,
      method: "delete",
      path: "/events/{id}/queue/{ticket}",
      summary: "Leave the queue, or finish shopping: frees your slot at once",
      request: { params: TicketParam },
      responses: { 200: jsonResponse(QueueTicketSchema, "Left"), ...pickProblems(401, 404) },
    }),
    async (c) => {
      const { id, ticket } = c.req.valid("param");
      await requirePublishedEvent(c.env.DB, id, "Queue ticket");
      const r = await waitingRoomStub(c.env.WAITING_ROOM, id).leave(ticket, c.var.auth.userId);
      if (!r.ok) throw notFound("Queue ticket");
      return c.json(toTicket(r.view), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "connectQueueLive",
      security: [{ socketTicket: [] }],
      method: "get",
      path: "/events/{id}/queue/{ticket}/live",
      tags: ["queue"],
      summary: "Live queue position (WebSocket): position, admitted {token}, sold_out",
      request: {
        params: TicketParam,
        query: z.object({
          socketTicket: z
            .string()
            .max(2000)
            .optional()
            .openapi({
              description:
                "A single-use socket ticket from POST /v1/events/{id}/live-ticket (browsers cannot set headers " +
                "on a WebSocket, and an access token never travels in a URL)",
            }),
          token: z.string().max(4000).optional().openapi({
            description: "Refused (400): an access token never travels in a URL; use `socketTicket`",
          }),
        }),
      },
      responses: {
        101: { description: "Switching protocols; messages are src/live/queue-protocol.ts" },
        426: { description: "Not a WebSocket upgrade" },
        ...pickProblems(400, 401, 404),
      },
    }),
    async (c) => {
      const { id, ticket } = c.req.valid("param");
      const { socketTicket, token } = c.req.valid("query");
      if (token !== undefined)
        throw new AppError("bad_request", "An access token is never accepted in the URL: use ?socketTicket=", {
          extra: { errors: [{ path: "token", message: "use a ticket from POST /v1/events/{id}/live-ticket" }] },
        });
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
        return c.json(
          {
            type: "about:blank",
            title: "Upgrade required",
            status: 426,
            detail: "Connect with a WebSocket client",
            code: "bad_request",
            requestId: c.get("requestId"),
          },
          426,
          { Upgrade: "websocket", "Content-Type": "application/problem+json" },
        );
      }
      if (!socketTicket)
        throw new AppError(
          "unauthenticated",
          "Open the queue socket with ?socketTicket= from POST /v1/events/{id}/live-ticket",
        );
      const signedIn = await verifyLiveTicket(socketTicket, id, c.env);
      await requirePublishedEvent(c.env.DB, id, "Queue ticket");
      const headers = new Headers({
        Upgrade: "websocket",
        "X-Queue-Ticket": ticket,
        "X-Queue-User": signedIn.userId,
        "X-Live-Ticket": `${signedIn.id};${signedIn.expiresAt}`,
      });
      const res = await waitingRoomStub(c.env.WAITING_ROOM, id).fetch(
        new Request("https://waiting-room/live", { headers }),
      );
      if (res.status === 404) throw notFound("Queue ticket");
      if (res.status === 409)
        throw new AppError("unauthenticated", "This socket ticket was used before; ask for a new one");
      return res;
    },
  );
