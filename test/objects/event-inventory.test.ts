import { runDurableObjectAlarm, runInDurableObject, evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventInventory } from "../../src/objects/event-inventory";
import { CONFIG, TIERS, freshInventory, gridLayout } from "./helpers";

const sleep = (ms: number) => new Promise((r) => setTimeout(r, ms));

describe("EventInventory: initialize and snapshot", () => {
  it("loads seats with tiers and prices and snapshots them", async () => {
    const stub = await freshInventory();
    const snap = await stub.snapshot();
    expect(Object.keys(snap.seats)).toHaveLength(50);
    expect(snap.seats["S1-A-1"]).toBe("a");
    expect(snap.areas).toEqual({ GA: 50 });
    const inv = await stub.inventory();
    expect(inv.tiers.vip?.available).toBe(10);
    expect(inv.tiers.std?.available).toBe(40);
    expect(inv.areas[0]).toMatchObject({ id: "GA", tier: "std", price: 5000, capacity: 50, remaining: 50 });
  });

  it("re-initializes while idle but answers in_use once something is held", async () => {
    const stub = await freshInventory();
    const again = await stub.initialize({
      eventId: "evt_1",
      layout: gridLayout(1, 2, 4),
      tiers: TIERS,
      config: CONFIG,
    });
    expect(again.ok).toBe(true);
    expect(Object.keys((await stub.snapshot()).seats)).toHaveLength(8);
    expect((await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).ok).toBe(true);
    const busy = await stub.initialize({ eventId: "evt_1", layout: gridLayout(), tiers: TIERS, config: CONFIG });
    expect(busy).toMatchObject({ ok: false, code: "in_use" });
  });

  it("loads 20,000 seats in chunks and snapshots them", async () => {
    const stub = await freshInventory({ layout: gridLayout(4, 50, 100) });
    const t = Date.now();
    const snap = await stub.snapshot();
    expect(Object.keys(snap.seats)).toHaveLength(20_000);
    expect(Date.now() - t).toBeLessThan(2000);
  });
});

describe("EventInventory: holds", () => {
  it("answers not_found before initialize", async () => {
    const stub = env.EVENT_INVENTORY.getByName(crypto.randomUUID());
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).toMatchObject({
      ok: false,
      code: "not_found",
    });
    expect(await stub.snapshot()).toEqual({ version: 0, seats: {}, areas: {} });
  });

  it("holds explicit seats with prices and amount", async () => {
    const stub = await freshInventory();
    const res = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "S1-B-1"] } });
    if (!res.ok) throw new Error(res.code);
    expect(res.seats).toEqual([
      { id: "S1-A-1", tier: "vip", price: 9000 },
      { id: "S1-B-1", tier: "std", price: 5000 },
    ]);
    expect(res.amount).toBe(14000);
    expect(res.currency).toBe("EUR");
    const snap = await stub.snapshot();
    expect(snap.seats["S1-A-1"]).toBe("h");
    expect(snap.version).toBe(res.version);
  });

  it("rejects an overlapping hold with the exact conflicts and leaves the rest untouched", async () => {
    const stub = await freshInventory();
    await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "S1-A-2"] } });
    const res = await stub.hold({ userId: "u2", request: { seats: ["S1-A-2", "S1-A-3", "S1-A-1"] } });
    expect(res).toMatchObject({ ok: false, code: "seats_unavailable" });
    if (res.ok) return;
    expect(res.conflicts?.sort()).toEqual(["S1-A-1", "S1-A-2"]);
    expect((await stub.snapshot()).seats["S1-A-3"]).toBe("a");
  });

  it("answers unknown_seats for ids not in the layout", async () => {
    const stub = await freshInventory();
    const res = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "nope"] } });
    expect(res).toMatchObject({ ok: false, code: "unknown_seats", conflicts: ["nope"] });
  });

  it("picks best-available adjacent seats in a tier", async () => {
    const stub = await freshInventory();
    const res = await stub.hold({ userId: "u1", request: { tier: "std", quantity: 3 } });
    if (!res.ok) throw new Error(res.code);
    expect(res.seats).toHaveLength(3);
    expect(res.seats.every((s) => s.tier === "std" && s.id.startsWith("S1-B-"))).toBe(true);
    const none = await stub.hold({ userId: "u2", request: { tier: "nope", quantity: 1 } });
    expect(none).toMatchObject({ ok: false, code: "sold_out" });
  });

  it("best-available honours the accessible filter", async () => {
    const stub = await freshInventory();
    const res = await stub.hold({ userId: "u1", request: { tier: "std", quantity: 1, accessible: true } });
    if (!res.ok) throw new Error(res.code);
    expect(res.seats.map((s) => s.id)).toEqual(["S1-B-1"]);
  });

  it("200 concurrent overlapping holds: no seat is won twice", async () => {
    const stub = await freshInventory({ config: { maxSeatsPerOrder: 10 } });
    const all = Object.keys((await stub.snapshot()).seats);
    const requests = Array.from({ length: 200 }, (_, i) => {
      const n = 1 + (i % 4);
      const set = new Set<string>();
      while (set.size < n) set.add(all[Math.floor(Math.random() * all.length)]!);
      return [...set];
    });
    const results = await Promise.all(requests.map((seats, i) => stub.hold({ userId: `u${i}`, request: { seats } })));
    const won = new Map<string, string>();
    let heldSum = 0;
    for (const r of results) {
      if (!r.ok) continue;
      heldSum += r.seats.length;
      for (const s of r.seats) {
        expect(won.has(s.id), `seat ${s.id} won twice`).toBe(false);
        won.set(s.id, r.holdId);
      }
    }
    for (const r of results) {
      if (r.ok) continue;
      expect(r.code).toBe("seats_unavailable");
      for (const c of r.conflicts ?? []) expect(won.has(c), `conflict ${c} not held by a winner`).toBe(true);
    }
    expect(results.filter((r) => r.ok).length).toBeGreaterThan(0);
    expect(results.filter((r) => !r.ok).length).toBeGreaterThan(0);
    const snap = await stub.snapshot();
    expect(Object.values(snap.seats).filter((s) => s === "h")).toHaveLength(heldSum);
    const rows = await runInDurableObject(stub, (_, state) =>
      state.storage.sql
        .exec<{ seat_id: string; n: number }>(
          `SELECT j.value AS seat_id, COUNT(*) AS n FROM holds, json_each(holds.seat_ids) j
           WHERE holds.status IN ('active','checking_out') GROUP BY j.value HAVING n > 1`,
        )
        .toArray(),
    );
    expect(rows).toEqual([]);
  });

  it("GA holds under concurrency never exceed capacity", async () => {
    const stub = await freshInventory({ config: { maxSeatsPerOrder: 10 } });
    const results = await Promise.all(
      Array.from({ length: 60 }, (_, i) =>
        stub.hold({ userId: `u${i}`, request: { area: "GA", quantity: 1 + (i % 3) } }),
      ),
    );
    const held = results.reduce((n, r) => n + (r.ok ? r.area!.quantity : 0), 0);
    expect(held).toBeLessThanOrEqual(50);
    expect(results.filter((r) => !r.ok).every((r) => !r.ok && r.code === "sold_out")).toBe(true);
    const snap = await stub.snapshot();
    expect(snap.areas.GA).toBe(50 - held);
    expect(held).toBeGreaterThan(45);
  });
});

describe("EventInventory: limits and ownership", () => {
  it("enforces maxSeatsPerOrder and maxSeatsPerUser", async () => {
    const stub = await freshInventory({ config: { maxSeatsPerOrder: 3, maxSeatsPerUser: 4 } });
    expect(await stub.hold({ userId: "u1", request: { tier: "std", quantity: 4 } })).toMatchObject({
      ok: false,
      code: "limit_exceeded",
    });
    expect((await stub.hold({ userId: "u1", request: { seats: ["S1-B-1", "S1-B-2", "S1-B-3"] } })).ok).toBe(true);
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-C-1", "S1-C-2"] } })).toMatchObject({
      ok: false,
      code: "limit_exceeded",
    });
    expect((await stub.hold({ userId: "u1", request: { area: "GA", quantity: 1 } })).ok).toBe(true);
    expect((await stub.hold({ userId: "u2", request: { seats: ["S1-C-1", "S1-C-2"] } })).ok).toBe(true);
  });

  it("counts sold seats toward the per-user limit", async () => {
    const stub = await freshInventory({ config: { maxSeatsPerUser: 2 } });
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-B-1", "S1-B-2"] } });
    if (!h.ok) throw new Error(h.code);
    expect((await stub.confirm(h.holdId, "ord_1")).ok).toBe(true);
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-C-1"] } })).toMatchObject({
      ok: false,
      code: "limit_exceeded",
    });
  });

  it("release by the owner frees seats; by anyone else answers not_owner", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    expect(await stub.release(h.holdId, "u2")).toMatchObject({ ok: false, code: "not_owner" });
    expect(await stub.release("missing", "u1")).toMatchObject({ ok: false, code: "not_found" });
    expect(await stub.release(h.holdId, "u1")).toMatchObject({ ok: true, status: "released" });
    expect((await stub.snapshot()).seats["S1-A-1"]).toBe("a");
    expect(await stub.release(h.holdId, "u1")).toMatchObject({ ok: false, code: "invalid_state" });
  });
});

describe("EventInventory: expiry and alarms", () => {
  it("a hold past its deadline reads as expired before the alarm", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    expect(await stub.getHold(h.holdId)).toMatchObject({ ok: true, hold: { status: "active" } });
    expect(await stub.getHold(h.holdId, h.expiresAt + 1)).toMatchObject({
      ok: true,
      hold: { status: "expired", seats: ["S1-A-1"] },
    });
    // And a snapshot taken past the deadline shows the seat free again.
    expect((await stub.snapshot(h.expiresAt + 1)).seats["S1-A-1"]).toBe("a");
  });

  it("the alarm releases expired holds; a duplicate alarm is harmless", async () => {
    const stub = await freshInventory({ config: { holdSeconds: 1 } });
    const h1 = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "S1-A-2"] } });
    const h2 = await stub.hold({ userId: "u2", request: { area: "GA", quantity: 5 } });
    if (!h1.ok || !h2.ok) throw new Error("hold failed");
    const alarmAt = await runInDurableObject(stub, (_, state) => state.storage.getAlarm());
    expect(alarmAt).toBe(Math.min(h1.expiresAt, h2.expiresAt));
    await sleep(1100);
    await runDurableObjectAlarm(stub); // may already have run on its own; either way it converges
    const versionAfter = (await stub.snapshot()).version;
    expect(await stub.getHold(h1.holdId)).toMatchObject({ ok: true, hold: { status: "expired" } });
    const snap = await stub.snapshot();
    expect(snap.seats["S1-A-1"]).toBe("a");
    expect(snap.areas.GA).toBe(50);
    // A duplicate alarm changes nothing.
    await runInDurableObject(stub, (instance: EventInventory) => instance.alarm());
    expect((await stub.snapshot()).version).toBe(versionAfter);
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBeNull();
  });

  it("an early alarm leaves live holds alone and re-arms", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    await runInDurableObject(stub, (instance: EventInventory) => instance.alarm());
    expect((await stub.snapshot()).seats["S1-A-1"]).toBe("h");
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).toBe(h.expiresAt);
  });

  it("holds and the alarm survive eviction", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    await evictDurableObject(stub);
    expect(await stub.getHold(h.holdId)).toMatchObject({ ok: true, hold: { status: "active" } });
    expect((await stub.snapshot()).seats["S1-A-1"]).toBe("h");
    expect(await runInDurableObject(stub, (_, state) => state.storage.getAlarm())).not.toBeNull();
  });

  it("hold() with a past `now` creates an already-due hold that the next call expires", async () => {
    const stub = await freshInventory();
    const past = Date.now() - 3_600_000;
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } }, past);
    if (!h.ok) throw new Error(h.code);
    const again = await stub.hold({ userId: "u2", request: { seats: ["S1-A-1"] } });
    expect(again.ok).toBe(true);
    expect(await stub.getHold(h.holdId)).toMatchObject({ ok: true, hold: { status: "expired" } });
  });
});

describe("EventInventory: checkout, confirm, abandon, reacquire", () => {
  it("beginCheckout extends the deadline exactly once", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    expect(await stub.beginCheckout(h.holdId, "u2")).toMatchObject({ ok: false, code: "not_owner" });
    const c1 = await stub.beginCheckout(h.holdId, "u1");
    expect(c1).toMatchObject({ ok: true, status: "checking_out", expiresAt: h.expiresAt + 600_000 });
    const c2 = await stub.beginCheckout(h.holdId, "u1");
    expect(c2).toMatchObject({ ok: true, status: "checking_out", expiresAt: h.expiresAt + 600_000 });
    expect(await stub.getHold(h.holdId, h.expiresAt + 1)).toMatchObject({
      ok: true,
      hold: { status: "checking_out", extended: true },
    });
  });

  it("confirm sells the seats and is idempotent for the same order", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "S1-A-2"] } });
    if (!h.ok) throw new Error(h.code);
    await stub.beginCheckout(h.holdId, "u1");
    const c1 = await stub.confirm(h.holdId, "ord_1");
    expect(c1).toMatchObject({ ok: true, status: "confirmed" });
    const c2 = await stub.confirm(h.holdId, "ord_1");
    expect(c2).toMatchObject({ ok: true, status: "confirmed" });
    if (c1.ok && c2.ok) expect(c2.version).toBe(c1.version);
    expect(await stub.confirm(h.holdId, "ord_2")).toMatchObject({ ok: false, code: "invalid_state" });
    const snap = await stub.snapshot();
    expect(snap.seats["S1-A-1"]).toBe("s");
    expect((await stub.inventory()).tiers.vip).toMatchObject({ sold: 2, available: 8 });
  });

  it("confirm of a GA hold moves places from held to sold", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { area: "GA", quantity: 4 } });
    if (!h.ok) throw new Error(h.code);
    expect(h.amount).toBe(20000);
    await stub.confirm(h.holdId, "ord_ga");
    const inv = await stub.inventory();
    expect(inv.areas[0]).toMatchObject({ held: 0, sold: 4, remaining: 46 });
  });

  it("abandon releases at once", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    if (!h.ok) throw new Error(h.code);
    await stub.beginCheckout(h.holdId, "u1");
    expect(await stub.abandon(h.holdId)).toMatchObject({ ok: true, status: "released" });
    expect((await stub.snapshot()).seats["S1-A-1"]).toBe("a");
    expect(await stub.confirm(h.holdId, "ord_1")).toMatchObject({ ok: false, code: "invalid_state" });
  });

  it("reacquire sells the same seats when free, else reports conflicts", async () => {
    const stub = await freshInventory();
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1", "S1-A-2"] } }, Date.now() - 3_600_000);
    if (!h.ok) throw new Error(h.code);
    const ok = await stub.reacquire({ seats: ["S1-A-1", "S1-A-2"] }, "ord_1", "u1");
    expect(ok).toMatchObject({ ok: true, amount: 18000 });
    const again = await stub.reacquire({ seats: ["S1-A-1", "S1-A-2"] }, "ord_1", "u1");
    expect(again.ok).toBe(true);
    const snap = await stub.snapshot();
    expect(snap.seats["S1-A-1"]).toBe("s");

    await stub.hold({ userId: "u3", request: { seats: ["S1-B-2"] } });
    const bad = await stub.reacquire({ seats: ["S1-B-1", "S1-B-2"] }, "ord_2", "u2");
    expect(bad).toMatchObject({ ok: false, code: "seats_unavailable", conflicts: ["S1-B-2"] });
    expect((await stub.snapshot()).seats["S1-B-1"]).toBe("a");
  });
});

describe("EventInventory: block, unblock, change log", () => {
  it("blocks and unblocks seats; held or sold seats conflict", async () => {
    const stub = await freshInventory();
    await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    expect(await stub.block(["S1-A-1", "S1-A-2"])).toMatchObject({
      ok: false,
      code: "seats_unavailable",
      conflicts: ["S1-A-1"],
    });
    expect(await stub.block(["S1-A-2", "S1-A-3"])).toMatchObject({ ok: true, changed: ["S1-A-2", "S1-A-3"] });
    expect((await stub.snapshot()).seats["S1-A-2"]).toBe("b");
    expect(await stub.hold({ userId: "u2", request: { seats: ["S1-A-2"] } })).toMatchObject({
      ok: false,
      code: "seats_unavailable",
    });
    expect(await stub.unblock(["S1-A-2"])).toMatchObject({ ok: true, changed: ["S1-A-2"] });
    expect((await stub.snapshot()).seats["S1-A-2"]).toBe("a");
    expect(await stub.block(["zzz"])).toMatchObject({ ok: false, code: "unknown_seats" });
  });

  it("changesSince returns the deltas in order, and resync when too old", async () => {
    const stub = await freshInventory();
    const v0 = (await stub.snapshot()).version;
    const h = await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } });
    const g = await stub.hold({ userId: "u1", request: { area: "GA", quantity: 2 } });
    if (!h.ok || !g.ok) throw new Error("hold failed");
    await stub.release(h.holdId, "u1");
    const res = await stub.changesSince(v0);
    if (res.resync) throw new Error("unexpected resync");
    expect(res.changes).toEqual([
      { version: v0 + 1, seats: { "S1-A-1": "h" } },
      { version: v0 + 2, areas: { GA: 48 } },
      { version: v0 + 3, seats: { "S1-A-1": "a" } },
    ]);
    expect(await stub.changesSince(v0 + 3)).toEqual({ version: v0 + 3, changes: [] });
    expect(await stub.changesSince(v0 - 1)).toMatchObject({ resync: true });
  });

  it("keeps the change log bounded near the last 1000 entries", async () => {
    const stub = await freshInventory();
    const v0 = (await stub.snapshot()).version;
    await runInDurableObject(stub, async (instance: EventInventory) => {
      for (let i = 0; i < 600; i++) {
        await instance.block(["S1-A-1"]);
        await instance.unblock(["S1-A-1"]);
      }
    });
    const n = await runInDurableObject(
      stub,
      (_, state) => state.storage.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM changes`).one().n,
    );
    // Trimmed back to 1000 every 64 versions, so it never holds more than 1000 + 63.
    expect(n).toBeGreaterThanOrEqual(1000);
    expect(n).toBeLessThan(1000 + 64);
    const v = (await stub.snapshot()).version;
    expect(v).toBe(v0 + 1200);
    expect(await stub.changesSince(v0)).toMatchObject({ resync: true });
    const recent = await stub.changesSince(v - 10);
    expect(recent.resync).toBeFalsy();
    if (!recent.resync) expect(recent.changes).toHaveLength(10);
  });
});
