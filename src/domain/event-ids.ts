import { notFound } from "../errors";
import { isId } from "../lib/ids";
import { decodeHoldId } from "./hold-ids";

/**
 * Every Durable Object call creates the object, and its constructor writes its schema, so an id
 * that reaches `getByName` leaves a stored object behind even when the answer is "not found".
 * These checks stand in front of every such call: first the id's shape (free), then, on routes
 * that do not already read the event, one indexed D1 read that it exists and is published.
 */

/** `evt_` + 26 Crockford base32 characters, as `newId("evt")` makes them. */
export const isEventId = (id: string) => isId("evt", id);

/** The object-side hold id: a lowercase UUID (`crypto.randomUUID()` in the inventory object). */
const HOLD_UUID = /^[0-9a-f]{8}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{4}-[0-9a-f]{12}$/;

/** A public hold id (`evt_…~uuid`) split into its parts, or null unless both parts are well-shaped. */
export function parseHoldId(publicId: string): { eventId: string; holdId: string } | null {
  const d = decodeHoldId(publicId);
  return d && isEventId(d.eventId) && HOLD_UUID.test(d.holdId) ? d : null;
}

/**
 * Throws 404 unless `id` is shaped like an event id and names an event that is past draft (the
 * only ones with an inventory or a waiting room); `what` names the missing thing in the 404.
 */
export async function requirePublishedEvent(db: D1Database, id: string, what = "Event"): Promise<void> {
  if (!isEventId(id)) throw notFound(what);
  const row = await db.prepare("SELECT status FROM events WHERE id = ?").bind(id).first<{ status: string }>();
  if (!row || row.status === "draft") throw notFound(what);
}

/** Published events this isolate has seen, with when that knowledge lapses (ms since epoch). */
const published = new Map<string, number>();
const PUBLISHED_TTL_MS = 60_000;
const PUBLISHED_MAX = 10_000;

/**
 * `requirePublishedEvent` for the hold path, which must not read D1 per request: an isolate
 * reads once per event per minute and then answers from memory, so a flash sale costs one
 * indexed read per isolate per minute while an unknown id still never reaches an object.
 * Unknown ids are not cached (they are cheap to refuse and must not fill the map). A cancelled
 * or closed event may stay "known" for a minute: the object itself refuses holds on it.
 */
export async function requireKnownEvent(db: D1Database, id: string, now = Date.now()): Promise<void> {
  const until = published.get(id);
  if (until !== undefined && until > now) return;
  await requirePublishedEvent(db, id);
  if (published.size >= PUBLISHED_MAX) published.clear();
  published.set(id, now + PUBLISHED_TTL_MS);
}

/**
 * `parseHoldId` plus `requireKnownEvent`: the hold's parts, or 404 "Hold". Reading or releasing a
 * hold is as hot as making one (a flash sale's fans let seats go), so it reads D1 as seldom.
 */
export async function locateHold(db: D1Database, publicId: string): Promise<{ eventId: string; holdId: string }> {
  const ids = parseHoldId(publicId);
  if (!ids) throw notFound("Hold");
  await requireKnownEvent(db, ids.eventId).catch(() => {
    throw notFound("Hold");
  });
  return ids;
}
