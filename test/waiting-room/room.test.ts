import { runDurableObjectAlarm } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { fairOrder } from "../../src/domain/admission";
import { FairnessSchema, QueueTicketSchema } from "../../src/routes/queue";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { FUTURE, connectQueue, eventWithRoom, join, roomStub, settings, socketTicket, upgradeQueue } from "./helpers";

const sha256hex = async (hex: string) =>
  [
    ...new Uint8Array(
      await crypto.subtle.digest(
        "SHA-256",
        Uint8Array.from(hex.match(/../g)!, (h) => parseInt(h, 16)),
      ),
    ),
  ]
    .map((b) => b.toString(16).padStart(2, "0"))
    .join("");

describe("POST /v1/events/:id/queue", () => {
  it("returns the same place on a second join from the same account", async () => {
    const { event } = await eventWithRoom();
    const fan = await createUser();
    const first = await join(event.id, fan.token);
    const second = await join(event.id, fan.token);
    expect([first.status, second.status]).toEqual([201, 200]);
    expect(second.ticket.ticket).toBe(first.ticket.ticket);
    expect(second.ticket.position).toBe(first.ticket.position);
  });

  it("answers 409 queue_not_active when the room is off, and 404 for another fan's ticket", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/queue`, { token: fan.token }),
      409,
      "queue_not_active",
    );
    const open = await eventWithRoom();
    const { ticket } = await join(open.event.id, fan.token);
    const other = await createUser();
    await expectProblem(
      await call("GET", `/v1/events/${open.event.id}/queue/${ticket.ticket}`, { token: other.token }),
      404,
      "not_found",
    );
  });
});

describe("fairness at the on-sale instant", () => {
  it("admits the pre-queue in the order re-run from the revealed seed, then FIFO", async () => {
    const t0 = FUTURE();
    const { name, stub } = roomStub();
    await stub.configure(settings(name, { ratePerMinute: 300, onSaleAt: t0 }), t0 - 60_000);
    const before = await stub.fairness();
    expect(before.revealed).toBe(false);
    const pre: string[] = [];
    for (let i = 0; i < 25; i++) {
      const r = await stub.join(`user-${i}`, t0 - 50_000 + i);
      if (!r.ok) throw new Error(r.detail);
      expect(r.view.position).toBeNull();
      pre.push(r.view.ticket);
    }
    // Opening tick: shuffle, then 5 per second at 300/min.
    const admittedState = async (i: number, now: number) => {
      const v = await stub.view(pre[i]!, `user-${i}`, now);
      return v.ok ? v.view : null;
    };
    const first = await stub.tick(t0);
    expect(first).toMatchObject({ shuffled: 25, admitted: 5 });
    const late = await stub.join("late-user", t0 + 10);
    if (!late.ok) throw new Error(late.detail);
    expect(late.view.position).toBe(21);

    const after = FairnessSchema.parse({ ...(await stub.fairness()), onSaleAt: null });
    expect(after.revealed).toBe(true);
    expect(await sha256hex(after.seed!)).toBe(before.commitment);
    // Anyone can re-run it: the seed and the set of pre-queue tickets (in any order) give the order.
    const rerun = await fairOrder(after.seed!, [...pre].reverse());
    expect(after.order).toEqual(rerun);

    // Each tick admits the next 5 of that order, and waiting fans see their place in it.
    for (let batch = 0; batch < 5; batch++) {
      const now = t0 + batch * 1000;
      if (batch > 0) expect((await stub.tick(now)).admitted).toBe(5);
      const states = await Promise.all(pre.map((_, i) => admittedState(i, now)));
      const admittedNow = pre.filter((_, i) => states[i]?.state === "admitted");
      expect(new Set(admittedNow)).toEqual(new Set(rerun.slice(0, (batch + 1) * 5)));
      for (const [i, v] of states.entries())
        if (v?.state === "waiting") expect(v.position).toBe(rerun.indexOf(pre[i]!) + 1 - (batch + 1) * 5);
    }
    // The late joiner (after the start) comes after every pre-queue fan: first come, first served.
    expect((await stub.tick(t0 + 5000)).admitted).toBe(1);
    const lv = await stub.view(late.view.ticket, "late-user", t0 + 5000);
    expect(lv.ok && lv.view.state).toBe("admitted");
  });

  it("publishes only the commitment through the API before the sale", async () => {
    const { event } = await eventWithRoom();
    const f = FairnessSchema.parse(await expectJson(await call("GET", `/v1/events/${event.id}/queue/fairness`), 200));
    expect(f.commitment).toMatch(/^[0-9a-f]{64}$/);
    // No sales start on this event: FIFO from the first join, so the (empty) shuffle is revealed.
    const fan = await createUser();
    await join(event.id, fan.token);
    const g = FairnessSchema.parse(await expectJson(await call("GET", `/v1/events/${event.id}/queue/fairness`), 200));
    expect(g.revealed).toBe(true);
    expect(await sha256hex(g.seed!)).toBe(f.commitment);
  });
});

describe("admission", () => {
  it("applies a rate change from the next tick", async () => {
    const t0 = FUTURE();
    const { name, stub } = roomStub();
    await stub.configure(settings(name, { ratePerMinute: 60 }), t0);
    for (let i = 0; i < 40; i++) await stub.join(`u${i}`, t0 + i);
    expect((await stub.tick(t0 + 1000)).admitted).toBe(1);
    expect((await stub.tick(t0 + 2000)).admitted).toBe(1);
    await stub.configure(settings(name, { ratePerMinute: 1200 }), t0 + 2000);
    expect((await stub.tick(t0 + 3000)).admitted).toBe(20);
    await stub.configure(settings(name, { ratePerMinute: 120 }), t0 + 3000);
    expect((await stub.tick(t0 + 4000)).admitted).toBe(2);
    const stats = await stub.stats(t0 + 4000);
    expect(stats).toMatchObject({
      admitted: 24,
      shopping: 24,
      length: 16,
      ratePerMinute: 120,
      estimatedDrainSeconds: 8,
    });
  });

  it("frees a shopping slot when a token expires, and when a fan leaves", async () => {
    const t0 = FUTURE();
    const { name, stub } = roomStub();
    await stub.configure(settings(name, { ratePerMinute: 600, maxShopping: 1, tokenSeconds: 30 }), t0);
    const a = await stub.join("a", t0);
    const b = await stub.join("b", t0 + 1);
    const c = await stub.join("c", t0 + 2);
    if (!a.ok || !b.ok || !c.ok) throw new Error("join failed");
    expect((await stub.tick(t0 + 1000)).admitted).toBe(1);
    expect((await stub.tick(t0 + 2000)).admitted).toBe(0); // the one slot is taken
    const va = await stub.view(a.view.ticket, "a", t0 + 2000);
    expect(va.ok && va.view.admission?.expiresAt).toBe(t0 + 1000 + 30_000);
    const expiry = await stub.tick(t0 + 31_000);
    expect(expiry).toMatchObject({ expired: 1, admitted: 1 });
    const gone = await stub.view(a.view.ticket, "a", t0 + 31_000);
    expect(gone.ok && gone.view.state).toBe("expired");
    await stub.leave(b.view.ticket, "b", t0 + 32_000);
    expect((await stub.tick(t0 + 33_000)).admitted).toBe(1);
    const vc = await stub.view(c.view.ticket, "c", t0 + 33_000);
    expect(vc.ok && vc.view.state).toBe("admitted");
  });

  it("never admits more shoppers than the places left", async () => {
    const { event } = await eventWithRoom({ rows: 1, perRow: 3, ratePerMinute: 6000, maxSeatsPerOrder: 50 });
    // 3 seats + a 50-place pit, 48 of it held: 5 places left, and 10% of the held may come back.
    const inv = env.EVENT_INVENTORY.getByName(event.id);
    const h = await inv.hold({ userId: "buyer", admitted: true, request: { area: "pit", quantity: 48 } });
    if (!h.ok) throw new Error(h.detail);
    const fans = await Promise.all(Array.from({ length: 20 }, () => createUser()));
    for (const f of fans) await join(event.id, f.token);
    const r = await env.WAITING_ROOM.getByName(event.id).tick();
    expect(r.admitted).toBe(5 + Math.ceil(48 * 0.1));
    const stats = await env.WAITING_ROOM.getByName(event.id).stats();
    expect(stats).toMatchObject({ stock: { available: 5, held: 48 }, shopping: 10, length: 10 });
  });
});

describe("sell-out", () => {
  it("tells every waiting socket at once and answers later joins with sold_out", async () => {
    const { event, org } = await eventWithRoom({ rows: 1, perRow: 2, ratePerMinute: 1, maxSeatsPerOrder: 50 });
    const fans = await Promise.all(Array.from({ length: 4 }, () => createUser()));
    const tickets: { ticket: string }[] = [];
    for (const f of fans) tickets.push((await join(event.id, f.token)).ticket);
    const sockets = await Promise.all(fans.map((f, i) => connectQueue(event.id, tickets[i]!.ticket, f.token)));
    for (const s of sockets) expect((await s.wait("position")).position).toBeGreaterThan(0);
    // Sell everything: the pit through the inventory, the two seats blocked by the organizer.
    const inv = env.EVENT_INVENTORY.getByName(event.id);
    const h = await inv.hold({ userId: "buyer", admitted: true, request: { area: "pit", quantity: 50 } });
    if (!h.ok) throw new Error(h.detail);
    expect((await inv.confirm(h.holdId, "ord_test")).ok).toBe(true);
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/seats/block`, {
        token: org.token,
        body: { seats: ["A-1-1", "A-1-2"], reason: "sold elsewhere" },
      }),
      200,
    );
    await runDurableObjectAlarm(env.WAITING_ROOM.getByName(event.id));
    const told = await Promise.all(sockets.map((s) => s.wait("sold_out")));
    expect(told.map((m) => m.ticket).sort()).toEqual(tickets.map((t) => t.ticket).sort());
    for (const [i, f] of fans.entries()) {
      const v = QueueTicketSchema.parse(
        await expectJson(
          await call("GET", `/v1/events/${event.id}/queue/${tickets[i]!.ticket}`, { token: f.token }),
          200,
        ),
      );
      expect(v.state).toBe("sold_out");
    }
    const late = await join(event.id, (await createUser()).token);
    expect(late.ticket.state).toBe("sold_out");
    const stats = await expectJson(await call("GET", `/v1/admin/events/${event.id}/queue`, { token: org.token }), 200);
    expect(stats).toMatchObject({ soldOut: true, length: 0 });
    for (const s of sockets) s.ws.close(1000, "done");
  });

  it("pushes admitted {token} to a waiting socket", async () => {
    const { event } = await eventWithRoom({ ratePerMinute: 600 });
    const fan = await createUser();
    const { ticket } = await join(event.id, fan.token);
    const sock = await connectQueue(event.id, ticket.ticket, fan.token);
    await sock.wait("position");
    await runDurableObjectAlarm(env.WAITING_ROOM.getByName(event.id));
    const m = await sock.wait("admitted");
    expect(m.token.split(".")).toHaveLength(3);
    sock.ws.close(1000, "done");
  });

  it("signs its socket in with a single-use ticket, never an access token in the URL", async () => {
    const { event } = await eventWithRoom({ ratePerMinute: 600 });
    const fan = await createUser();
    const other = await createUser();
    const { ticket } = await join(event.id, fan.token);

    const byToken = await upgradeQueue(event.id, ticket.ticket, `token=${encodeURIComponent(fan.token)}`);
    expect(byToken.status).toBe(400);
    expect(byToken.headers.get("content-type")).toContain("application/problem+json");
    expect((await upgradeQueue(event.id, ticket.ticket, "")).status).toBe(401);

    const pass = await socketTicket(event.id, fan.token);
    const first = await upgradeQueue(event.id, ticket.ticket, `socketTicket=${encodeURIComponent(pass)}`);
    expect(first.status).toBe(101);
    first.webSocket!.accept();
    const again = await upgradeQueue(event.id, ticket.ticket, `socketTicket=${encodeURIComponent(pass)}`);
    expect(again.status).toBe(401);

    // Another fan's valid socket ticket does not open this fan's place in the queue.
    const theirs = await socketTicket(event.id, other.token);
    expect((await upgradeQueue(event.id, ticket.ticket, `socketTicket=${encodeURIComponent(theirs)}`)).status).toBe(
      404,
    );
    first.webSocket!.close(1000, "done");
  });
});
