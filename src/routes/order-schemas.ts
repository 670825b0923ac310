import { z } from "@hono/zod-openapi";
import { ORDER_STATUSES } from "../db/schema/constants";
import { encodeHoldId } from "../domain/hold-ids";
import type { OrderDetail } from "../objects/inventory/order-rows";
import type { OrderRow } from "../db/schema";
import type { PaymentHandle } from "../payments/provider";

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

export const PaymentHandleSchema = z
  .object({
    provider: z.enum(["stripe", "simulated"]),
    reference: z.string(),
    clientSecret: z.string(),
    publishableKey: z.string().nullable(),
    paymentUrl: z.string().nullable(),
  })
  .openapi("PaymentHandle");

export const OrderSummarySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    status: z.enum(ORDER_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    refundedAmount: z.number().int(),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
  })
  .openapi("OrderSummary");

export const OrderSchema = OrderSummarySchema.extend({
  holdId: z.string().openapi({
    description: "The hold the order was checked out from: DELETE /v1/holds/{holdId} cancels an unpaid order",
  }),
  lines: z.array(
    z.object({
      seatId: z.string().nullable(),
      areaId: z.string().nullable(),
      tier: z.string(),
      price: z.number().int(),
      quantity: z.number().int(),
    }),
  ),
  tickets: z.array(
    z.object({
      id: z.string(),
      place: z.string(),
      tier: z.string(),
      price: z.number().int(),
      status: z.string(),
      code: z.string().openapi({ description: "Signed ticket code, the content of the QR code" }),
      qrUrl: z.string(),
    }),
  ),
  payments: z.array(
    z.object({
      kind: z.string(),
      provider: z.string(),
      status: z.string(),
      amount: z.number().int(),
      reason: z.string().nullable(),
      lastError: z.string().nullable(),
    }),
  ),
}).openapi("Order");

export const CheckoutSchema = z
  .object({
    orderId: z.string(),
    status: z.enum(ORDER_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    expiresAt: z.string(),
    payment: PaymentHandleSchema,
  })
  .openapi("Checkout");

export function toOrderSummary(o: OrderRow): z.infer<typeof OrderSummarySchema> {
  return {
    id: o.id,
    eventId: o.eventId,
    status: o.status,
    amount: o.amount,
    currency: o.currency,
    refundedAmount: o.refundedAmount,
    createdAt: iso(o.createdAt)!,
    paidAt: iso(o.paidAt),
  };
}

export function toOrder(d: OrderDetail): z.infer<typeof OrderSchema> {
  return {
    ...toOrderSummary(d.order),
    holdId: encodeHoldId(d.order.eventId, d.order.holdId),
    lines: d.lines.map((l) => ({
      seatId: l.seatId,
      areaId: l.areaId,
      tier: l.tier,
      price: l.price,
      quantity: l.quantity,
    })),
    tickets: d.tickets.map((t) => ({
      id: t.id,
      place: t.place,
      tier: t.tier,
      price: t.price,
      status: t.status,
      code: t.code,
      qrUrl: `/v1/tickets/${t.id}/qr.svg?order=${encodeURIComponent(t.orderId)}`,
    })),
    payments: d.payments.map((p) => ({
      kind: p.kind,
      provider: p.provider,
      status: p.status,
      amount: p.amount,
      reason: p.reason,
      lastError: p.lastError,
    })),
  };
}

export function toCheckout(r: {
  order: OrderRow;
  payment: PaymentHandle;
  expiresAt: number;
}): z.infer<typeof CheckoutSchema> {
  return {
    orderId: r.order.id,
    status: r.order.status,
    amount: r.order.amount,
    currency: r.order.currency,
    expiresAt: iso(r.expiresAt)!,
    payment: r.payment,
  };
}
