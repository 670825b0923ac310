import { z } from "zod";

/**
 * Messages on the `payments` queue. Every one is safe to deliver twice: each names the row or
 * order it acts on, and the consumer checks state before calling the provider.
 */
export const PaymentMessageSchema = z.discriminatedUnion("type", [
  /** A checkout's hold lapsed before payment: cancel its PaymentIntent and expire the order. */
  z.object({ type: z.literal("cancel_payment"), orderId: z.string(), holdId: z.string().optional() }),
  /** Send (or resend) the refund recorded in the payments row `paymentId`. */
  z.object({ type: z.literal("refund"), paymentId: z.string() }),
  /** Refund every valid ticket of an order (event cancelled). */
  z.object({ type: z.literal("refund_order"), orderId: z.string(), reason: z.string() }),
]);
export type PaymentMessage = z.infer<typeof PaymentMessageSchema>;
