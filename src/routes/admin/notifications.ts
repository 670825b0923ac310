import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../../db/client";
import type { NotificationRow } from "../../db/schema";
import { NOTIFICATION_CHANNELS, NOTIFICATION_KINDS, NOTIFICATION_STATUSES } from "../../db/schema/constants";
import { canSee, listScope } from "../../domain/catalog-access";
import { AppError, notFound } from "../../errors";
import { audit } from "../../audit/emit";
import { copyForResend, getNotification, listNotifications, markForResend } from "../../notifications/queries";
import type { NotificationMessage } from "../../queues/notification-messages";
import { jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const iso = (ms: number | null) => (ms == null ? null : new Date(ms).toISOString());

export const NotificationSchema = z
  .object({
    id: z.string(),
    kind: z.enum(NOTIFICATION_KINDS),
    channel: z.enum(NOTIFICATION_CHANNELS),
    status: z.enum(NOTIFICATION_STATUSES),
    userId: z.string().nullable(),
    recipient: z.string(),
    subject: z.string(),
    bodyText: z.string(),
    bodyHtml: z.string().nullable(),
    provider: z.string(),
    providerMessageId: z.string().nullable(),
    attempts: z.number().int(),
    lastError: z.string().nullable(),
    orderId: z.string().nullable(),
    eventId: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    sentAt: z.string().nullable(),
  })
  .openapi("Notification");

export const toNotification = (r: NotificationRow) => ({
  ...r,
  createdAt: iso(r.createdAt)!,
  updatedAt: iso(r.updatedAt)!,
  sentAt: iso(r.sentAt),
});

const ListQuery = z.object({
  status: z.enum(NOTIFICATION_STATUSES).optional(),
  channel: z.enum(NOTIFICATION_CHANNELS).optional(),
  kind: z.enum(NOTIFICATION_KINDS).optional(),
  orderId: z.string().min(1).max(100).optional(),
  eventId: z.string().min(1).max(100).optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
});

/** The notification log (the outbox locally): admins see all, organizers their events' rows. */
export const adminNotificationRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminListNotifications",
      ...base,
      method: "get",
      path: "/notifications",
      summary: "Email and SMS notifications, newest first",
      request: { query: ListQuery },
      responses: {
        200: jsonResponse(z.object({ items: z.array(NotificationSchema) }), "Notifications"),
        ...pickProblems(400, 401, 403),
      },
    }),
    async (c) => {
      const rows = await listNotifications(createDb(c.env.DB), {
        ...c.req.valid("query"),
        organizerId: listScope(c.var.auth),
      });
      return c.json({ items: rows.map(toNotification) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminResendNotification",
      ...base,
      method: "post",
      path: "/notifications/{id}/resend",
      summary: "Send a notification again (after a failure or on request)",
      description:
        "A failed or pending row is sent again as it is. A sent row is copied into a new row (a second email " +
        "or SMS, `<id>:resend:<suffix>`), which is the one answered and queued.",
      request: { params: IdParam("id") },
      responses: { 202: jsonResponse(NotificationSchema, "Queued for sending"), ...pickProblems(401, 403, 404, 409) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const found = await getNotification(db, c.req.valid("param").id);
      // A row without an event belongs to no organizer: admins only.
      if (!found || !(c.var.auth.role === "admin" || (found.organizerId && canSee(c.var.auth, found.organizerId))))
        throw notFound("Notification");
      const { organizerId: _org, ...note } = found;
      const row =
        note.status === "sent"
          ? await copyForResend(db, note, Date.now())
          : await markForResend(db, note.id, Date.now());
      if (!row) throw new AppError("conflict", "This notification is being sent right now; try again in a few minutes");
      audit(c, {
        action: "notification.resent",
        entityType: "notification",
        entityId: row.id,
        organizerId: found.organizerId,
        eventId: row.eventId,
        orderId: row.orderId,
        data: { of: found.id, kind: row.kind, channel: row.channel },
      });
      await c.env.NOTIFICATIONS.send({ type: "resend", notificationId: row.id } satisfies NotificationMessage, {
        contentType: "json",
      });
      return c.json(toNotification(row), 202);
    },
  );
