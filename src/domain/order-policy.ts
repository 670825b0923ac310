import type { EventRow } from "../db/schema";

/**
 * The refund policy a new event gets when the organizer names none: fans may cancel for a full
 * refund until 48 hours before the start (docs/decisions.md). An explicit `null` means no refunds.
 */
export const DEFAULT_REFUND_DEADLINE_HOURS = 48;

type PolicyEvent = Pick<EventRow, "refundDeadlineHours" | "startsAt" | "status">;

/** When fan refunds close for an event (epoch ms), or null when it offers none. */
export function refundDeadline(event: Pick<EventRow, "refundDeadlineHours" | "startsAt">): number | null {
  return event.refundDeadlineHours == null ? null : event.startsAt - event.refundDeadlineHours * 3_600_000;
}

/**
 * Whether a fan may still cancel for a refund: the event must allow it (a refund deadline in
 * hours before the start) and that deadline must not have passed. Cancelled events are refunded
 * by the organizer's cancellation, not by fans.
 */
export function fanCancellation(
  event: PolicyEvent,
  now = Date.now(),
): { allowed: true } | { allowed: false; reason: string } {
  if (event.status === "cancelled")
    return { allowed: false, reason: "the event was cancelled; every order is refunded automatically" };
  const deadline = refundDeadline(event);
  if (deadline == null) return { allowed: false, reason: "this event does not offer refunds" };
  if (now >= deadline) return { allowed: false, reason: `refunds closed at ${new Date(deadline).toISOString()}` };
  return { allowed: true };
}

export type RefundQuote = {
  allowed: boolean;
  /** Minor units a cancellation now would refund: every valid ticket of the order. */
  amount: number;
  /** When fan refunds close, or null when the event offers none. */
  refundsUntil: number | null;
  /** Why a cancellation would be refused; null when it is allowed. */
  reason: string | null;
};

/**
 * What cancelling `order` now would refund, under the same rules the cancel route applies: the
 * event's policy (`fanCancellation`), a paid order, and at least one valid ticket (the object
 * refunds exactly the valid ones, at their prices).
 */
export function refundQuote(
  event: PolicyEvent,
  order: { status: string; tickets: { status: string; price: number }[] },
  now = Date.now(),
): RefundQuote {
  const amount = order.tickets.filter((t) => t.status === "valid").reduce((n, t) => n + t.price, 0);
  const refundsUntil = refundDeadline(event);
  const policy = fanCancellation(event, now);
  let reason = policy.allowed ? null : policy.reason;
  if (!reason && order.status !== "paid" && order.status !== "partially_refunded")
    reason = `an order that is ${order.status} cannot be refunded`;
  else if (!reason && amount === 0) reason = "the order has no valid tickets left to refund";
  return { allowed: reason === null, amount: reason === null ? amount : 0, refundsUntil, reason };
}

/**
 * The per-account cap a new event gets when the organizer names none: twice the per-order limit,
 * so a fan can buy for a group and come back once, but one account cannot sweep a whole area.
 * An explicit `null` from the organizer still means no cap.
 */
export function defaultMaxSeatsPerUser(maxSeatsPerOrder: number): number {
  return maxSeatsPerOrder * 2;
}
