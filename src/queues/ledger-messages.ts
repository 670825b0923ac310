import { z } from "zod";
import type { orderLines, orders } from "../db/schema/orders";
import type { payments } from "../db/schema/payments";
import type { tickets } from "../db/schema/tickets";
import {
  ORDER_STATUSES,
  PAYMENT_KINDS,
  PAYMENT_PROVIDERS,
  PAYMENT_STATUSES,
  TICKET_STATUSES,
} from "../db/schema/constants";
import { NotificationMessageSchema } from "./notification-messages";

const int = z.number().int();
const version = z.number().int().nonnegative();

/**
 * Rows as the EventInventory object holds them, with the camelCase names of the drizzle rows.
 * Each schema `satisfies` its table's select type, so a column added to D1 but not here fails the
 * type check instead of arriving as NULL. `version` grows with every change of the row in the
 * object; the consumer never lets D1 go back to a smaller one.
 */
export const LedgerOrderSchema = z.object({
  id: z.string(),
  userId: z.string(),
  eventId: z.string(),
  holdId: z.string(),
  status: z.enum(ORDER_STATUSES),
  amount: int,
  currency: z.string(),
  refundedAmount: int,
  paymentAttempt: int,
  holdExpiresAt: int.nullable(),
  email: z.string(),
  createdAt: int,
  updatedAt: int,
  paidAt: int.nullable(),
  closedAt: int.nullable(),
  version,
}) satisfies z.ZodType<typeof orders.$inferSelect>;

/** Order lines never change once written, so they carry no version. */
export const LedgerLineSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  seatId: z.string().nullable(),
  areaId: z.string().nullable(),
  tier: z.string(),
  price: int,
  quantity: int,
}) satisfies z.ZodType<typeof orderLines.$inferSelect>;

export const LedgerPaymentSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  kind: z.enum(PAYMENT_KINDS),
  provider: z.enum(PAYMENT_PROVIDERS),
  providerRef: z.string().nullable(),
  idempotencyKey: z.string(),
  amount: int,
  currency: z.string(),
  status: z.enum(PAYMENT_STATUSES),
  attempts: int,
  lastError: z.string().nullable(),
  reason: z.string().nullable(),
  holdId: z.string().nullable(),
  chargeRef: z.string().nullable(),
  createdAt: int,
  updatedAt: int,
  version,
}) satisfies z.ZodType<typeof payments.$inferSelect>;

export const LedgerTicketSchema = z.object({
  id: z.string(),
  orderId: z.string(),
  eventId: z.string(),
  userId: z.string(),
  place: z.string(),
  seatId: z.string().nullable(),
  areaId: z.string().nullable(),
  tier: z.string(),
  price: int,
  status: z.enum(TICKET_STATUSES),
  code: z.string(),
  usedAt: int.nullable(),
  usedBy: z.string().nullable(),
  refundId: z.string().nullable(),
  createdAt: int,
  updatedAt: int,
  version,
}) satisfies z.ZodType<typeof tickets.$inferSelect>;

/**
 * The `ledger` queue: rows the EventInventory object (the write side) changed, for D1 (the read
 * side). Safe to deliver twice or out of order: rows are upserted by id and version.
 */
export const LedgerMessageSchema = z.object({
  type: z.literal("rows"),
  eventId: z.string(),
  orders: z.array(LedgerOrderSchema).default([]),
  lines: z.array(LedgerLineSchema).default([]),
  payments: z.array(LedgerPaymentSchema).default([]),
  tickets: z.array(LedgerTicketSchema).default([]),
  /**
   * Sent to the notifications queue only after this message's rows are in D1, so an email never
   * reads a row that is not there yet.
   */
  notify: z.array(NotificationMessageSchema).default([]),
});

export type LedgerMessage = z.infer<typeof LedgerMessageSchema>;
export type LedgerOrder = z.infer<typeof LedgerOrderSchema>;
export type LedgerLine = z.infer<typeof LedgerLineSchema>;
export type LedgerPayment = z.infer<typeof LedgerPaymentSchema>;
export type LedgerTicket = z.infer<typeof LedgerTicketSchema>;
