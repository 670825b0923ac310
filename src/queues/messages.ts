import { z } from "zod";

/** Messages on the `notifications` queue: what happened to an order, for email and SMS. */
export const NotificationMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("order_paid"), orderId: z.string() }),
  z.object({ type: z.literal("payment_failed"), orderId: z.string() }),
  z.object({ type: z.literal("order_refunded"), orderId: z.string(), refundId: z.string(), amount: z.number().int() }),
]);
export type NotificationMessage = z.infer<typeof NotificationMessageSchema>;

/** Messages on the `audit` queue: who did what to which order, event or ticket, and when. */
export const AuditMessageSchema = z.object({
  action: z.string(),
  actorId: z.string().nullable(),
  eventId: z.string().nullable().optional(),
  orderId: z.string().nullable().optional(),
  data: z.record(z.string(), z.unknown()).optional(),
  at: z.number().int(),
});
export type AuditMessage = z.infer<typeof AuditMessageSchema>;
