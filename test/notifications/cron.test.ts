import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { queueEventReminders, retryStuckNotifications } from "../../src/notifications/cron";
import { HOUR } from "../helpers/catalog";
import { paidOrder, rowsOf, run, testEnv } from "./helpers";

describe("queueEventReminders", () => {
  it("queues one reminder per paid order, once per event, 23–25 h ahead", async () => {
    const now = Date.now() + 400 * 24 * HOUR; // far from other tests' events
    const soon = await paidOrder({ event: { startsAt: now + 24 * HOUR } });
    const later = await paidOrder({ event: { startsAt: now + 30 * HOUR } });
    const t = testEnv();
    const first = await queueEventReminders(t.env, now);
    expect(first).toEqual({ events: 1, messages: 1 });
    expect(t.queued).toEqual([{ type: "event_reminder", orderId: soon.order.id }]);
    expect(await queueEventReminders(t.env, now + 60_000)).toEqual({ events: 0, messages: 0 });
    expect(t.queued).toHaveLength(1);
    expect(t.queued.some((m) => m.orderId === later.order.id)).toBe(false);
  });

  it("the queued reminder becomes an email", async () => {
    const { order } = await paidOrder({ event: { startsAt: Date.now() + 24 * HOUR } });
    await run([{ type: "event_reminder", orderId: order.id }], testEnv().env);
    expect(await rowsOf(order.id)).toMatchObject([
      { id: `event_reminder:order:${order.id}:email`, kind: "event_reminder", status: "sent" },
    ]);
  });
});

describe("retryStuckNotifications", () => {
  it("re-queues rows stuck in sending or pending too long, and leaves fresh ones", async () => {
    const { order } = await paidOrder({ sms: true, phone: "+33613131313" });
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    const now = Date.now() + 800 * 24 * HOUR; // rows of other tests are not older than this one's
    const email = `booking_confirmed:order:${order.id}:email`;
    const sms = `booking_confirmed:order:${order.id}:sms`;
    await env.DB.prepare("UPDATE notifications SET status = 'sending', updated_at = ? WHERE id = ?")
      .bind(now - 6 * 60_000, email)
      .run();
    await env.DB.prepare("UPDATE notifications SET status = 'pending', updated_at = ? WHERE id = ?")
      .bind(now - 60_000, sms)
      .run();
    const result = await retryStuckNotifications(t.env, now);
    expect(result.stuck).toBeGreaterThanOrEqual(1);
    expect(t.queued).toContainEqual({ type: "resend", notificationId: email });
    expect(t.queued).not.toContainEqual({ type: "resend", notificationId: sms });
    expect((await rowsOf(order.id)).find((r) => r.id === email)).toMatchObject({ status: "pending" });
    await run(
      t.queued.filter((m) => m.notificationId === email),
      t.env,
    );
    expect((await rowsOf(order.id)).find((r) => r.id === email)).toMatchObject({ status: "sent", attempts: 2 });
  });
});
