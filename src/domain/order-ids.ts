import { isId, newId } from "../lib/ids";
import { isEventId } from "./event-ids";

const SEP = "~";

/**
 * Order ids carry their event's id (`evt_…~ord_…`), as hold ids do, so a request or a webhook
 * finds the order's object without a lookup.
 */
export const newOrderId = (eventId: string, now = Date.now()) => `${eventId}${SEP}${newId("ord", now)}`;

/** The event of a well-shaped order id, or null (junk never reaches an object). */
export function eventOfOrder(orderId: string): string | null {
  const i = orderId.indexOf(SEP);
  if (i <= 0) return null;
  const eventId = orderId.slice(0, i);
  return isEventId(eventId) && isId("ord", orderId.slice(i + 1)) ? eventId : null;
}
