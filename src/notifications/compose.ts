import { and, getTableColumns, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import {
  events,
  orders,
  tickets,
  users,
  venues,
  type EventRow,
  type OrderRow,
  type TicketRow,
  type UserRow,
} from "../db/schema";
import type { NotificationChannel, NotificationKind } from "../db/schema/constants";
import type { NotificationMessage } from "../queues/notification-messages";
import type { Draft } from "./send";
import { eventOfOrder } from "../domain/order-ids";
import { type LabelLayout, placeLabel, placeNames } from "../domain/place-labels";
import { render, type TemplateData } from "./templates";

/** Everything the templates need about one order, loaded in one D1 batch. */
export type OrderContext = {
  order: OrderRow;
  user: UserRow;
  event: Omit<EventRow, "layoutSnapshot">;
  venueName: string;
  timeZone: string;
  tickets: TicketRow[];
  /** Place id → the words people read (from the event's layout). */
  labels: Map<string, string>;
};

/** Every column of an event but its layout, which can be megabytes for a stadium. */
const { layoutSnapshot: _layout, ...EVENT_META } = getTableColumns(events);

/**
 * Labels per event, kept across batches: a stadium layout is read and parsed once per isolate and
 * event version (`updated_at`), not once per queue batch. Order ids name their event, so the
 * layout of an event not seen yet is read in the same D1 batch as the orders.
 */
const labelCache = new Map<string, { updatedAt: number; names: Map<string, string> }>();
const LABEL_CACHE_EVENTS = 64;

function keepLabels(rows: { id: string; updatedAt: number; layout: unknown }[]): void {
  for (const r of rows) {
    if (labelCache.size >= LABEL_CACHE_EVENTS) labelCache.delete(labelCache.keys().next().value!);
    const snap = r.layout;
    labelCache.set(r.id, {
      updatedAt: r.updatedAt,
      names: placeNames((typeof snap === "string" ? JSON.parse(snap) : snap) as LabelLayout),
    });
  }
}

const layoutsOf = (db: Db, ids: string[]) =>
  db
    .select({ id: events.id, updatedAt: events.updatedAt, layout: events.layoutSnapshot })
    .from(events)
    .where(inArray(events.id, ids.length ? ids : [""]));

/** Ids per `IN (...)` list: D1 binds at most 100 parameters per statement. */
const IN_CHUNK = 90;

/**
 * Loads orders with their buyer, event, venue and live (valid or used) tickets: the five reads of
 * up to 90 orders go in one D1 batch, so a queue batch pays one round trip for its whole context.
 * One read per table, not a join: drizzle maps batched rows by column name, and a join's
 * duplicate names (`id`, `name`) would overwrite each other.
 */
export async function loadOrderContexts(db: Db, orderIds: string[]): Promise<Map<string, OrderContext>> {
  const out = new Map<string, OrderContext>();
  const ids = [...new Set(orderIds)];
  for (let i = 0; i < ids.length; i += IN_CHUNK) {
    const part = ids.slice(i, i + IN_CHUNK);
    const ofOrders = (column: typeof orders.userId | typeof orders.eventId) =>
      db.select({ id: column }).from(orders).where(inArray(orders.id, part));
    const eventIds = ofOrders(orders.eventId);
    const unseen = [...new Set(part.flatMap((id) => eventOfOrder(id) ?? []))].filter((e) => !labelCache.has(e));
    const [os, us, es, vs, live, layouts] = await db.batch([
      db.select().from(orders).where(inArray(orders.id, part)),
      db
        .select()
        .from(users)
        .where(inArray(users.id, ofOrders(orders.userId))),
      db.select(EVENT_META).from(events).where(inArray(events.id, eventIds)),
      db
        .select({ id: venues.id, name: venues.name, timezone: venues.timezone })
        .from(venues)
        .where(inArray(venues.id, db.select({ id: events.venueId }).from(events).where(inArray(events.id, eventIds)))),
      db
        .select()
        .from(tickets)
        .where(and(inArray(tickets.orderId, part), inArray(tickets.status, ["valid", "used"])))
        .orderBy(tickets.place),
      layoutsOf(db, unseen),
    ]);
    keepLabels(layouts);
    // An event edited since its labels were kept (or an order id that does not name its event).
    const stale = es.filter((e) => labelCache.get(e.id)?.updatedAt !== e.updatedAt).map((e) => e.id);
    if (stale.length) keepLabels(await layoutsOf(db, stale));
    const user = new Map(us.map((u) => [u.id, u]));
    const event = new Map(es.map((e) => [e.id, e]));
    const venue = new Map(vs.map((v) => [v.id, v]));
    for (const order of os) {
      const u = user.get(order.userId);
      const e = event.get(order.eventId);
      const v = e && venue.get(e.venueId);
      if (u && e && v)
        out.set(order.id, {
          order,
          user: u,
          event: e,
          venueName: v.name,
          timeZone: v.timezone,
          tickets: [],
          labels: labelCache.get(e.id)?.names ?? new Map(),
        });
    }
    for (const t of live) out.get(t.orderId)?.tickets.push(t);
  }
  return out;
}

/**
 * Where to reach the buyer, following their preferences: email when `notify_email` (to the
 * address given at checkout), SMS only when `notify_sms` and a phone number exists.
 */
export function recipients(
  ctx: Pick<OrderContext, "order" | "user">,
): { channel: NotificationChannel; recipient: string }[] {
  const out: { channel: NotificationChannel; recipient: string }[] = [];
  const email = ctx.order.email || ctx.user.email;
  if (ctx.user.notifyEmail && email) out.push({ channel: "email", recipient: email });
  if (ctx.user.notifySms && ctx.user.phone) out.push({ channel: "sms", recipient: ctx.user.phone });
  return out;
}

function templateData(ctx: OrderContext, baseUrl: string, refundAmount?: number): TemplateData {
  return {
    baseUrl: baseUrl.replace(/\/+$/, ""),
    name: ctx.user.name,
    event: {
      id: ctx.event.id,
      name: ctx.event.name,
      startsAt: ctx.event.startsAt,
      timeZone: ctx.timeZone,
      venueName: ctx.venueName,
    },
    order: { id: ctx.order.id, amount: ctx.order.amount, currency: ctx.order.currency },
    tickets: ctx.tickets.map((t) => ({ id: t.id, label: placeLabel(t.place, ctx.labels) })),
    refundAmount,
  };
}

/** One draft per channel the buyer wants, keyed `<key>:<channel>`. */
export function drafts(
  kind: NotificationKind,
  key: string,
  ctx: OrderContext,
  baseUrl: string,
  refundAmount?: number,
): Draft[] {
  const r = render(kind, templateData(ctx, baseUrl, refundAmount));
  return recipients(ctx).map(({ channel, recipient }) => ({
    id: `${key}:${channel}`,
    kind,
    channel,
    userId: ctx.user.id,
    recipient,
    subject: r.subject,
    bodyText: channel === "email" ? r.text : r.sms,
    bodyHtml: channel === "email" ? r.html : null,
    orderId: ctx.order.id,
    eventId: ctx.event.id,
  }));
}

const LIVE_ORDER = new Set(["paid", "partially_refunded"]);

/** A message about one order (every type but `resend` and an event-wide announcement). */
export type OrderMessage = Exclude<NotificationMessage, { type: "resend" }> & { orderId: string };

/**
 * The drafts one per-order message produces, with deterministic keys (kind + subject + channel),
 * from its order's context (`undefined`: the order does not exist). Returns [] when there is
 * nothing (any more) to say, e.g. a reminder for a refunded order.
 */
export function composeForOrder(
  ctx: OrderContext | undefined,
  baseUrl: string,
  msg: OrderMessage,
  now: number,
): Draft[] {
  if (!ctx) return [];
  const { order, event } = ctx;
  switch (msg.type) {
    case "order_paid":
      return ctx.tickets.length ? drafts("booking_confirmed", `booking_confirmed:order:${order.id}`, ctx, baseUrl) : [];
    case "payment_failed": {
      // A retry that succeeded (or a newer attempt) before this message arrived makes the notice moot.
      const attempt = msg.attempt ?? order.paymentAttempt;
      return LIVE_ORDER.has(order.status) || order.paymentAttempt > attempt
        ? []
        : drafts("payment_failed", `payment_failed:order:${order.id}:attempt:${attempt}`, ctx, baseUrl);
    }
    case "order_refunded":
      return drafts("refund_issued", `refund_issued:refund:${msg.refundId}`, ctx, baseUrl, msg.amount);
    case "event_cancelled":
      return drafts("event_cancelled", `event_cancelled:event:${event.id}:order:${order.id}`, ctx, baseUrl);
    case "event_rescheduled":
      // The start time is part of the key: a second reschedule is news again.
      if (!LIVE_ORDER.has(order.status) || !ctx.tickets.length) return [];
      return drafts(
        "event_rescheduled",
        `event_rescheduled:event:${event.id}:starts:${event.startsAt}:order:${order.id}`,
        ctx,
        baseUrl,
      );
    case "event_reminder":
      if (!LIVE_ORDER.has(order.status) || !ctx.tickets.length || event.status === "cancelled" || event.startsAt <= now)
        return [];
      return drafts("event_reminder", `event_reminder:order:${order.id}`, ctx, baseUrl);
  }
}
