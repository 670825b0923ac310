import { createRoute, z } from "@hono/zod-openapi";
import { listAudit } from "../../audit/query";
import { createDb } from "../../db/client";
import { getEvent } from "../../db/queries/catalog";
import { decodeCursor, linesOfOrders, searchEventOrders } from "../../db/queries/event-orders";
import { ORDER_STATUSES } from "../../db/schema/constants";
import { listScope, visibleOr404 } from "../../domain/catalog-access";
import { inventoryStub } from "../../domain/event-lifecycle";
import { eventOfOrder } from "../../domain/order-ids";
import { type LabelLayout, placeNames } from "../../domain/place-labels";
import { placesMatching } from "../../domain/place-search";
import { refundOrder } from "../../domain/refunds";
import type { AuthContext } from "../../env";
import { AppError, notFound } from "../../errors";
import { listNotifications } from "../../notifications/queries";
import { paymentProvider } from "../../payments";
import { OrderSchema, toOrder } from "../order-schemas";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { AdminOrderPageSchema, AdminOrderSchema, toAdminOrder, toAdminSummary } from "./order-schemas";
import { IdParam } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const RefundBody = z.strictObject({
  ticketIds: z
    .array(z.string().min(1).max(100))
    .min(1)
    .max(500)
    .optional()
    .openapi({ description: "Tickets to refund; omit to refund every valid ticket of the order" }),
});

const text = (max: number) => z.string().trim().min(1).max(max).optional();
const OrderQuery = z.object({
  q: text(200).openapi({ description: "Search box: part of the buyer's email, an order id, or a seat" }),
  email: text(254).openapi({ description: "Part of the buyer's email, any case" }),
  orderId: text(100).openapi({ description: "The order id, whole or its `ord_…` part" }),
  seat: text(100).openapi({
    description: 'A seat or area: its id ("STALLS-B-3") or label ("Stalls · Row B · Seat 3", "B3")',
  }),
  status: z.enum(ORDER_STATUSES).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(100),
  cursor: text(200).openapi({ description: "`nextCursor` of the previous page" }),
});

/**
 * The event of an order the caller may manage (its organizer's members, or an admin), or 404. A
 * malformed id, another organizer's event and a draft (which has no object yet: asking one would
 * create it) all end here, before any Durable Object is reached.
 */
async function manageableEvent(db: ReturnType<typeof createDb>, auth: AuthContext, orderId: string) {
  const eventId = eventOfOrder(orderId);
  if (!eventId) throw notFound("Order");
  const event = visibleOr404(auth, await getEvent(db, eventId), "Order");
  if (event.status === "draft") throw notFound("Order");
  return event;
}

/** Organizer views of orders and refunds, scoped to the caller's events. */
export const adminOrderRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminListEventOrders",
      ...base,
      method: "get",
      path: "/events/{id}/orders",
      summary: "Search an event's orders, newest first",
      description:
        "Read from D1 (the ledger, about a second behind the event's object). Criteria combine with AND; " +
        "`q` matches when the email part, the order id or the seat does.",
      request: { params: IdParam("id"), query: OrderQuery },
      responses: {
        200: jsonResponse(AdminOrderPageSchema, "Orders"),
        ...pickProblems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = visibleOr404(c.var.auth, await getEvent(db, c.req.valid("param").id), "Event");
      const { q, seat, cursor, ...f } = c.req.valid("query");
      const after = cursor === undefined ? undefined : decodeCursor(cursor);
      if (after === null) throw new AppError("validation_failed", "cursor is not a nextCursor of this list");
      const layout = event.layoutSnapshot as LabelLayout;
      const page = await searchEventOrders(c.env.DB, {
        ...f,
        eventId: event.id,
        ...(seat ? { places: placesMatching(layout, seat) } : {}),
        ...(q ? { any: { text: q, places: placesMatching(layout, q) } } : {}),
        ...(after ? { cursor: after } : {}),
      });
      const lines = await linesOfOrders(
        c.env.DB,
        page.rows.map((o) => o.id),
      );
      const names = placeNames(layout);
      const items = page.rows.map((o) =>
        toAdminSummary(
          o,
          event.id,
          lines.filter((l) => l.order_id === o.id),
          names,
        ),
      );
      return c.json({ items, nextCursor: page.nextCursor }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetOrder",
      ...base,
      method: "get",
      path: "/orders/{id}",
      summary: "One order of your event: lines, payment attempts, tickets, refunds, audit trail, notifications",
      description:
        "The order, its payments and tickets come from the event's object (current the moment they change); " +
        "the audit trail and the notifications from D1.",
      request: { params: IdParam("id") },
      responses: { 200: jsonResponse(AdminOrderSchema, "Order"), ...pickProblems(400, 401, 403, 404) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const orderId = c.req.valid("param").id;
      const event = await manageableEvent(db, c.var.auth, orderId);
      const detail = await inventoryStub(c.env.EVENT_INVENTORY, event.id).orderDetail(orderId);
      if (!detail) throw notFound("Order");
      const scope = { eventId: event.id, orderId };
      const [trail, notes] = await Promise.all([
        listAudit(c.env.DB, c.var.auth, { ...scope, limit: 200 }),
        listNotifications(db, { ...scope, organizerId: listScope(c.var.auth), limit: 200 }),
      ]);
      const names = placeNames(event.layoutSnapshot as LabelLayout);
      return c.json(toAdminOrder(detail, names, trail.items, notes), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminRefundOrder",
      ...base,
      method: "post",
      path: "/orders/{id}/refund",
      summary: "Refund an order, whole or per ticket; the seats return to sale",
      request: { params: IdParam("id"), body: { ...jsonBody(RefundBody), required: false } },
      responses: {
        200: jsonResponse(
          z.object({
            order: OrderSchema,
            refund: z.object({ id: z.string(), amount: z.number().int(), status: z.string() }),
          }),
          "Refunded",
        ),
        ...pickProblems(400, 401, 403, 404, 409, 422),
      },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const orderId = c.req.valid("param").id;
      // The event decides who may refund; the order itself lives in the event's object.
      const eventId = (await manageableEvent(db, c.var.auth, orderId)).id;
      const body = c.req.valid("json") ?? {};
      const deps = { env: c.env, provider: paymentProvider(c.env) };
      const refund = await refundOrder(deps, eventId, orderId, "organizer", c.var.auth.userId, {
        ...(body.ticketIds ? { ticketIds: body.ticketIds } : {}),
      });
      const detail = await inventoryStub(c.env.EVENT_INVENTORY, eventId).orderDetail(orderId);
      return c.json(
        {
          order: toOrder(detail!),
          refund: { id: refund.refundId, amount: refund.amount, status: refund.status },
        },
        200,
      );
    },
  );
