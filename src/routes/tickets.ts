import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq, type SQL } from "drizzle-orm";
import { requireCurrentAuth } from "../auth/middleware";
import { createDb, type Db } from "../db/client";
import { events, tickets, type TicketRow } from "../db/schema";
import { TICKET_STATUSES } from "../db/schema/constants";
import { qrSvg } from "../domain/qr-svg";
import { requireKnownEvent } from "../domain/event-ids";
import { inventoryStub } from "../domain/event-lifecycle";
import { eventOfOrder } from "../domain/order-ids";
import { notFound } from "../errors";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const iso = (ms: number) => new Date(ms).toISOString();

export const TicketEventSchema = z.object({ id: z.string(), name: z.string(), startsAt: z.string() });
export const TicketSchema = z
  .object({
    id: z.string(),
    orderId: z.string(),
    eventId: z.string(),
    place: z.string().openapi({ description: "Seat id, or `<area>#<order>#<n>` for a general-admission place" }),
    seatId: z.string().nullable(),
    areaId: z.string().nullable(),
    tier: z.string(),
    price: z.number().int().openapi({ description: "Minor units" }),
    status: z.enum(TICKET_STATUSES),
    code: z.string().openapi({ description: "Signed ticket code, the content of the QR code" }),
    usedAt: z.string().nullable(),
    createdAt: z.string(),
    qrUrl: z.string(),
    event: TicketEventSchema,
  })
  .openapi("Ticket");
export const TicketListSchema = z.object({ items: z.array(TicketSchema) }).openapi("TicketList");

type TicketEvent = { id: string; name: string; startsAt: number };

/** Row → API shape; epoch milliseconds become ISO strings here. */
export function toTicket(t: TicketRow, e: TicketEvent): z.infer<typeof TicketSchema> {
  return {
    id: t.id,
    orderId: t.orderId,
    eventId: t.eventId,
    place: t.place,
    seatId: t.seatId,
    areaId: t.areaId,
    tier: t.tier,
    price: t.price,
    status: t.status,
    code: t.code,
    usedAt: t.usedAt == null ? null : iso(t.usedAt),
    createdAt: iso(t.createdAt),
    qrUrl: `/v1/tickets/${encodeURIComponent(t.id)}/qr.svg`,
    event: { id: e.id, name: e.name, startsAt: iso(e.startsAt) },
  };
}

/** The caller's tickets with their event, in one join; ownership is part of the WHERE. */
function ownTickets(db: Db, userId: string, ...where: (SQL | undefined)[]) {
  return db
    .select({ t: tickets, e: { id: events.id, name: events.name, startsAt: events.startsAt } })
    .from(tickets)
    .innerJoin(events, eq(events.id, tickets.eventId))
    .where(and(eq(tickets.userId, userId), ...where));
}

// Tickets are personal data: requireCurrentAuth refuses an ended session within 60 s.
const base = { tags: ["tickets"], security: [{ bearer: [] }], middleware: requireCurrentAuth };
const TicketParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const ListQuery = z.object({
  eventId: z.string().min(1).max(100).optional().openapi({ description: "Only tickets of this event" }),
  limit: z.coerce.number().int().min(1).max(100).default(50),
});
const svgResponse = {
  description: "The ticket code as a QR code",
  headers: { "Cache-Control": { schema: { type: "string" as const, example: "private, max-age=300" } } },
  content: { "image/svg+xml": { schema: z.string() } },
};

/** A fan's own tickets. Someone else's ticket is reported missing (404), never forbidden. */
const OrderHint = z.object({
  order: z
    .string()
    .max(100)
    .optional()
    .openapi({ description: "The ticket's order: lets a ticket issued seconds ago be read before the ledger has it" }),
});

/**
 * Tickets are read from D1, the ledger, which trails a sale by a second or so. The order page
 * names the order, so a ticket not in D1 yet is read from its order's object instead.
 */
async function freshTicket(env: Env, orderId: string | undefined, ticketId: string, userId: string) {
  const eventId = orderId ? eventOfOrder(orderId) : null;
  if (!orderId || !eventId) return undefined;
  if (
    !(await requireKnownEvent(env.DB, eventId).then(
      () => true,
      () => false,
    ))
  )
    return undefined;
  const d = await inventoryStub(env.EVENT_INVENTORY, eventId).orderDetail(orderId);
  return d?.order.userId === userId ? d.tickets.find((t) => t.id === ticketId) : undefined;
}

export const ticketRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "listMyTickets",
      ...base,
      method: "get",
      path: "/",
      summary: "List your tickets, newest first",
      request: { query: ListQuery },
      responses: { 200: jsonResponse(TicketListSchema, "Tickets"), ...pickProblems(400, 401) },
    }),
    async (c) => {
      const { eventId, limit } = c.req.valid("query");
      const db = createDb(c.env.DB);
      const rows = await ownTickets(db, c.var.auth.userId, eventId ? eq(tickets.eventId, eventId) : undefined)
        .orderBy(desc(tickets.createdAt), desc(tickets.id))
        .limit(limit);
      return c.json({ items: rows.map((r) => toTicket(r.t, r.e)) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "getMyTicket",
      ...base,
      method: "get",
      path: "/{id}",
      summary: "One of your tickets",
      request: { params: TicketParam },
      responses: { 200: jsonResponse(TicketSchema, "Ticket"), ...pickProblems(401, 404) },
    }),
    async (c) => {
      const [row] = await ownTickets(
        createDb(c.env.DB),
        c.var.auth.userId,
        eq(tickets.id, c.req.valid("param").id),
      ).limit(1);
      if (!row) throw notFound("Ticket");
      return c.json(toTicket(row.t, row.e), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "getMyTicketQr",
      ...base,
      method: "get",
      path: "/{id}/qr.svg",
      summary: "Your ticket's QR code as SVG",
      request: { params: TicketParam, query: OrderHint },
      responses: { 200: svgResponse, ...pickProblems(401, 404) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const id = c.req.valid("param").id;
      const row =
        (await db
          .select({ code: tickets.code })
          .from(tickets)
          .where(and(eq(tickets.id, id), eq(tickets.userId, c.var.auth.userId)))
          .get()) ?? (await freshTicket(c.env, c.req.valid("query").order, id, c.var.auth.userId));
      if (!row) throw notFound("Ticket");
      // The code never changes for a ticket, so a short private cache is safe; shared caches must not keep it.
      return c.body(qrSvg(row.code), 200, { "Content-Type": "image/svg+xml", "Cache-Control": "private, max-age=300" });
    },
  );
