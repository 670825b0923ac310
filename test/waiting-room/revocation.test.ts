import { runDurableObjectAlarm, runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { QueueTicketSchema } from "../../src/routes/queue";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import {
  checkoutCall,
  deliver,
  expireHold,
  intentOf,
  newKey,
  paySimulated,
  seatMap,
  signedEvent,
} from "../orders/helpers";
import { connectQueue, eventWithRoom, join, roomStub, settings } from "./helpers";

const DECLINE = "4000 0000 0000 0002";
const hold = (eventId: string, token: string, admission?: string, seats = ["A-1-1"]) =>
  call("POST", `/v1/events/${eventId}/holds`, {
    token,
    body: { seats },
    headers: admission ? { "X-Admission-Token": admission } : {},
  });
const ticketOf = async (eventId: string, ticket: string, token: string) =>
  QueueTicketSchema.parse(await expectJson(await call("GET", `/v1/events/${eventId}/queue/${ticket}`, { token }), 200));

/** Fans who joined the event's room and were admitted by one tick: each with its ticket and token. */
async function admittedFans(eventId: string, n: number) {
  const fans = await Promise.all(Array.from({ length: n }, () => createUser()));
  const tickets: { ticket: string }[] = [];
  for (const fan of fans) tickets.push((await join(eventId, fan.token)).ticket);
  await runDurableObjectAlarm(env.WAITING_ROOM.getByName(eventId));
  return Promise.all(
    fans.map(async (fan, i) => {
      const view = await ticketOf(eventId, tickets[i]!.ticket, fan.token);
      expect(view.state).toBe("admitted");
      return { fan, ticket: view.ticket, token: view.admission!.token };
    }),
  );
}
/**
 * The room's next tick, once it has earned an admission: at 600 a minute it earns one per 100 ms,
 * so a tick run right after the previous one (a fast machine) would rightly admit nobody.
 */
async function laterTick(eventId: string) {
  await new Promise((resolve) => setTimeout(resolve, 150));
  await runDurableObjectAlarm(env.WAITING_ROOM.getByName(eventId));
}
type Admitted = Awaited<ReturnType<typeof admittedFans>>[number];
const admittedFan = async (eventId: string) => (await admittedFans(eventId, 1))[0]!;

describe("admission tokens end with the shopping slot", () => {
  it("refuses holds with the token once its fan has left the queue", async () => {
    const { event } = await eventWithRoom();
    const a = await admittedFan(event.id);
    const first = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    await expectJson(await call("DELETE", `/v1/events/${event.id}/queue/${a.ticket}`, { token: a.fan.token }), 200);
    const p = await expectProblem(await hold(event.id, a.fan.token, a.token, ["A-1-2"]), 403, "admission_invalid");
    expect(p.reason).toBe("revoked");
    // The hold made while admitted is still the fan's to check out.
    await expectJson(await checkoutCall(a.fan.token, first.holdId), 201);
  });

  it("refuses holds with the token once its fan has bought", async () => {
    const { event } = await eventWithRoom();
    const a = await admittedFan(event.id);
    const held = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    const co = await expectJson(await checkoutCall(a.fan.token, held.holdId), 201);
    await paySimulated(co.payment.paymentUrl, undefined, a.fan.token);
    const p = await expectProblem(await hold(event.id, a.fan.token, a.token, ["A-1-2"]), 403, "admission_invalid");
    expect(p.reason).toBe("revoked");
  });

  it("keeps working for another admitted fan", async () => {
    const { event } = await eventWithRoom();
    const [a, b] = (await admittedFans(event.id, 2)) as [Admitted, Admitted];
    await call("DELETE", `/v1/events/${event.id}/queue/${a.ticket}`, { token: a.fan.token });
    await expectJson(await hold(event.id, b.fan.token, b.token, ["A-2-1"]), 201);
  });
});

describe("queueing again", () => {
  it("gives a fan who left a new ticket at the back of the queue", async () => {
    const { event } = await eventWithRoom({ ratePerMinute: 1, maxShopping: 1 });
    const [fan, other] = [await createUser(), await createUser()];
    const mine = (await join(event.id, fan.token)).ticket;
    await join(event.id, other.token);
    await call("DELETE", `/v1/events/${event.id}/queue/${mine.ticket}`, { token: fan.token });
    const again = await join(event.id, fan.token);
    expect(again.status).toBe(201);
    expect(again.ticket.ticket).not.toBe(mine.ticket);
    expect(again.ticket.state).toBe("waiting");
    // Behind the fan who joined after the first ticket (one a minute: no one is admitted yet).
    expect(again.ticket).toMatchObject({ position: 2, ahead: 1 });
    expect((await ticketOf(event.id, mine.ticket, fan.token)).state).toBe("left");
    const second = await join(event.id, fan.token);
    expect(second.status).toBe(200);
    expect(second.ticket.ticket).toBe(again.ticket.ticket);
  });

  it("gives a fan whose admission lapsed a new ticket, ranked last", async () => {
    const { name, stub } = roomStub();
    const t0 = Date.now() + 3_600_000;
    await stub.configure(settings(name, { tokenSeconds: 60, ratePerMinute: 60, maxShopping: 1 }), t0);
    const first = await stub.join("u-lapse", t0);
    await stub.join("u-next", t0);
    await stub.tick(t0 + 1000);
    expect((await stub.view(first.ok ? first.view.ticket : "", "u-lapse", t0 + 1000)).ok).toBe(true);
    const later = t0 + 1000 + 61_000;
    const again = await stub.join("u-lapse", later);
    if (!again.ok) throw new Error(again.detail);
    expect(again.created).toBe(true);
    expect(again.view.ticket).not.toBe(first.ok ? first.view.ticket : "");
    expect(again.view.state).toBe("waiting");
    expect(again.view.position).toBe(2);
  });
});

describe("stock that comes back after a sell-out", () => {
  it("reopens admission after a refund and tells the fans who were told sold out", async () => {
    const { event, org } = await eventWithRoom({ rows: 1, perRow: 1 });
    // The standing pit is gone already; the one seat is what this story sells.
    await runInDurableObject(env.EVENT_INVENTORY.getByName(event.id), (_i, state) => {
      state.storage.sql.exec("UPDATE areas SET sold = capacity");
    });
    const a = await admittedFan(event.id);
    const held = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    const co = await expectJson(await checkoutCall(a.fan.token, held.holdId), 201);
    await paySimulated(co.payment.paymentUrl, undefined, a.fan.token);

    const late = await createUser();
    const { ticket } = await join(event.id, late.token);
    await laterTick(event.id);
    expect((await ticketOf(event.id, ticket.ticket, late.token)).state).toBe("sold_out");
    const socket = await connectQueue(event.id, ticket.ticket, late.token);
    await socket.wait("sold_out");

    await expectJson(
      await call("POST", `/v1/admin/orders/${co.orderId}/refund`, {
        token: org.token,
        body: {},
        headers: { "Idempotency-Key": newKey() },
      }),
      200,
    );
    // Waiting again by the time the refund answers, and told over the socket.
    expect((await ticketOf(event.id, ticket.ticket, late.token)).state).toBe("waiting");
    await socket.wait("reopened");
    await laterTick(event.id);
    const view = await ticketOf(event.id, ticket.ticket, late.token);
    expect(view.state).toBe("admitted");
    await expectJson(await hold(event.id, late.token, view.admission!.token, ["A-1-1"]), 201);
    socket.ws.close();
  });
});

describe("paying again with the waiting room on", () => {
  it("works without a new token while the admission is in its window", async () => {
    const { event } = await eventWithRoom();
    const a = await admittedFan(event.id);
    const held = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    const co = await expectJson(await checkoutCall(a.fan.token, held.holdId), 201);
    await paySimulated(co.payment.paymentUrl, DECLINE, a.fan.token);
    const again = await expectJson(
      await call("POST", `/v1/orders/${co.orderId}/pay`, {
        token: a.fan.token,
        headers: { "Idempotency-Key": newKey() },
      }),
      201,
    );
    const paid = await paySimulated(again.payment.paymentUrl, undefined, a.fan.token);
    expect(paid).toMatchObject({ webhook: { outcome: "paid" } });
  });

  it("needs a fresh token after the fan left, and takes one", async () => {
    const { event } = await eventWithRoom();
    const a = await admittedFan(event.id);
    const held = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    const co = await expectJson(await checkoutCall(a.fan.token, held.holdId), 201);
    await paySimulated(co.payment.paymentUrl, DECLINE, a.fan.token);
    await call("DELETE", `/v1/events/${event.id}/queue/${a.ticket}`, { token: a.fan.token });
    const pay = (admission?: string) =>
      call("POST", `/v1/orders/${co.orderId}/pay`, {
        token: a.fan.token,
        headers: { "Idempotency-Key": newKey(), ...(admission ? { "X-Admission-Token": admission } : {}) },
      });
    await expectProblem(await pay(), 403, "admission_required");
    await expectProblem(await pay(a.token), 403, "admission_invalid");
    const { ticket } = await join(event.id, a.fan.token);
    await laterTick(event.id);
    const fresh = await ticketOf(event.id, ticket.ticket, a.fan.token);
    await expectJson(await pay(fresh.admission!.token), 201);
  });

  it("lets a payment that lands after the hold lapsed re-acquire the seats, and spends the token", async () => {
    const { event } = await eventWithRoom();
    const a = await admittedFan(event.id);
    const held = await expectJson(await hold(event.id, a.fan.token, a.token, ["A-1-1"]), 201);
    const co = await expectJson(await checkoutCall(a.fan.token, held.holdId), 201);
    await expireHold(held.holdId);
    const res = await expectJson(await deliver(await signedEvent("payment_intent.succeeded", intentOf(co))), 200);
    expect(res.outcome).toBe("paid");
    expect((await seatMap(event.id))["A-1-1"]).toBe("s");
    const p = await expectProblem(await hold(event.id, a.fan.token, a.token, ["A-1-2"]), 403, "admission_invalid");
    expect(p.reason).toBe("revoked");
  });
});
