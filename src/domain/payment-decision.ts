import type { OrderStatus, PaymentStatus } from "../db/schema/constants";

/** Order states in which the money has been dealt with: tickets issued, or refunded in full. */
export const SETTLED: readonly OrderStatus[] = ["paid", "partially_refunded", "refunded", "refunded_unavailable"];

/** Why a successful payment is sent back instead of buying tickets. */
export type StrayReason = "superseded" | "settled" | "cancelled" | "mismatch" | "unknown_intent";

export type SuccessDecision =
  /** The current attempt of an unsettled order, for the recorded amount: sell the seats. */
  | { action: "sell" }
  /** This very intent already settled the order (a replay under another event id): nothing to do. */
  | { action: "done" }
  /** Money that must not buy anything: refund it to the intent that took it. */
  | { action: "refund"; reason: StrayReason };

/** What the decision needs of the order, the charge row recorded for the intent, and the intent. */
export type SuccessFacts = {
  order: { status: OrderStatus; amount: number; currency: string; paymentAttempt: number };
  /** The charge row whose provider reference is this intent; null when the order never created it. */
  charge: { attempt: number; status: PaymentStatus; amount: number; currency: string } | null;
  intent: { amount: number; currency: string };
};

const sameMoney = (a: { amount: number; currency: string }, b: { amount: number; currency: string }) =>
  a.amount === b.amount && a.currency.toLowerCase() === b.currency.toLowerCase();

/**
 * Decides what a `payment_intent.succeeded` does. Only the order's current attempt, for exactly
 * the amount and currency the order recorded, may buy seats; every other success took money
 * that must go back, so it is refunded (never dropped, never only logged).
 */
export function decideSuccess({ order, charge, intent }: SuccessFacts): SuccessDecision {
  if (!charge) return { action: "refund", reason: "unknown_intent" };
  if (charge.status === "succeeded" && SETTLED.includes(order.status)) return { action: "done" };
  if (!sameMoney(intent, charge) || !sameMoney(intent, order)) return { action: "refund", reason: "mismatch" };
  if (charge.attempt !== order.paymentAttempt) return { action: "refund", reason: "superseded" };
  if (SETTLED.includes(order.status)) return { action: "refund", reason: "settled" };
  if (order.status === "cancelled") return { action: "refund", reason: "cancelled" };
  return { action: "sell" };
}

/** The attempt number inside a charge's provider idempotency key (`order_<id>_attempt_<n>`). */
export function attemptOfKey(key: string): number {
  const m = /_attempt_(\d+)$/.exec(key);
  return m ? Number(m[1]) : 0;
}

/** The provider idempotency key of one payment attempt: a new attempt gets a new key. */
export const attemptKey = (orderId: string, attempt: number) => `order_${orderId}_attempt_${attempt}`;
