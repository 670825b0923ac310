import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { Meter } from "../../src/observability/meter";
import { meteredEnv } from "../../src/observability/metered-env";
import { ledgerBackoffSeconds } from "../../src/queues/ledger-consumer";
import { captureLogs } from "../ops/helpers";
import {
  chargeRow,
  d1,
  lineRow,
  orderRow,
  rowsMessage,
  runLedger,
  seedBuyer,
  testEnv,
  ticketRow,
  type Buyer,
} from "./helpers";

/** An order with two lines, a charge and two tickets, as checkout and payment leave them. */
function paidOrderMessage(b: Buyer) {
  const order = orderRow(b, { status: "paid", paidAt: 1_900_000_060_000, holdExpiresAt: null, version: 3 });
  const lines = [lineRow(order), lineRow(order, { seatId: null, areaId: "pit", tier: "ga", price: 3000, quantity: 2 })];
  const charge = chargeRow(order, { status: "succeeded", chargeRef: "ch_1", version: 2 });
  const tickets = [ticketRow(order), ticketRow(order, { place: `pit#${order.id}#1`, seatId: null, areaId: "pit" })];
  const body = rowsMessage(b.eventId, { orders: [order], lines, payments: [charge], tickets });
  return { order, lines, charge, tickets, body };
}

describe("ledger consumer", () => {
  it("writes an order, its lines, its charge and its tickets into D1 with every column as sent", async () => {
    const b = await seedBuyer();
    const m = paidOrderMessage(b);
    const t = testEnv();
    const result = await runLedger([m.body], t.env);
    expect(result.explicitAcks).toEqual(result.ids);
    expect(await d1.order(m.order.id)).toEqual(m.order);
    for (const l of m.lines) expect(await d1.line(l.id)).toEqual(l);
    expect(await d1.payment(m.charge.id)).toEqual(m.charge);
    for (const k of m.tickets) expect(await d1.ticket(k.id)).toEqual(k);
  });

  it("leaves D1 alone on a redelivery, and keeps the newer row when an older version arrives after it", async () => {
    const b = await seedBuyer();
    const t = testEnv();
    const order = orderRow(b, { version: 1 });
    const line = lineRow(order);
    const charge = chargeRow(order, { version: 1 });
    const ticket = ticketRow(order, { version: 1 });
    const v1 = rowsMessage(b.eventId, { orders: [order], lines: [line], payments: [charge], tickets: [ticket] });
    await runLedger([v1], t.env);

    // Mark the D1 rows behind the consumer's back: a redelivery that wrote anything would undo it.
    await env.DB.batch([
      env.DB.prepare("UPDATE orders SET updated_at = 1 WHERE id = ?").bind(order.id),
      env.DB.prepare("UPDATE order_lines SET price = 1 WHERE id = ?").bind(line.id),
      env.DB.prepare("UPDATE payments SET updated_at = 1 WHERE id = ?").bind(charge.id),
      env.DB.prepare("UPDATE tickets SET updated_at = 1 WHERE id = ?").bind(ticket.id),
    ]);
    const again = await runLedger([v1], t.env);
    expect(again.explicitAcks).toEqual(again.ids);
    expect((await d1.order(order.id))?.updatedAt).toBe(1);
    expect((await d1.line(line.id))?.price).toBe(1);
    expect((await d1.payment(charge.id))?.updatedAt).toBe(1);
    expect((await d1.ticket(ticket.id))?.updatedAt).toBe(1);

    const v3 = rowsMessage(b.eventId, {
      orders: [{ ...order, status: "paid", paidAt: 5, updatedAt: 5, version: 3 }],
      payments: [{ ...charge, status: "succeeded", updatedAt: 5, version: 3 }],
      tickets: [{ ...ticket, status: "used", usedAt: 5, usedBy: "gate-1", updatedAt: 5, version: 3 }],
    });
    const v2 = rowsMessage(b.eventId, {
      orders: [{ ...order, status: "failed", updatedAt: 4, version: 2 }],
      payments: [{ ...charge, status: "failed", lastError: "declined", updatedAt: 4, version: 2 }],
      tickets: [{ ...ticket, status: "void", updatedAt: 4, version: 2 }],
    });
    await runLedger([v3], t.env);
    const late = await runLedger([v2], t.env);
    expect(late.explicitAcks).toEqual(late.ids);
    expect(await d1.order(order.id)).toEqual(v3.orders[0]);
    expect(await d1.payment(charge.id)).toEqual(v3.payments[0]);
    expect(await d1.ticket(ticket.id)).toEqual(v3.tickets[0]);
  });

  it("keeps the newest version when older and newer copies of a row arrive in one batch", async () => {
    const b = await seedBuyer();
    const order = orderRow(b, { version: 1 });
    const newer = rowsMessage(b.eventId, { orders: [{ ...order, status: "paid", version: 2 }] });
    const older = rowsMessage(b.eventId, { orders: [order] });
    await runLedger([newer, older], testEnv().env);
    expect((await d1.order(order.id))?.status).toBe("paid");
  });

  // One statement per table, plus the event's first sale (the edit locks read it).
  it("writes a batch of 50 messages for 50 orders in 1 D1 round trip of at most 5 statements", async () => {
    const b = await seedBuyer();
    const messages = Array.from({ length: 50 }, () => paidOrderMessage(b));
    const meter = new Meter();
    const result = await runLedger(
      messages.map((m) => m.body),
      meteredEnv(testEnv().env, meter),
    );
    expect(result.explicitAcks).toHaveLength(50);
    expect(meter.d1RoundTrips).toBe(1);
    expect(meter.d1).toBeLessThanOrEqual(5);
    for (const m of messages) {
      expect(await d1.order(m.order.id)).toEqual(m.order);
      for (const k of m.tickets) expect(await d1.ticket(k.id)).toEqual(k);
    }
  });

  for (const refundFirst of [true, false]) {
    const leading = refundFirst ? "refund" : "sale";
    it(`applies a refund and a re-sale of the same seat in one batch (${leading} first)`, async () => {
      const b = await seedBuyer();
      const place = "A-9-9";
      const first = orderRow(b, { status: "paid", version: 2 });
      const ticketA = ticketRow(first, { place });
      await runLedger([rowsMessage(b.eventId, { orders: [first], tickets: [ticketA] })], testEnv().env);

      const refund = rowsMessage(b.eventId, {
        orders: [{ ...first, status: "refunded", refundedAmount: first.amount, version: 3 }],
        tickets: [{ ...ticketA, status: "refunded", refundId: "pay_refund_1", version: 2 }],
      });
      const second = orderRow(b, { status: "paid", version: 2 });
      const ticketB = ticketRow(second, { place });
      const sale = rowsMessage(b.eventId, { orders: [second], tickets: [ticketB] });
      const meter = new Meter();
      const result = await runLedger(refundFirst ? [refund, sale] : [sale, refund], meteredEnv(testEnv().env, meter));
      expect(result.explicitAcks).toHaveLength(2);
      expect(result.retryMessages).toEqual([]);
      // One round trip: the batch itself applied, not the one-by-one fallback.
      expect(meter.d1RoundTrips).toBe(1);
      expect((await d1.ticket(ticketA.id))?.status).toBe("refunded");
      expect((await d1.ticket(ticketB.id))?.status).toBe("valid");
      expect((await d1.order(first.id))?.status).toBe("refunded");
    });
  }
});

describe("ledger consumer notifications", () => {
  it("queues notify messages only once their order is in D1, and none for a message whose write failed", async () => {
    const b = await seedBuyer();
    // A seat another order's valid ticket owns: a message selling it again cannot land.
    const owner = orderRow(b, { status: "paid" });
    const taken = ticketRow(owner);
    await runLedger([rowsMessage(b.eventId, { orders: [owner], tickets: [taken] })], testEnv().env);

    const seenInD1: boolean[] = [];
    const t = testEnv(async (bodies) => {
      for (const body of bodies) seenInD1.push((await d1.order((body as { orderId: string }).orderId)) !== undefined);
    });
    const good = paidOrderMessage(b);
    good.body.notify = [{ type: "order_paid", orderId: good.order.id }];
    const badOrder = orderRow(b, { status: "paid" });
    const bad = rowsMessage(b.eventId, {
      orders: [badOrder],
      tickets: [ticketRow(badOrder, { place: taken.place })],
      notify: [{ type: "order_paid", orderId: badOrder.id }],
    });
    const result = await runLedger([good.body, bad], t.env);
    expect(result.explicitAcks).toEqual([result.ids[0]]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([result.ids[1]]);
    expect(t.notified).toEqual([{ type: "order_paid", orderId: good.order.id }]);
    expect(seenInD1).toEqual([true]);
    expect(await d1.order(badOrder.id)).toBeUndefined();
  });

  it("sends the notify messages of a whole batch in one sendBatch, each once", async () => {
    const b = await seedBuyer();
    const calls: number[] = [];
    const t = testEnv(async (bodies) => void calls.push(bodies.length));
    const ms = Array.from({ length: 3 }, () => paidOrderMessage(b));
    for (const m of ms) m.body.notify = [{ type: "order_paid", orderId: m.order.id }];
    const result = await runLedger([...ms.map((m) => m.body), ms[0]!.body], t.env);
    expect(result.explicitAcks).toHaveLength(4);
    expect(calls).toEqual([3]);
  });

  it("retries the messages whose notifications could not be queued, and acks the others", async () => {
    const b = await seedBuyer();
    const t = testEnv(async () => {
      throw new Error("queue unavailable");
    });
    const withNotify = paidOrderMessage(b);
    withNotify.body.notify = [{ type: "order_paid", orderId: withNotify.order.id }];
    const without = paidOrderMessage(b);
    const result = await runLedger([withNotify.body, without.body], t.env, { attempts: 3 });
    expect(result.explicitAcks).toEqual([result.ids[1]]);
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([result.ids[0]]);
    expect(result.retryDelays).toEqual([ledgerBackoffSeconds(3)]);
    // The rows are in D1 anyway; the retry rewrites them as no-ops.
    expect(await d1.order(withNotify.order.id)).toEqual(withNotify.order);
  });
});

describe("ledger consumer failures", () => {
  it("acks and audits a malformed message, and still applies the valid ones of its batch", async () => {
    const b = await seedBuyer();
    const t = testEnv();
    const [m1, m2] = [paidOrderMessage(b), paidOrderMessage(b)];
    const broken = { type: "rows", eventId: b.eventId, orders: [{ id: "ord_x", version: -1 }] };
    const { result, lines } = await captureLogs(() => runLedger([m1.body, broken, m2.body], t.env));
    expect(result.explicitAcks.sort()).toEqual([...result.ids].sort());
    expect(await d1.order(m1.order.id)).toEqual(m1.order);
    expect(await d1.order(m2.order.id)).toEqual(m2.order);
    expect(t.audited).toMatchObject([
      { action: "queue.malformed", eventId: b.eventId, data: { queue: "ledger", messageId: result.ids[1] } },
    ]);
    const logged = lines.map((l) => JSON.parse(l)).filter((o) => o.msg === "malformed ledger message");
    expect(logged).toMatchObject([{ level: "error", id: result.ids[1] }]);
    // Shipped: no outbox row left for the cron.
    const left = await env.DB.prepare("SELECT count(*) AS n FROM outbox WHERE id LIKE ?")
      .bind(`%${result.ids[1]}`)
      .first<{ n: number }>();
    expect(left?.n).toBe(0);
  });

  it("acks the other messages of a batch and retries with backoff the one whose seat is still taken", async () => {
    const b = await seedBuyer();
    const owner = orderRow(b, { status: "paid" });
    const taken = ticketRow(owner);
    await runLedger([rowsMessage(b.eventId, { orders: [owner], tickets: [taken] })], testEnv().env);

    const [m1, m3] = [paidOrderMessage(b), paidOrderMessage(b)];
    const badOrder = orderRow(b, { status: "paid" });
    const bad = rowsMessage(b.eventId, { orders: [badOrder], tickets: [ticketRow(badOrder, { place: taken.place })] });
    const result = await runLedger([m1.body, bad, m3.body], testEnv().env, { attempts: 4 });
    expect(result.explicitAcks.sort()).toEqual([result.ids[0], result.ids[2]].sort());
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([result.ids[1]]);
    expect(result.retryDelays).toEqual([16]);
    expect(await d1.order(m1.order.id)).toEqual(m1.order);
    expect(await d1.order(m3.order.id)).toEqual(m3.order);
    expect(await d1.order(badOrder.id)).toBeUndefined();
    expect((await d1.ticket(taken.id))?.status).toBe("valid");
  });

  it("applies a sale whose seat a refund later in the same failing batch frees", async () => {
    const b = await seedBuyer();
    const first = orderRow(b, { status: "paid" });
    const ticketA = ticketRow(first);
    const blocker = orderRow(b, { status: "paid" });
    const blocked = ticketRow(blocker);
    await runLedger([rowsMessage(b.eventId, { orders: [first, blocker], tickets: [ticketA, blocked] })], testEnv().env);

    // `stuck` makes the whole batch fail; the sale then fails alone until the refund has landed.
    const stuckOrder = orderRow(b, { status: "paid" });
    const stuck = rowsMessage(b.eventId, {
      orders: [stuckOrder],
      tickets: [ticketRow(stuckOrder, { place: blocked.place })],
    });
    const second = orderRow(b, { status: "paid" });
    const sale = rowsMessage(b.eventId, { orders: [second], tickets: [ticketRow(second, { place: ticketA.place })] });
    const refund = rowsMessage(b.eventId, { tickets: [{ ...ticketA, status: "refunded", version: 2 }] });
    const result = await runLedger([sale, stuck, refund], testEnv().env);
    expect(result.explicitAcks.sort()).toEqual([result.ids[0], result.ids[2]].sort());
    expect(result.retryMessages.map((r) => r.msgId)).toEqual([result.ids[1]]);
    expect((await d1.order(second.id))?.status).toBe("paid");
  });
});

describe("ledger-dlq consumer", () => {
  it("logs an alert, audits ledger.dead_letter with the row ids and versions, and acks", async () => {
    const b = await seedBuyer();
    const t = testEnv();
    const m = paidOrderMessage(b);
    const { result, lines } = await captureLogs(() => runLedger([m.body], t.env, { dlq: true, attempts: 11 }));
    expect(result.explicitAcks).toEqual(result.ids);
    expect(t.audited).toMatchObject([
      {
        action: "ledger.dead_letter",
        eventId: b.eventId,
        orderId: m.order.id,
        data: {
          reason: "dead-lettered after 11 deliveries on the ledger queue",
          rows: {
            orders: [[m.order.id, 3]],
            payments: [[m.charge.id, 2]],
            tickets: m.tickets.map((k) => [k.id, 1]),
            lines: 2,
          },
        },
      },
    ]);
    // Ids and versions only: no ticket code or email reaches the audit chain.
    expect(JSON.stringify(t.audited)).not.toContain(m.tickets[0]!.code);
    expect(JSON.stringify(t.audited)).not.toContain(m.order.email);
    const logged = lines
      .map((l) => JSON.parse(l))
      .filter((o) => String(o.msg).startsWith("ledger message dead-lettered"));
    expect(logged).toMatchObject([{ level: "error", id: result.ids[0], eventId: b.eventId }]);
    // Nothing was written to D1 by the DLQ consumer.
    expect(await d1.order(m.order.id)).toBeUndefined();
  });

  it("audits and acks a dead letter it cannot parse", async () => {
    const t = testEnv();
    const result = await runLedger([{ nonsense: true }], t.env, { dlq: true, attempts: 11 });
    expect(result.explicitAcks).toEqual(result.ids);
    expect(t.audited).toMatchObject([{ action: "ledger.dead_letter", data: { malformed: true, rows: null } }]);
  });
});
