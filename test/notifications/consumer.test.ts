import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { notificationBackoffSeconds } from "../../src/queues/notifications-consumer";
import { paidOrder, rowsOf, run, testEnv } from "./helpers";

describe("notifications consumer with the outbox provider", () => {
  it("records a booking confirmation, marks it sent and acks", async () => {
    const { order, tickets } = await paidOrder({ name: "Ada" });
    const t = testEnv();
    const result = await run([{ type: "order_paid", orderId: order.id }], t.env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    const rows = await rowsOf(order.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({
      id: `booking_confirmed:order:${order.id}:email`,
      channel: "email",
      status: "sent",
      provider: "outbox",
      provider_message_id: `outbox-booking_confirmed:order:${order.id}:email`,
      attempts: 1,
      recipient: order.email,
    });
    // Links land on the fan site's order page, never on an API address.
    expect(rows[0]!.body_html).toContain(`/orders/${order.id}#ticket-${tickets[0]!.id}`);
    expect(rows[0]!.body_html).not.toContain("/v1/");
    expect(rows[0]!.body_text).toContain("Hello Ada,");
  });

  it("names seats and standing places as the layout does, not by their ids", async () => {
    const { event, order } = await paidOrder({ seats: ["STALLS-B-3"] });
    const layout = {
      sections: [{ id: "STALLS", name: "Stalls", rows: [{ label: "B", seats: [{ id: "STALLS-B-3", label: "3" }] }] }],
      areas: [],
    };
    await env.DB.prepare("UPDATE events SET layout_snapshot = ? WHERE id = ?")
      .bind(JSON.stringify(layout), event.id)
      .run();
    await run([{ type: "order_paid", orderId: order.id }], testEnv().env);
    const [row] = await rowsOf(order.id);
    expect(row!.body_text).toContain("Stalls · Row B · Seat 3");
    expect(row!.body_text).not.toContain("STALLS-B-3");
  });

  it("sends SMS only to buyers who want it and have a phone", async () => {
    const both = await paidOrder({ sms: true, phone: "+33612345678" });
    const noPhone = await paidOrder({ sms: true, phone: null });
    const smsOnly = await paidOrder({ sms: true, email: false, phone: "+33600000000" });
    const t = testEnv();
    await run(
      [both, noPhone, smsOnly].map((o) => ({ type: "order_paid", orderId: o.order.id })),
      t.env,
    );
    expect((await rowsOf(both.order.id)).map((r) => r.channel)).toEqual(["email", "sms"]);
    expect((await rowsOf(noPhone.order.id)).map((r) => r.channel)).toEqual(["email"]);
    const sms = await rowsOf(smsOnly.order.id);
    expect(sms.map((r) => [r.channel, r.recipient])).toEqual([["sms", "+33600000000"]]);
    expect((sms[0]!.body_text as string).length).toBeLessThanOrEqual(160);
  });

  it("a duplicate delivery finds the sent row and changes nothing", async () => {
    const { order } = await paidOrder();
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    const [first] = await rowsOf(order.id);
    const again = await run(
      [
        { type: "order_paid", orderId: order.id },
        { type: "order_paid", orderId: order.id },
      ],
      t.env,
    );
    expect(again.explicitAcks).toHaveLength(2);
    const rows = await rowsOf(order.id);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toEqual(first);
  });

  it("leaves a row another consumer is sending and acks", async () => {
    const { order } = await paidOrder();
    const id = `booking_confirmed:order:${order.id}:email`;
    const now = Date.now();
    await env.DB.prepare(
      "INSERT INTO notifications (id, kind, channel, recipient, body_text, status, provider, attempts, order_id, " +
        "created_at, updated_at) " +
        "VALUES (?, 'booking_confirmed', 'email', 'x@example.test', 'x', 'sending', 'outbox', 1, ?, ?, ?)",
    )
      .bind(id, order.id, now, now)
      .run();
    const result = await run([{ type: "order_paid", orderId: order.id }], testEnv().env);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await rowsOf(order.id))[0]).toMatchObject({ status: "sending", attempts: 1 });
  });

  it("acks and audits a malformed message instead of retrying it", async () => {
    const t = testEnv();
    const result = await run([{ type: "order_paid" }, "garbage"], t.env);
    expect(result.explicitAcks).toHaveLength(2);
    expect(result.retryMessages).toHaveLength(0);
    expect(t.audited.map((a) => a.action)).toEqual(["queue.malformed", "queue.malformed"]);
    expect(t.audited[0]!.data.body).toEqual({ type: "order_paid" });
  });

  it("fans an event cancellation out per order, including orders the cancellation refunded", async () => {
    const a = await paidOrder();
    const b = await paidOrder({
      event: {
        venueId: (await env.DB.prepare("SELECT venue_id FROM events WHERE id = ?")
          .bind(a.event.id)
          .first<{ venue_id: string }>())!.venue_id,
      },
    });
    // A second order on the first event, refunded by the cancellation, and one the fan refunded earlier.
    const refunded = await paidOrder();
    await env.DB.prepare("UPDATE orders SET event_id = ?, status = 'refunded' WHERE id = ?")
      .bind(a.event.id, refunded.order.id)
      .run();
    await env.DB.prepare("UPDATE tickets SET event_id = ?, status = 'refunded' WHERE order_id = ?")
      .bind(a.event.id, refunded.order.id)
      .run();
    await env.DB.prepare(
      "INSERT INTO payments (id, order_id, kind, provider, idempotency_key, amount, currency, status, reason, " +
        "created_at, updated_at) " +
        "VALUES (?, ?, 'refund', 'simulated', ?, 1, 'EUR', 'succeeded', 'event_cancelled', 1, 1)",
    )
      .bind(`pay_${crypto.randomUUID()}`, refunded.order.id, `k_${crypto.randomUUID()}`)
      .run();
    const t = testEnv();
    expect((await run([{ type: "event_cancelled", eventId: a.event.id }], t.env)).explicitAcks).toHaveLength(1);
    expect(t.queued.map((m) => m.orderId).sort()).toEqual([a.order.id, refunded.order.id].sort());
    expect(t.queued.every((m) => m.type === "event_cancelled" && m.eventId === a.event.id)).toBe(true);
    await run(t.queued, t.env);
    expect((await rowsOf(refunded.order.id))[0]).toMatchObject({
      id: `event_cancelled:event:${a.event.id}:order:${refunded.order.id}:email`,
      status: "sent",
    });
    expect(await rowsOf(b.order.id)).toHaveLength(0);
  });

  it("backs off exponentially, capped at ten minutes", () => {
    expect([1, 2, 3, 6, 10, 20].map(notificationBackoffSeconds)).toEqual([2, 4, 8, 64, 600, 600]);
  });
});

describe("notifications dead-letter consumer", () => {
  it("marks the message's unfinished rows failed with the reason and audits it", async () => {
    const { order } = await paidOrder({ sms: true, phone: "+33611111111" });
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    // The SMS is still pending (its provider kept failing); the email went out.
    await env.DB.prepare("UPDATE notifications SET status = 'pending' WHERE id = ?")
      .bind(`booking_confirmed:order:${order.id}:sms`)
      .run();
    const result = await run([{ type: "order_paid", orderId: order.id }], t.env, { dlq: true, attempts: 7 });
    expect(result.explicitAcks).toHaveLength(1);
    const rows = await rowsOf(order.id);
    expect(rows.map((r) => [r.channel, r.status, r.last_error])).toEqual([
      ["email", "sent", null],
      ["sms", "failed", "dead-lettered after 7 deliveries"],
    ]);
    expect(t.audited).toMatchObject([
      {
        action: "notification.dead_letter",
        orderId: order.id,
        data: { notificationIds: [`booking_confirmed:order:${order.id}:sms`] },
      },
    ]);
  });
});
