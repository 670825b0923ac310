import { sqliteTable, text, integer, index } from "drizzle-orm/sqlite-core";
import { NOTIFICATION_CHANNELS, NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from "./constants";

/**
 * Every email and SMS, recorded before it is sent. The id is deterministic (kind + subject +
 * channel, e.g. `booking_confirmed:order:<id>:email`), so a duplicate queue delivery finds the
 * row and sends nothing. With the local `outbox` provider this table is the mailbox.
 */
export const notifications = sqliteTable(
  "notifications",
  {
    id: text("id").primaryKey(),
    kind: text("kind", { enum: NOTIFICATION_KINDS }).notNull(),
    channel: text("channel", { enum: NOTIFICATION_CHANNELS }).notNull(),
    userId: text("user_id"),
    recipient: text("recipient").notNull(),
    subject: text("subject").notNull().default(""),
    bodyText: text("body_text").notNull(),
    bodyHtml: text("body_html"),
    status: text("status", { enum: NOTIFICATION_STATUSES }).notNull().default("pending"),
    /** ses, twilio or outbox. */
    provider: text("provider").notNull(),
    providerMessageId: text("provider_message_id"),
    attempts: integer("attempts").notNull().default(0),
    lastError: text("last_error"),
    orderId: text("order_id"),
    eventId: text("event_id"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
    sentAt: integer("sent_at"),
  },
  (t) => [
    index("notifications_status_idx").on(t.status, t.updatedAt),
    index("notifications_user_idx").on(t.userId, t.createdAt),
    index("notifications_event_idx").on(t.eventId, t.createdAt),
  ],
);

/** Reminders already queued per event, so the cron sends each event's reminder once. */
export const eventReminders = sqliteTable("event_reminders", {
  eventId: text("event_id").primaryKey(),
  queuedAt: integer("queued_at").notNull(),
});

export type NotificationRow = typeof notifications.$inferSelect;
