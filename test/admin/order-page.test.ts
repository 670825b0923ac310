import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { AdminOrderSchema } from "../../src/routes/admin/order-schemas";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { ledgerCaughtUp } from "../helpers/ledger";
import { until } from "../helpers/wait";
import { setupEvent } from "../orders/helpers";
import { buy, ticketCode } from "./order-helpers";

const page = async (token: string, orderId: string) =>
  AdminOrderSchema.parse(
    await expectJson(await call("GET", `/v1/admin/orders/${encodeURIComponent(orderId)}`, { token }), 200),
  );

describe("GET /v1/admin/orders/:id", () => {
  it("shows lines, the payment attempt and its refund, tickets with check-in, the audit trail and emails", async () => {
    const { org, event } = await setupEvent();
    const { fan, orderId } = await buy(event.id, { seats: ["A-1-5", "A-1-6"] });
    const before = await page(org.token, orderId);
    const [five, six] = ["A-1-5", "A-1-6"].map((p) => before.tickets.find((t) => t.place === p)!);
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/check-in`, {
        token: org.token,
        body: { code: await ticketCode(orderId, six!.id) },
      }),
      200,
    );
    const refund = await expectJson(
      await call("POST", `/v1/admin/orders/${encodeURIComponent(orderId)}/refund`, {
        token: org.token,
        body: { ticketIds: [five!.id] },
      }),
      200,
    );
    await ledgerCaughtUp(event.id);
    // Audit entries and the confirmation reach D1 through their queues.
    const got = await until(
      () => page(org.token, orderId),
      (p) => p.audit.some((a) => a.action === "order.refund") && p.notifications.some((n) => n.status === "sent"),
    );

    expect(got.order).toMatchObject({
      id: orderId,
      eventId: event.id,
      userId: fan.id,
      email: fan.email,
      status: "partially_refunded",
      amount: 10000,
      refundedAmount: 5000,
      paymentAttempt: 1,
    });
    expect(got.lines.map((l) => [l.seatId, l.label, l.price]).sort()).toEqual([
      ["A-1-5", "Stalls · Row 1 · Seat 5", 5000],
      ["A-1-6", "Stalls · Row 1 · Seat 6", 5000],
    ]);
    expect(got.attempts).toHaveLength(1);
    const charge = got.attempts[0]!;
    expect(charge).toMatchObject({ kind: "charge", attempt: 1, amount: 10000, status: "succeeded" });
    expect(charge.providerRef).toMatch(/^pi_/);
    expect(got.refunds).toEqual([
      expect.objectContaining({
        id: refund.refund.id,
        kind: "refund",
        amount: 5000,
        status: "succeeded",
        reason: "organizer",
        chargeRef: charge.providerRef,
        ticketIds: [five!.id],
      }),
    ]);
    expect(got.refunds[0]!.providerRef).toBeTruthy();
    expect(charge.refundIds).toEqual([refund.refund.id]);
    const byPlace = Object.fromEntries(got.tickets.map((t) => [t.place, t]));
    expect(byPlace["A-1-5"]).toMatchObject({ status: "refunded", checkedIn: false, refundId: refund.refund.id });
    expect(byPlace["A-1-6"]).toMatchObject({ status: "used", checkedIn: true, label: "Stalls · Row 1 · Seat 6" });
    expect(byPlace["A-1-6"]!.usedAt).not.toBeNull();
    expect(got.audit.every((a) => a.orderId === orderId)).toBe(true);
    expect(got.audit.map((a) => a.action)).toEqual(expect.arrayContaining(["order.paid", "order.refund"]));
    expect(got.notifications.map((n) => n.kind)).toContain("booking_confirmed");
    expect(got.notifications.every((n) => n.orderId === orderId)).toBe(true);
  });

  it("is current from the object before the ledger has the order", async () => {
    const { org, event } = await setupEvent();
    const { orderId } = await buy(event.id, { seats: ["A-2-1"] }, { pay: false });
    // Straight after checkout, whatever D1 has: the order page reads the order from its object.
    expect((await page(org.token, orderId)).order.status).toBe("pending_payment");
  });

  it("answers 404 to another organizer and lets the event's staff in", async () => {
    const { org, event } = await setupEvent();
    const { orderId } = await buy(event.id, { seats: ["A-2-2"] });
    const stranger = await createUser({ role: "organizer" });
    const path = `/v1/admin/orders/${encodeURIComponent(orderId)}`;
    await expectProblem(await call("GET", path, { token: stranger.token }), 404, "not_found");
    const staff = await createUser({ role: "organizer", organizerId: org.organizerId!, organizerRole: "staff" });
    expect((await page(staff.token, orderId)).order.id).toBe(orderId);
    const admin = await createUser({ role: "admin" });
    expect((await page(admin.token, orderId)).order.id).toBe(orderId);
  });

  it("answers 404 for a malformed or unknown id and never creates a Durable Object for it", async () => {
    const { org, event } = await setupEvent();
    const draft = (await setupEvent({ publish: false })).event;
    const admin = await createUser({ role: "admin" });
    const ghostEvent = newId("evt");
    const probes = [
      "junk",
      `${ghostEvent}~${newId("ord")}`,
      `${draft.id}~${newId("ord")}`,
      `${event.id}~not-an-order`,
      `${event.id}~${newId("ord")}`,
    ];
    for (const id of probes) {
      await expectProblem(
        await call("GET", `/v1/admin/orders/${encodeURIComponent(id)}`, { token: admin.token }),
        404,
        "not_found",
      );
    }
    // The draft's order as its own organizer sees it: still a 404, still no object.
    await expectProblem(
      await call("GET", `/v1/admin/orders/${encodeURIComponent(probes[2]!)}`, { token: org.token }),
      404,
      "not_found",
    );
    const stored = new Set((await listDurableObjectIds(env.EVENT_INVENTORY)).map(String));
    for (const name of [ghostEvent, draft.id, "junk"])
      expect(stored.has(String(env.EVENT_INVENTORY.idFromName(name))), name).toBe(false);
  });
});

describe("POST /v1/admin/notifications/:id/resend of a sent confirmation", () => {
  it("sends a second email as its own row, which the order page lists beside the first", async () => {
    const { org, event } = await setupEvent();
    const { orderId } = await buy(event.id, { seats: ["A-3-3"] });
    const first = `booking_confirmed:order:${orderId}:email`;
    await until(
      () => page(org.token, orderId),
      (p) => p.notifications.some((n) => n.id === first && n.status === "sent"),
    );
    const copy = await expectJson(
      await call("POST", `/v1/admin/notifications/${encodeURIComponent(first)}/resend`, { token: org.token }),
      202,
    );
    expect(copy.id).toMatch(new RegExp(`^${first.replace(/[.*+?^${}()|[\]\\]/g, "\\$&")}:resend:`));
    expect(copy).toMatchObject({ status: "pending", kind: "booking_confirmed", orderId });
    const after = await until(
      () => page(org.token, orderId),
      (p) => p.notifications.some((n) => n.id === copy.id && n.status === "sent"),
    );
    const emails = after.notifications.filter((n) => n.kind === "booking_confirmed" && n.channel === "email");
    expect(emails.map((n) => n.status)).toEqual(["sent", "sent"]);
    expect(emails[0]!.bodyText).toBe(emails[1]!.bodyText);
    expect(after.audit.map((a) => a.action)).toContain("notification.resent");
  });
});
