import { newOrderId } from "../../src/domain/order-ids";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { createApp } from "../../src/app";
import type { NotificationRow } from "../../src/db/schema";
import { consumeNotificationDeadLetters, consumeNotifications } from "../../src/queues/notifications-consumer";
import { seedEvent, type SeedEvent } from "../helpers/catalog";
import { createUser } from "../helpers/fixtures";
import type { Json } from "../helpers/http";
import { runConsumer } from "../helpers/queues";
import { seedTickets } from "../tickets/helpers";

/** A queue binding that records what is sent to it instead of delivering it. */
export function recorder() {
  const bodies: Json[] = [];
  const queue = {
    send: async (body: Json) => void bodies.push(body),
    sendBatch: async (msgs: Iterable<{ body: Json }>) => void bodies.push(...[...msgs].map((m) => m.body)),
  } as unknown as Queue;
  return { queue, bodies };
}

/** The test env with recording queues, plus any overrides (providers, secrets). */
export function testEnv(overrides: Record<string, unknown> = {}) {
  const notifications = recorder();
  const audit = recorder();
  const e = { ...env, NOTIFICATIONS: notifications.queue, AUDIT: audit.queue, ...overrides } as unknown as Env;
  return { env: e, queued: notifications.bodies, audited: audit.bodies };
}

/** A buyer with the given preferences and a paid order with tickets for a fresh event. */
export async function paidOrder(
  opts: {
    sms?: boolean;
    email?: boolean;
    phone?: string | null;
    name?: string;
    event?: SeedEvent;
    seats?: string[];
  } = {},
) {
  const fan = await createUser({ phone: opts.phone ?? undefined });
  await env.DB.prepare("UPDATE users SET notify_email = ?, notify_sms = ?, name = ? WHERE id = ?")
    .bind(opts.email === false ? 0 : 1, opts.sms ? 1 : 0, opts.name ?? null, fan.id)
    .run();
  const event = await seedEvent(opts.event);
  const { order, tickets } = await seedTickets({
    eventId: event.id,
    userId: fan.id,
    seats: opts.seats,
    orderId: newOrderId(event.id, Date.now()),
  });
  return { fan, event, order, tickets };
}

/** Runs a consumer on message bodies (each with `attempts`) and returns the queue result. */
export function run(bodies: unknown[], e: Env, opts: { attempts?: number; dlq?: boolean } = {}) {
  const queue = opts.dlq ? "notifications-dlq" : "notifications";
  return runConsumer(queue, opts.dlq ? consumeNotificationDeadLetters : consumeNotifications, bodies, e, opts.attempts);
}

/** Notification rows of an order, by id. */
export async function rowsOf(orderId: string): Promise<Json[]> {
  const { results } = await env.DB.prepare("SELECT * FROM notifications WHERE order_id = ? ORDER BY id")
    .bind(orderId)
    .all();
  return results;
}

export type Row = NotificationRow;

/** Calls the app with the given bindings (so queues can be recorded). */
export async function callWith(e: Env, method: string, path: string, token?: string) {
  const ctx = createExecutionContext();
  const headers = new Headers();
  if (token) headers.set("Authorization", `Bearer ${token}`);
  const res = await createApp().fetch(new Request(`http://edge.test${path}`, { method, headers }), e, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}
