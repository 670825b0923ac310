import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent, type Json } from "./helpers";

describe("holds", () => {
  it("holds seats with the documented shape, then 409s with the conflicting seats", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const res = await call("POST", `/v1/events/${event.id}/holds`, {
      token: fan.token,
      body: { seats: ["A-1-1", "A-1-2"] },
    });
    const hold = await expectJson(res, 201);
    expect(hold).toMatchObject({
      eventId: event.id,
      seats: [
        { id: "A-1-1", tier: "std", price: 5000 },
        { id: "A-1-2", tier: "std", price: 5000 },
      ],
      amount: 10000,
      currency: "NOK",
      version: expect.any(Number),
    });
    expect(hold.holdId.startsWith(`${event.id}~`)).toBe(true);
    expect(Date.parse(hold.expiresAt)).toBeGreaterThan(Date.now());
    const other = await createUser();
    const p = await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: other.token, body: { seats: ["A-1-2", "A-1-3"] } }),
      409,
      "seats_unavailable",
    );
    expect(p.conflicts).toEqual(["A-1-2"]);
  });

  it("holds by tier (best available) and GA area quantity", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const byTier = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { tier: "std", quantity: 3 } }),
      201,
    );
    expect(byTier.seats).toHaveLength(3);
    expect(byTier.amount).toBe(15000);
    const ga = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { area: "pit", quantity: 4 } }),
      201,
    );
    expect(ga).toMatchObject({ seats: [], area: { id: "pit", quantity: 4 }, amount: 12000 });
    const map = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(map.areas.pit).toBe(46);
  });

  it("maps inventory refusals to problems", async () => {
    const { event } = await setupEvent({ maxSeatsPerOrder: 3 });
    const fan = await createUser();
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { tier: "std", quantity: 4 } }),
      422,
      "limit_exceeded",
    );
    const u = await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1", "Z-9-9"] } }),
      422,
      "unknown_seats",
    );
    expect(u.seats).toEqual(["Z-9-9"]);
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { area: "pit", quantity: 3 } }),
      201,
    );
  });

  it("refuses anonymous callers and invalid bodies", async () => {
    const { event } = await setupEvent();
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { body: { seats: ["A-1-1"] } }),
      401,
      "unauthenticated",
    );
    const fan = await createUser();
    for (const bad of [
      {},
      { seats: [] },
      { seats: ["A-1-1", "A-1-1"] },
      { seats: Array.from({ length: 51 }, (_, i) => `s${i}`) },
      { tier: "std", quantity: 0 },
      { tier: "std", quantity: 51 },
      { area: "pit", quantity: 2, extra: true },
      { seats: ["A-1-1"], tier: "std", quantity: 1 },
      { tier: "std", quantity: "2" },
    ]) {
      await expectProblem(
        await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: bad }),
        400,
        "validation_failed",
      );
    }
  });

  it("refuses holds when the event is not on sale, and 404s drafts and unknown events", async () => {
    const fan = await createUser();
    const published = await setupEvent({ onSale: false });
    await expectProblem(
      await call("POST", `/v1/events/${published.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      409,
      "not_on_sale",
    );
    const draft = await setupEvent({ publish: false });
    await expectProblem(
      await call("POST", `/v1/events/${draft.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      404,
      "not_found",
    );
    await expectProblem(
      await call("POST", `/v1/events/evt_nope/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      404,
      "not_found",
    );
    const closed = await setupEvent();
    await expectJson(
      await call("POST", `/v1/admin/events/${closed.event.id}/status`, {
        token: closed.org.token,
        body: { status: "closed" },
      }),
      200,
    );
    await expectProblem(
      await call("POST", `/v1/events/${closed.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      409,
      "not_on_sale",
    );
    // Sales window in the future.
    const later = await setupEvent();
    await expectJson(
      await call("PATCH", `/v1/admin/events/${later.event.id}`, {
        token: later.org.token,
        body: { salesStartAt: "2029-01-01T00:00:00Z" },
      }),
      200,
    );
    await expectProblem(
      await call("POST", `/v1/events/${later.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      409,
      "not_on_sale",
    );
  });

  it("rate limits hold attempts per user with 429 and Retry-After", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    let limited: Response | undefined;
    for (let i = 0; i < 80 && !limited; i++) {
      const res = await call("POST", `/v1/events/${event.id}/holds`, {
        token: fan.token,
        body: { seats: [`nope-${i}`] },
      });
      if (res.status === 429) limited = res;
      else await expectProblem(res, 422, "unknown_seats");
    }
    expect(limited, "no 429 within 80 attempts").toBeDefined();
    expect(limited!.headers.get("Retry-After")).toBe("10");
    await expectProblem(limited!, 429, "rate_limited");
    // Another user is not affected.
    const other = await createUser();
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: other.token, body: { seats: ["A-1-1"] } }),
      201,
    );
    // The budget is per event (its object counts the attempts): another event still takes this fan's hold.
    const second = await setupEvent();
    await expectJson(
      await call("POST", `/v1/events/${second.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      201,
    );
  });

  it("lets only the owner read and release a hold", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const other = await createUser();
    const hold = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-2-1"] } }),
      201,
    );
    const path = `/v1/holds/${encodeURIComponent(hold.holdId)}`;
    const got = await expectJson(await call("GET", path, { token: fan.token }), 200);
    expect(got).toMatchObject({
      holdId: hold.holdId,
      eventId: event.id,
      status: "active",
      kind: "seats",
      seats: ["A-2-1"],
      amount: 5000,
      currency: "NOK",
    });
    await expectProblem(await call("GET", path, { token: other.token }), 404, "not_found");
    await expectProblem(await call("DELETE", path, { token: other.token }), 404, "not_found");
    await expectProblem(await call("GET", path), 401, "unauthenticated");
    await expectProblem(await call("GET", `/v1/holds/garbage`, { token: fan.token }), 404, "not_found");
    await expectProblem(
      await call("GET", `/v1/holds/${encodeURIComponent(`${event.id}~nope`)}`, { token: fan.token }),
      404,
      "not_found",
    );
    const del = await call("DELETE", path, { token: fan.token });
    expect(del.status).toBe(204);
    const after = await expectJson(await call("GET", path, { token: fan.token }), 200);
    expect(after.status).toBe("released");
    await expectProblem(await call("DELETE", path, { token: fan.token }), 409, "hold_not_active");
    const map = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(map.seats["A-2-1"]).toBe("a");
  });

  it("serves the seat map with an ETag and 304s a matching If-None-Match", async () => {
    const { event } = await setupEvent();
    const res = await call("GET", `/v1/events/${event.id}/seats`);
    const etag = res.headers.get("ETag");
    const map = await expectJson(res, 200);
    expect(etag).toBe(`"v${map.version}"`);
    expect(Object.keys(map.seats)).toHaveLength(40);
    expect(Object.values(map.seats).every((s) => s === "a")).toBe(true);
    expect(map.areas).toEqual({ pit: 50 });
    const same = await call("GET", `/v1/events/${event.id}/seats`, { headers: { "If-None-Match": etag! } });
    expect(same.status).toBe(304);
    const fan = await createUser();
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      201,
    );
    const changed = await call("GET", `/v1/events/${event.id}/seats`, { headers: { "If-None-Match": etag! } });
    const next = await expectJson(changed, 200);
    expect(next.version).toBeGreaterThan(map.version);
    expect(next.seats["A-1-1"]).toBe("h");
    const draft = await setupEvent({ publish: false });
    await expectProblem(await call("GET", `/v1/events/${draft.event.id}/seats`), 404, "not_found");
    await expectProblem(await call("GET", `/v1/events/evt_unknown/seats`), 404, "not_found");
  });
});

describe("hold concurrency", () => {
  it("never gives one seat to two holds across 240 concurrent requests", async () => {
    const { event } = await setupEvent({ rows: 6, perRow: 20 });
    const fans = await Promise.all(Array.from({ length: 24 }, () => createUser()));
    // Overlapping windows of 2-4 adjacent seats in a 120-seat section, plus best-available asks.
    const seat = (i: number) => `A-${(Math.floor(i / 20) % 6) + 1}-${(i % 20) + 1}`;
    const requests = Array.from({ length: 240 }, (_, i) => {
      const fan = fans[i % fans.length]!;
      if (i % 10 === 9) return { fan, body: { tier: "std", quantity: 2 } as Json };
      const start = (i * 7) % 118;
      const len = 2 + (i % 3);
      return { fan, body: { seats: Array.from({ length: len }, (_, k) => seat((start + k) % 120)) } as Json };
    });
    const results = await Promise.all(
      requests.map(async ({ fan, body }) => {
        const res = await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body });
        return { status: res.status, body: (await res.json()) as Json, request: body };
      }),
    );
    const winners = results.filter((r) => r.status === 201);
    const losers = results.filter((r) => r.status !== 201);
    expect(winners.length).toBeGreaterThan(0);
    expect(losers.length).toBeGreaterThan(0);
    for (const l of losers) expect([409]).toContain(l.status);

    const owner = new Map<string, string>();
    for (const w of winners) {
      for (const s of w.body.seats as Json[]) {
        expect(owner.has(s.id), `seat ${s.id} held twice`).toBe(false);
        owner.set(s.id, w.body.holdId);
      }
      if (w.request.seats)
        expect((w.body.seats as Json[]).map((s) => s.id).sort()).toEqual([...w.request.seats].sort());
    }
    const map = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    const held = Object.entries(map.seats)
      .filter(([, s]) => s === "h")
      .map(([id]) => id);
    expect(held.length).toBe(owner.size);
    expect(new Set(held)).toEqual(new Set(owner.keys()));
    for (const l of losers) {
      if (l.body.code === "seats_unavailable") {
        expect((l.body.conflicts as string[]).length).toBeGreaterThan(0);
        for (const c of l.body.conflicts as string[]) {
          expect(owner.has(c), `conflict ${c} not held by a winner`).toBe(true);
          expect(l.request.seats).toContain(c);
        }
      } else {
        // Only best-available asks may find too few seats left.
        expect(l.request.tier).toBe("std");
        expect(["sold_out", "seats_unavailable"]).toContain(l.body.code);
      }
    }
    const counts = await expectJson(
      await call("GET", `/v1/admin/events/${event.id}/inventory`, {
        token: (await createUser({ role: "admin" })).token,
      }),
      200,
    );
    expect(counts.tiers.std.held).toBe(owner.size);
    expect(counts.tiers.std.available).toBe(120 - owner.size);
  });
});
