import { createRoute, z } from "@hono/zod-openapi";
import { and, desc, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { getEvent } from "../../db/queries/catalog";
import { orders } from "../../db/schema";
import { ORDER_STATUSES } from "../../db/schema/constants";
import { visibleOr404 } from "../../domain/catalog-access";
import { inventoryStub } from "../../domain/event-lifecycle";
import { eventOfOrder } from "../../domain/order-ids";
import { refundOrder } from "../../domain/refunds";
import { notFound } from "../../errors";
import { paymentProvider } from "../../payments";
import { OrderSchema, OrderSummarySchema, toOrder, toOrderSummary } from "../order-schemas";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
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

/** Organizer views of orders and refunds, scoped to the caller's events. */
export const adminOrderRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminListEventOrders",
      ...base,
      method: "get",
      path: "/events/{id}/orders",
      summary: "Orders of an event",
      request: {
        params: IdParam("id"),
        query: z.object({
          status: z.enum(ORDER_STATUSES).optional(),
          limit: z.coerce.number().int().min(1).max(200).default(100),
        }),
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrderSummarySchema) }), "Orders"),
        ...pickProblems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = visibleOr404(c.var.auth, await getEvent(db, c.req.valid("param").id), "Event");
      const q = c.req.valid("query");
      const where = q.status
        ? and(eq(orders.eventId, event.id), eq(orders.status, q.status))
        : eq(orders.eventId, event.id);
      const rows = await db.select().from(orders).where(where).orderBy(desc(orders.createdAt)).limit(q.limit).all();
      return c.json({ items: rows.map(toOrderSummary) }, 200);
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
      const eventId = eventOfOrder(orderId);
      if (!eventId) throw notFound("Order");
      // The event decides who may refund; the order itself lives in the event's object.
      visibleOr404(c.var.auth, await getEvent(db, eventId), "Order");
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
