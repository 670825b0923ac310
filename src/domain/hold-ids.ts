const SEP = "~";

/** Public hold ids carry the event id so the Worker can find the inventory object. */
export const encodeHoldId = (eventId: string, holdId: string) => `${eventId}${SEP}${holdId}`;

/** Splits a public hold id; null when it is not one. */
export function decodeHoldId(id: string): { eventId: string; holdId: string } | null {
  const i = id.indexOf(SEP);
  if (i <= 0 || i === id.length - 1) return null;
  return { eventId: id.slice(0, i), holdId: id.slice(i + 1) };
}
