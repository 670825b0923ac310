import type { EventRow } from "../db/schema";

/**
 * Whether a fan may still cancel for a refund: the event must allow it (a refund deadline in
 * hours before the start) and that deadline must not have passed. Cancelled events are refunded
 * by the organizer's cancellation, not by fans.
 */
export function fanCancellation(
  event: Pick<EventRow, "refundDeadlineHours" | "startsAt" | "status">,
  now = Date.now(),
): { allowed: true } | { allowed: false; reason: string } {
  if (event.status === "cancelled")
    return { allowed: false, reason: "the event was cancelled; every order is refunded automatically" };
  if (event.refundDeadlineHours == null) return { allowed: false, reason: "this event does not offer refunds" };
  const deadline = event.startsAt - event.refundDeadlineHours * 3_600_000;
  if (now >= deadline) return { allowed: false, reason: `refunds closed at ${new Date(deadline).toISOString()}` };
  return { allowed: true };
}

/**
 * The per-account cap a new event gets when the organizer names none: twice the per-order limit,
 * so a fan can buy for a group and come back once, but one account cannot sweep a whole area.
 * An explicit `null` from the organizer still means no cap.
 */
export function defaultMaxSeatsPerUser(maxSeatsPerOrder: number): number {
  return maxSeatsPerOrder * 2;
}
