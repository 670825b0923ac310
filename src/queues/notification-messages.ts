import { z } from "zod";

/**
 * Messages on the `notifications` queue: what happened, for email and SMS. An event-wide message
 * (`event_cancelled` / `event_rescheduled` without `orderId`) is fanned out by the consumer into
 * one message per order, so one huge event never becomes one huge queue invocation.
 */
export const NotificationMessageSchema = z.discriminatedUnion("type", [
  z.object({ type: z.literal("order_paid"), orderId: z.string() }),
  /** `attempt`: the attempt that failed, so a redelivery after a newer attempt says nothing. */
  z.object({ type: z.literal("payment_failed"), orderId: z.string(), attempt: z.number().int().optional() }),
  z.object({ type: z.literal("order_refunded"), orderId: z.string(), refundId: z.string(), amount: z.number().int() }),
  z.object({ type: z.literal("event_cancelled"), eventId: z.string(), orderId: z.string().optional() }),
  z.object({ type: z.literal("event_rescheduled"), eventId: z.string(), orderId: z.string().optional() }),
  z.object({ type: z.literal("event_reminder"), orderId: z.string() }),
  /** Send an already recorded notification row again (admin resend, cron safety net). */
  z.object({ type: z.literal("resend"), notificationId: z.string() }),
]);
export type NotificationMessage = z.infer<typeof NotificationMessageSchema>;
