import { evictDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { connect } from "./helpers";

async function hold(eventId: string, token: string, body: unknown) {
  return expectJson(await call("POST", `/v1/events/${eventId}/holds`, { token, body }), 201);
}

describe("GET /v1/events/:id/live", () => {
  it("sends a snapshot on connect", async () => {
    const { event } = await setupEvent();
    const live = await connect(event.id);
    const snap = await live.next("snapshot");
    expect(snap.seats["A-1-1"]).toBe("a");
    expect(snap.areas.pit).toBe(50);
    live.close();
  });

  it("pushes one delta per change, in version order", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const live = await connect(event.id);
    const snap = await live.next("snapshot");
    const h1 = await hold(event.id, fan.token, { seats: ["A-1-1", "A-1-2"] });
    const d1 = await live.next("delta");
    await call("DELETE", `/v1/holds/${encodeURIComponent(h1.holdId)}`, { token: fan.token });
    const d2 = await live.next("delta");
    expect(d1.version).toBe(snap.version + 1);
    // The hold was made for one fan: its delta carries that fan's tag; the release gives seats back
    // and carries none.
    expect(d1.changes).toEqual([
      { version: d1.version, seats: { "A-1-1": "h", "A-1-2": "h" }, by: expect.any(String) },
    ]);
    expect(d2.version).toBe(d1.version + 1);
    expect(d2.changes[0]).toEqual({ version: d2.version, seats: { "A-1-1": "a", "A-1-2": "a" } });
    live.close();
  });

  it("a client that connects with an old version gets the deltas it missed; one too old gets a snapshot", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const first = await connect(event.id);
    const snap = await first.next("snapshot");
    first.close();
    await hold(event.id, fan.token, { seats: ["A-2-1"] });
    await hold(event.id, fan.token, { seats: ["A-2-2"] });
    const back = await connect(event.id, { version: snap.version });
    const missed = await back.next("delta");
    expect(missed.changes.map((c) => c.version)).toEqual([snap.version + 1, snap.version + 2]);
    back.send({ type: "resync", version: 0 }); // before the inventory was loaded: the log cannot reach
    const fresh = await back.next("snapshot");
    expect(fresh.version).toBe(snap.version + 2);
    expect(fresh.seats["A-2-2"]).toBe("h");
    back.close();
  });

  it("answers a malformed message with an error and keeps the socket open", async () => {
    const { event } = await setupEvent();
    const live = await connect(event.id);
    const snap = await live.next("snapshot");
    live.send("{not json");
    expect((await live.next("error")).code).toBe("malformed");
    live.send({ type: "teleport" });
    expect((await live.next("error")).code).toBe("malformed");
    live.send({ type: "resync", version: snap.version });
    const answer = await live.next("delta");
    expect(answer).toMatchObject({ version: snap.version, changes: [] });
    live.close();
  });

  it("follows the fan's own hold and refuses someone else's", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const other = await createUser();
    const h = await hold(event.id, fan.token, { seats: ["A-3-1"] });
    const mine = await connect(event.id, { token: fan.token });
    await mine.next("snapshot");
    mine.send({ type: "watch_hold", holdId: h.holdId });
    const now = await mine.next("hold");
    expect(now).toMatchObject({ holdId: h.holdId, status: "active", expiresAt: Date.parse(h.expiresAt) });
    await call("DELETE", `/v1/holds/${encodeURIComponent(h.holdId)}`, { token: fan.token });
    expect((await mine.next("hold")).status).toBe("released");

    const theirs = await connect(event.id, { token: other.token });
    await theirs.next("snapshot");
    theirs.send({ type: "watch_hold", holdId: h.holdId });
    expect((await theirs.next("error")).code).toBe("forbidden");
    mine.close();
    theirs.close();
  });

  it("keeps sockets and what they follow across hibernation", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const h = await hold(event.id, fan.token, { seats: ["A-4-1"] });
    const live = await connect(event.id, { token: fan.token });
    await live.next("snapshot");
    live.send({ type: "watch_hold", holdId: h.holdId });
    await live.next("hold");
    await evictDurableObject(env.EVENT_INVENTORY.getByName(event.id));
    live.send("ping"); // answered by the runtime, the object stays asleep
    for (let i = 0; i < 20 && live.pongs === 0; i++) await new Promise((r) => setTimeout(r, 50));
    expect(live.pongs).toBe(1);
    await call("DELETE", `/v1/holds/${encodeURIComponent(h.holdId)}`, { token: fan.token });
    expect((await live.next("delta")).changes[0]!.seats).toEqual({ "A-4-1": "a" });
    expect((await live.next("hold")).status).toBe("released");
    live.close();
  });

  it("tells everyone when the last place is gone", async () => {
    const { event } = await setupEvent({ rows: 1, perRow: 2, maxSeatsPerOrder: 50 });
    const fan = await createUser();
    const live = await connect(event.id);
    await live.next("snapshot");
    await hold(event.id, fan.token, { area: "pit", quantity: 50 });
    await hold(event.id, fan.token, { seats: ["A-1-1", "A-1-2"] });
    expect((await live.next("sold_out")).version).toBeGreaterThan(0);
    live.close();
  });

  it("answers 426 to a plain GET", async () => {
    const { event } = await setupEvent();
    const res = await call("GET", `/v1/events/${event.id}/live`);
    expect(res.status).toBe(426);
  });
});
