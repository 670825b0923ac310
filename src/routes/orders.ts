import { createRoute, z } from "@hono/zod-openapi";
import { requireAuth, requireCurrentAuth } from "../auth/middleware";
import { createDb } from "../db/client";
import { getEvent } from "../db/queries/catalog";
import { listOrders } from "../db/queries/orders";
import { checkout, locateOrder, retryPayment } from "../domain/checkout";
import { inventoryStub } from "../domain/event-lifecycle";
import { fanCancellation, refundQuote } from "../domain/order-policy";
import { refundOrder } from "../domain/refunds";
import { AppError, notFound } from "../errors";
import { requireIdempotencyKey } from "../middleware/idempotency";
import { BOOKMARK_HEADER, readReplica } from "../middleware/read-replica";
import { paymentProvider } from "../payments";
import { jsonResponse, pickProblems, problems } from "./problem-responses";
import { CheckoutSchema, OrderSchema, OrderSummarySchema, toCheckout, toOrder, toOrderSummary } from "./order-schemas";
import { AdmissionHeader, admissionOf } from "./holds";
import { createRouter } from "./router";

// Orders are personal data: requireCurrentAuth refuses an ended session within 60 s.
const base = { tags: ["orders"], security: [{ bearer: [] }], middleware: requireCurrentAuth };
const keyed = { ...base, middleware: [requireCurrentAuth, requireIdempotencyKey] };
// Checkout is the flash-sale path right after a hold and answers with only the order it creates,
// so like holds it keeps the token check that reads no store (docs/decisions.md).
const purchase = { ...base, middleware: [requireAuth, requireIdempotencyKey] };
// A fan's own orders: a session without a bookmark starts at the primary, so an order just
// written by checkout or a payment webhook is never missing; with one, replicas may serve it.
const reads = { ...base, middleware: [requireCurrentAuth, readReplica("first-primary")] };
const bookmarkHeader = z.object({
  [BOOKMARK_HEADER]: z
    .string()
    .max(256)
    .optional()
    .openapi({ description: "D1 bookmark from an earlier response: read at least that fresh" }),
});
const idempotent = {
  headers: z.object({
    "idempotency-key": z
      .string()
      .min(1)
      .max(255)
      .openapi({ description: "Required: a retry with the same key returns the first answer" }),
  }),
};
const unavailable = {
  503: {
    ...problems[409],
    description: "Payment provider unavailable; retry after Retry-After (the hold keeps its deadline)",
  },
};
const HoldParam = z.object({
  holdId: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "holdId", in: "path" } }),
});
const OrderParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

export const CancellationQuoteSchema = z
  .object({
    allowed: z.boolean(),
    amount: z.number().int().openapi({ description: "Minor units a cancellation now would refund (0 if refused)" }),
    currency: z.string(),
    refundsUntil: z.string().nullable().openapi({ format: "date-time", description: "null: no fan refunds" }),
    reason: z.string().nullable().openapi({ description: "Why cancelling is refused; null when allowed" }),
  })
  .openapi("CancellationQuote");

function deps(env: Env) {
  return { ns: env.EVENT_INVENTORY, provider: paymentProvider(env), env };
}

/** The caller's own order as its object holds it now (fresh right after paying); 404 for anyone else's. */
async function ownOrder(env: Env, orderId: string, userId: string) {
  const eventId = await locateOrder(env, orderId);
  const d = await inventoryStub(env.EVENT_INVENTORY, eventId).orderDetail(orderId);
  if (!d || d.order.userId !== userId) throw notFound("Order");
  return d;
}

/** Fan routes for checkout and orders. Everything is the caller's own: others' orders are 404. */
export const orderRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "checkoutHold",
      ...purchase,
      method: "post",
      path: "/holds/{holdId}/checkout",
      summary: "Check out a hold: create the order and its payment",
      request: { params: HoldParam, ...idempotent },
      responses: {
        201: jsonResponse(CheckoutSchema, "Order awaiting payment"),
        ...pickProblems(400, 401, 404, 409, 422),
        ...unavailable,
      },
    }),
    async (c) => {
      const claim = c.var.idempotencyClaim;
      const keyed = claim && { claim, answer: toCheckout };
      return c.json(toCheckout(await checkout(deps(c.env), c.var.auth, c.req.valid("param").holdId, keyed)), 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "listMyOrders",
      ...reads,
      method: "get",
      path: "/orders",
      summary: "Your orders, newest first",
      request: {
        query: z.object({
          limit: z.coerce.number().int().min(1).max(100).default(50),
          before: z.iso.datetime().optional(),
        }),
        headers: bookmarkHeader,
      },
      responses: {
        200: jsonResponse(z.object({ items: z.array(OrderSummarySchema) }), "Orders"),
        ...pickProblems(400, 401),
      },
    }),
    async (c) => {
      const q = c.req.valid("query");
      const rows = await listOrders(
        createDb(c.var.readDb),
        c.var.auth.userId,
        q.limit,
        q.before ? Date.parse(q.before) : undefined,
      );
      return c.json({ items: rows.map(toOrderSummary) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "getMyOrder",
      ...base,
      method: "get",
      path: "/orders/{id}",
      summary: "One of your orders with its tickets and payments",
      description: "Read from the order's own event object, so it is current the moment a payment lands.",
      request: { params: OrderParam },
      responses: { 200: jsonResponse(OrderSchema, "Order"), ...pickProblems(401, 404) },
    }),
    async (c) => c.json(toOrder(await ownOrder(c.env, c.req.valid("param").id, c.var.auth.userId)), 200),
  )
  .openapi(
    createRoute({
      operationId: "retryOrderPayment",
      ...keyed,
      method: "post",
      path: "/orders/{id}/pay",
      summary: "Try again after a declined payment (same seats, new payment attempt)",
      description:
        "With the waiting room on, paying again counts as admitted while the admission the order was checked " +
        "out under is in its window; after that, queue again and send the new X-Admission-Token.",
      request: { params: OrderParam, headers: idempotent.headers.extend(AdmissionHeader.shape) },
      responses: {
        201: jsonResponse(CheckoutSchema, "Order awaiting payment"),
        ...pickProblems(400, 401, 404, 409, 422),
        ...unavailable,
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const token = c.req.valid("header")["x-admission-token"];
      const d = deps(c.env);
      return c.json(
        toCheckout(
          await retryPayment(d, c.var.auth, id, (eventId) => admissionOf(token, c.env, c.var.auth.userId, eventId)),
        ),
        201,
      );
    },
  )
  .openapi(
    createRoute({
      operationId: "quoteMyOrderCancellation",
      ...base,
      method: "get",
      path: "/orders/{id}/cancellation",
      summary: "What cancelling your order now would refund, under the event's refund policy",
      description: "Shown to the fan before they confirm POST /v1/orders/{id}/cancel; nothing changes.",
      request: { params: OrderParam },
      responses: { 200: jsonResponse(CancellationQuoteSchema, "The quote"), ...pickProblems(401, 404) },
    }),
    async (c) => {
      const d = await ownOrder(c.env, c.req.valid("param").id, c.var.auth.userId);
      const event = await getEvent(createDb(c.env.DB), d.order.eventId);
      if (!event) throw notFound("Order");
      const q = refundQuote(event, { status: d.order.status, tickets: d.tickets });
      const until = q.refundsUntil === null ? null : new Date(q.refundsUntil).toISOString();
      return c.json({ ...q, refundsUntil: until, currency: d.order.currency }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "cancelMyOrder",
      ...base,
      method: "post",
      path: "/orders/{id}/cancel",
      summary: "Cancel a paid order for a refund, within the event's refund policy",
      request: { params: OrderParam },
      responses: {
        200: jsonResponse(
          z.object({
            order: OrderSchema,
            refund: z.object({ id: z.string(), amount: z.number().int(), status: z.string() }),
          }),
          "Refunded",
        ),
        ...pickProblems(401, 404, 409),
      },
    }),
    async (c) => {
      const { order } = await ownOrder(c.env, c.req.valid("param").id, c.var.auth.userId);
      const event = await getEvent(createDb(c.env.DB), order.eventId);
      const policy = fanCancellation(event!);
      if (!policy.allowed) throw new AppError("refund_not_allowed", `This order cannot be cancelled: ${policy.reason}`);
      const refund = await refundOrder(deps(c.env), order.eventId, order.id, "fan_cancel", c.var.auth.userId, {
        userId: c.var.auth.userId,
      });
      const detail = await inventoryStub(c.env.EVENT_INVENTORY, order.eventId).orderDetail(order.id);
      return c.json(
        { order: toOrder(detail!), refund: { id: refund.refundId, amount: refund.amount, status: refund.status } },
        200,
      );
    },
  );
