import { z } from "zod";

/**
 * Messages on the `payments` queue. Every one is safe to deliver twice: each names the row or
 * order it acts on, and the consumer checks state before calling the provider.
 */
export const PaymentMessageSchema = z.discriminatedUnion("type", [
  /**
   * A checkout's hold lapsed (`expired`) or its fan released it (`released`): cancel the intent of
   * the attempt that hold paid for, and only that one; close the order if that attempt is current.
   * Without `holdId` (the reconcile cron) it names the order's current attempt.
   */
  z.object({
    type: z.literal("cancel_payment"),
    orderId: z.string(),
    holdId: z.string().optional(),
    reason: z.enum(["expired", "released"]).optional(),
  }),
  /** Send (or resend) the refund recorded in the payments row `paymentId` of the event's object. */
  z.object({ type: z.literal("refund"), paymentId: z.string(), eventId: z.string() }),
  /** Refund every valid ticket of an order (an operator's re-drive; cancellation refunds in the object). */
  z.object({ type: z.literal("refund_order"), orderId: z.string(), reason: z.string() }),
]);
export type PaymentMessage = z.infer<typeof PaymentMessageSchema>;
