/**
 * The purchase rows as the object stores them (snake_case SQLite rows) and as the rest of the
 * code knows them (the D1 ledger's camelCase shapes, so routes and the ledger share one type).
 */
import type { OrderLineRow, OrderRow, TicketRow } from "../../db/schema";
import type { payments } from "../../db/schema";
import type { OrderStatus, PaymentKind, PaymentProvider, PaymentStatus, TicketStatus } from "../../db/schema/constants";

export type PaymentRow = typeof payments.$inferSelect;

export type OrderSql = {
  id: string;
  seq: number;
  user_id: string;
  email: string;
  hold_id: string;
  status: OrderStatus;
  amount: number;
  currency: string;
  refunded_amount: number;
  payment_attempt: number;
  hold_expires_at: number | null;
  created_at: number;
  updated_at: number;
  paid_at: number | null;
  closed_at: number | null;
  version: number;
};

export type LineSql = {
  id: string;
  order_id: string;
  seat_id: string | null;
  area_id: string | null;
  tier: string;
  price: number;
  quantity: number;
};

export type PaymentSql = {
  id: string;
  seq: number;
  order_id: string;
  kind: PaymentKind;
  provider: PaymentProvider;
  provider_ref: string | null;
  idempotency_key: string;
  amount: number;
  currency: string;
  status: PaymentStatus;
  attempts: number;
  last_error: string | null;
  reason: string | null;
  hold_id: string | null;
  charge_ref: string | null;
  created_at: number;
  updated_at: number;
  version: number;
};

export type TicketSql = {
  id: string;
  order_id: string;
  user_id: string;
  place: string;
  seat_id: string | null;
  area_id: string | null;
  tier: string;
  price: number;
  status: TicketStatus;
  code: string;
  used_at: number | null;
  used_by: string | null;
  refund_id: string | null;
  created_at: number;
  updated_at: number;
  version: number;
};

export const orderOut = (o: OrderSql, eventId: string): OrderRow => ({
  id: o.id,
  userId: o.user_id,
  eventId,
  holdId: o.hold_id,
  status: o.status,
  amount: o.amount,
  currency: o.currency,
  refundedAmount: o.refunded_amount,
  paymentAttempt: o.payment_attempt,
  holdExpiresAt: o.hold_expires_at,
  email: o.email,
  createdAt: o.created_at,
  updatedAt: o.updated_at,
  paidAt: o.paid_at,
  closedAt: o.closed_at,
  version: o.version,
});

export const lineOut = (l: LineSql): OrderLineRow => ({
  id: l.id,
  orderId: l.order_id,
  seatId: l.seat_id,
  areaId: l.area_id,
  tier: l.tier,
  price: l.price,
  quantity: l.quantity,
});

export const paymentOut = (p: PaymentSql): PaymentRow => ({
  id: p.id,
  orderId: p.order_id,
  kind: p.kind,
  provider: p.provider,
  providerRef: p.provider_ref,
  idempotencyKey: p.idempotency_key,
  amount: p.amount,
  currency: p.currency,
  status: p.status,
  attempts: p.attempts,
  lastError: p.last_error,
  reason: p.reason,
  holdId: p.hold_id,
  chargeRef: p.charge_ref,
  createdAt: p.created_at,
  updatedAt: p.updated_at,
  version: p.version,
});

export const ticketOut = (t: TicketSql, eventId: string): TicketRow => ({
  id: t.id,
  orderId: t.order_id,
  eventId,
  userId: t.user_id,
  place: t.place,
  seatId: t.seat_id,
  areaId: t.area_id,
  tier: t.tier,
  price: t.price,
  status: t.status,
  code: t.code,
  usedAt: t.used_at,
  usedBy: t.used_by,
  refundId: t.refund_id,
  createdAt: t.created_at,
  updatedAt: t.updated_at,
  version: t.version,
});

/** An order with everything the order page shows, as the object holds it right now. */
export type OrderDetail = { order: OrderRow; lines: OrderLineRow[]; tickets: TicketRow[]; payments: PaymentRow[] };
