import { and, eq, inArray, like } from "drizzle-orm";
import { createDb } from "../db/client";
import { notifications } from "../db/schema";
import { NotificationMessageSchema, type NotificationMessage } from "./notification-messages";
import { outboxInsert, outboxItem, shipOutbox } from "./outbox";
import { log } from "../observability/log";

/** Rows a message would have produced and that are not finished yet. */
function unfinishedRowsOf(msg: NotificationMessage) {
  const open = inArray(notifications.status, ["pending", "sending"]);
  switch (msg.type) {
    case "resend":
      return and(open, eq(notifications.id, msg.notificationId));
    case "order_paid":
      return and(open, eq(notifications.kind, "booking_confirmed"), eq(notifications.orderId, msg.orderId));
    case "payment_failed":
      return and(open, eq(notifications.kind, "payment_failed"), eq(notifications.orderId, msg.orderId));
    case "order_refunded":
      return and(open, like(notifications.id, `refund_issued:refund:${msg.refundId.replace(/[%_]/g, "")}:%`));
    case "event_reminder":
      return and(open, eq(notifications.kind, "event_reminder"), eq(notifications.orderId, msg.orderId));
    case "event_cancelled":
    case "event_rescheduled":
      return and(
        open,
        eq(notifications.kind, msg.type),
        eq(notifications.eventId, msg.eventId),
        msg.orderId ? eq(notifications.orderId, msg.orderId) : undefined,
      );
  }
}

/**
 * `notifications-dlq`: a message that exhausted its retries. The notifications it was sending
 * are marked failed with the reason (an admin can re-send them), and the dead letter is audited.
 */
export async function consumeNotificationDeadLetters(batch: MessageBatch<unknown>, env: Env): Promise<void> {
  const db = createDb(env.DB);
  for (const message of batch.messages) {
    const now = Date.now();
    const parsed = NotificationMessageSchema.safeParse(message.body);
    const reason = `dead-lettered after ${message.attempts} deliveries`;
    let ids: string[] = [];
    if (parsed.success) {
      const rows = await db
        .update(notifications)
        .set({ status: "failed", lastError: reason, updatedAt: now })
        .where(unfinishedRowsOf(parsed.data))
        .returning({ id: notifications.id });
      ids = rows.map((r) => r.id);
    }
    const body = parsed.success ? parsed.data : null;
    const item = outboxItem("audit", `notification.dead_letter:${message.id}`, {
      action: "notification.dead_letter",
      actorId: null,
      orderId: body && "orderId" in body ? (body.orderId ?? null) : null,
      eventId: body && "eventId" in body ? body.eventId : null,
      data: { body: message.body as never, reason, notificationIds: ids },
      at: now,
    });
    await outboxInsert(db, [item], now);
    await shipOutbox(db, env, [item.id]);
    log("error", "notifications message dead-lettered", { id: message.id, body: message.body, failed: ids });
    message.ack();
  }
}
