import { z } from "@hono/zod-openapi";
import { ORDER_STATUSES, PAYMENT_KINDS, PAYMENT_STATUSES, TICKET_STATUSES } from "../../db/schema/constants";
import type { EventOrderRow, PlaceLine } from "../../db/queries/event-orders";
import type { NotificationRow } from "../../db/schema";
import { attemptOfKey } from "../../domain/payment-decision";
import { placeLabel } from "../../domain/place-labels";
import type { OrderDetail } from "../../objects/inventory/order-rows";
import { AuditPageSchema } from "./audit";
import { NotificationSchema, toNotification } from "./notifications";

const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

const Place = z.object({
  place: z.string().openapi({ description: "Seat id or area id" }),
  label: z.string().openapi({ description: 'As people say it: "Stalls · Row B · Seat 3", "Pit (standing)"' }),
  quantity: z.number().int(),
});

export const AdminOrderSummarySchema = z
  .object({
    id: z.string(),
    eventId: z.string(),
    userId: z.string(),
    email: z.string(),
    status: z.enum(ORDER_STATUSES),
    amount: z.number().int(),
    currency: z.string(),
    refundedAmount: z.number().int(),
    createdAt: z.string(),
    paidAt: z.string().nullable(),
    places: z.array(Place),
  })
  .openapi("AdminOrderSummary");

export const AdminOrderPageSchema = z
  .object({
    items: z.array(AdminOrderSummarySchema),
    nextCursor: z.string().nullable().openapi({ description: "Pass as `cursor` for the next page; null at the end" }),
  })
  .openapi("AdminOrderPage");

const Payment = z.object({
  id: z.string(),
  kind: z.enum(PAYMENT_KINDS),
  provider: z.string(),
  providerRef: z.string().nullable().openapi({ description: "PaymentIntent id (charge) or Refund id (refund)" }),
  amount: z.number().int(),
  currency: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  providerCalls: z.number().int().openapi({ description: "Times the provider was asked" }),
  lastError: z.string().nullable(),
  createdAt: z.string(),
  updatedAt: z.string(),
});
const Charge = Payment.extend({
  attempt: z.number().int().openapi({ description: "Payment attempt number (0: a charge no attempt opened)" }),
  refundIds: z.array(z.string()),
});
const Refund = Payment.extend({
  reason: z.string().nullable(),
  chargeRef: z.string().nullable().openapi({ description: "The PaymentIntent the money goes back to" }),
  ticketIds: z.array(z.string()),
});

export const AdminOrderSchema = z
  .object({
    order: AdminOrderSummarySchema.omit({ places: true }).extend({
      paymentAttempt: z.number().int(),
      updatedAt: z.string(),
      closedAt: z.string().nullable(),
    }),
    lines: z.array(
      z.object({
        id: z.string(),
        seatId: z.string().nullable(),
        areaId: z.string().nullable(),
        label: z.string(),
        tier: z.string(),
        price: z.number().int(),
        quantity: z.number().int(),
      }),
    ),
    attempts: z.array(Charge),
    refunds: z.array(Refund),
    tickets: z.array(
      z.object({
        id: z.string(),
        place: z.string(),
        label: z.string(),
        tier: z.string(),
        price: z.number().int(),
        status: z.enum(TICKET_STATUSES),
        checkedIn: z.boolean(),
        usedAt: z.string().nullable(),
        usedBy: z.string().nullable(),
        refundId: z.string().nullable(),
      }),
    ),
    audit: AuditPageSchema.shape.items,
    notifications: z.array(NotificationSchema),
  })
  .openapi("AdminOrder");

/** A search row with its places named. */
export function toAdminSummary(
  o: EventOrderRow,
  eventId: string,
  lines: PlaceLine[],
  names: Map<string, string>,
): z.infer<typeof AdminOrderSummarySchema> {
  return {
    id: o.id,
    eventId,
    userId: o.user_id,
    email: o.email,
    status: o.status,
    amount: o.amount,
    currency: o.currency,
    refundedAmount: o.refunded_amount,
    createdAt: iso(o.created_at)!,
    paidAt: iso(o.paid_at),
    places: lines.map((l) => {
      const place = l.seat_id ?? l.area_id ?? "";
      return { place, label: placeLabel(place, names), quantity: l.quantity };
    }),
  };
}

type PaymentRow = OrderDetail["payments"][number];
const payment = (p: PaymentRow) => ({
  id: p.id,
  kind: p.kind,
  provider: p.provider,
  providerRef: p.providerRef,
  amount: p.amount,
  currency: p.currency,
  status: p.status,
  providerCalls: p.attempts,
  lastError: p.lastError,
  createdAt: iso(p.createdAt)!,
  updatedAt: iso(p.updatedAt)!,
});

/**
 * The organizer's order page: the order as its object holds it now, with the audit trail and the
 * notifications from D1. Refunds hang off the charge whose intent they return money to.
 */
export function toAdminOrder(
  d: OrderDetail,
  names: Map<string, string>,
  audit: z.infer<typeof AuditPageSchema>["items"],
  notes: NotificationRow[],
): z.infer<typeof AdminOrderSchema> {
  const o = d.order;
  const refunds = d.payments.filter((p) => p.kind === "refund");
  return {
    order: {
      id: o.id,
      eventId: o.eventId,
      userId: o.userId,
      email: o.email,
      status: o.status,
      amount: o.amount,
      currency: o.currency,
      refundedAmount: o.refundedAmount,
      paymentAttempt: o.paymentAttempt,
      createdAt: iso(o.createdAt)!,
      updatedAt: iso(o.updatedAt)!,
      paidAt: iso(o.paidAt),
      closedAt: iso(o.closedAt),
    },
    lines: d.lines.map((l) => ({
      id: l.id,
      seatId: l.seatId,
      areaId: l.areaId,
      label: placeLabel(l.seatId ?? l.areaId ?? "", names),
      tier: l.tier,
      price: l.price,
      quantity: l.quantity,
    })),
    attempts: d.payments
      .filter((p) => p.kind === "charge")
      .map((c) => ({
        ...payment(c),
        attempt: attemptOfKey(c.idempotencyKey),
        refundIds: refunds.filter((r) => c.providerRef !== null && r.chargeRef === c.providerRef).map((r) => r.id),
      })),
    refunds: refunds.map((r) => ({
      ...payment(r),
      reason: r.reason,
      chargeRef: r.chargeRef,
      ticketIds: d.tickets.filter((t) => t.refundId === r.id).map((t) => t.id),
    })),
    tickets: d.tickets.map((t) => ({
      id: t.id,
      place: t.place,
      label: placeLabel(t.place, names),
      tier: t.tier,
      price: t.price,
      status: t.status,
      checkedIn: t.usedAt !== null,
      usedAt: iso(t.usedAt),
      usedBy: t.usedBy,
      refundId: t.refundId,
    })),
    audit,
    notifications: notes.map(toNotification),
  };
}
