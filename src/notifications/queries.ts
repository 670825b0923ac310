import { and, desc, eq, inArray, type SQL } from "drizzle-orm";
import type { Db } from "../db/client";
import { events, notifications, type NotificationRow } from "../db/schema";
import type { NotificationChannel, NotificationKind, NotificationStatus } from "../db/schema/constants";

export type NotificationFilter = {
  status?: NotificationStatus;
  channel?: NotificationChannel;
  kind?: NotificationKind;
  orderId?: string;
  eventId?: string;
  /** Only rows of this organizer's events; null: every row (admins). */
  organizerId: string | null;
  limit: number;
};

/** Notifications newest first, filtered; scoping joins the row's event to its organizer. */
export async function listNotifications(db: Db, f: NotificationFilter): Promise<NotificationRow[]> {
  const where: (SQL | undefined)[] = [
    f.status ? eq(notifications.status, f.status) : undefined,
    f.channel ? eq(notifications.channel, f.channel) : undefined,
    f.kind ? eq(notifications.kind, f.kind) : undefined,
    f.orderId ? eq(notifications.orderId, f.orderId) : undefined,
    f.eventId ? eq(notifications.eventId, f.eventId) : undefined,
  ];
  if (f.organizerId === null) {
    return db
      .select()
      .from(notifications)
      .where(and(...where))
      .orderBy(desc(notifications.createdAt), desc(notifications.id))
      .limit(f.limit)
      .all();
  }
  const rows = await db
    .select({ n: notifications })
    .from(notifications)
    .innerJoin(events, eq(events.id, notifications.eventId))
    .where(and(eq(events.organizerId, f.organizerId), ...where))
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(f.limit)
    .all();
  return rows.map((r) => r.n);
}

/** One notification with the organizer of its event (null when it has no event). */
export async function getNotification(
  db: Db,
  id: string,
): Promise<(NotificationRow & { organizerId: string | null }) | undefined> {
  const row = await db
    .select({ n: notifications, organizerId: events.organizerId })
    .from(notifications)
    .leftJoin(events, eq(events.id, notifications.eventId))
    .where(eq(notifications.id, id))
    .get();
  return row ? { ...row.n, organizerId: row.organizerId } : undefined;
}

/**
 * Puts a row back to `pending` for a resend. A row being sent right now is refused (null):
 * resending it would race the live send.
 */
export async function markForResend(db: Db, id: string, now: number): Promise<NotificationRow | null> {
  const [row] = await db
    .update(notifications)
    .set({ status: "pending", updatedAt: now })
    .where(and(eq(notifications.id, id), inArray(notifications.status, ["pending", "sent", "failed"])))
    .returning();
  return row ?? null;
}

/** The id of the message a resend copies (a copy of a copy still names the first one). */
const firstOf = (id: string) => id.split(":resend:")[0]!;

/**
 * A sent message asked for again is a second message, not the first one re-marked: it gets its
 * own row (`<first id>:resend:<time><random>`, `pending`), so the log and the mailbox show each
 * email or SMS that went out. The content is the first message's, as it was sent.
 */
export async function copyForResend(db: Db, row: NotificationRow, now: number): Promise<NotificationRow> {
  const suffix = `${now.toString(36)}${crypto.randomUUID().slice(0, 8)}`;
  const [copy] = await db
    .insert(notifications)
    .values({
      ...row,
      id: `${firstOf(row.id)}:resend:${suffix}`,
      status: "pending",
      providerMessageId: null,
      attempts: 0,
      lastError: null,
      createdAt: now,
      updatedAt: now,
      sentAt: null,
    })
    .returning();
  return copy!;
}
