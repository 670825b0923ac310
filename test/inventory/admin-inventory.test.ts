import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { waitForRows } from "../audit/helpers";
import { setupEvent } from "./helpers";

describe("admin inventory", () => {
  it("blocks and unblocks seats and reports counts", async () => {
    const { org, event } = await setupEvent();
    const base = `/v1/admin/events/${event.id}`;
    const start = await expectJson(await call("GET", `${base}/inventory`, { token: org.token }), 200);
    expect(start.tiers.std).toEqual({ available: 40, held: 0, sold: 0, blocked: 0 });
    expect(start.areas).toEqual([
      expect.objectContaining({ id: "pit", tier: "ga", price: 3000, capacity: 50, remaining: 50 }),
    ]);

    const blocked = await expectJson(
      await call("POST", `${base}/seats/block`, {
        token: org.token,
        body: { seats: ["A-1-1", "A-1-2"], reason: "camera platform" },
      }),
      200,
    );
    expect(blocked.changed.sort()).toEqual(["A-1-1", "A-1-2"]);
    expect(blocked.reason).toBe("camera platform");
    expect(blocked.version).toBeGreaterThan(start.version);
    const fan = await createUser();
    const p = await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-2", "A-1-3"] } }),
      409,
      "seats_unavailable",
    );
    expect(p.conflicts).toEqual(["A-1-2"]);
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-2-5"] } }),
      201,
    );
    const conflict = await expectProblem(
      await call("POST", `${base}/seats/block`, { token: org.token, body: { seats: ["A-2-5", "A-2-6"], reason: "x" } }),
      409,
      "seats_unavailable",
    );
    expect(conflict.conflicts).toEqual(["A-2-5"]);
    await expectProblem(
      await call("POST", `${base}/seats/block`, { token: org.token, body: { seats: ["nope"], reason: "x" } }),
      422,
      "unknown_seats",
    );
    await expectProblem(
      await call("POST", `${base}/seats/block`, { token: org.token, body: { seats: [], reason: "x" } }),
      400,
      "validation_failed",
    );

    const mid = await expectJson(await call("GET", `${base}/inventory`, { token: org.token }), 200);
    expect(mid.tiers.std).toEqual({ available: 37, held: 1, sold: 0, blocked: 2 });
    const map = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(map.seats["A-1-1"]).toBe("b");

    const un = await expectJson(
      await call("POST", `${base}/seats/unblock`, { token: org.token, body: { seats: ["A-1-1", "A-1-3"] } }),
      200,
    );
    expect(un.changed).toEqual(["A-1-1"]);
    const end = await expectJson(await call("GET", `${base}/inventory`, { token: org.token }), 200);
    expect(end.tiers.std).toEqual({ available: 38, held: 1, sold: 0, blocked: 1 });
  });

  it("requires a reason to block, and keeps it (and an unblock's) in the audit trail", async () => {
    const { org, event } = await setupEvent();
    const base = `/v1/admin/events/${event.id}`;
    for (const body of [{ seats: ["A-1-1"] }, { seats: ["A-1-1"], reason: "   " }]) {
      const p = await expectProblem(
        await call("POST", `${base}/seats/block`, { token: org.token, body }),
        400,
        "validation_failed",
      );
      expect((p.errors as { path: string }[]).map((e) => e.path)).toContain("reason");
    }
    const map = await expectJson(await call("GET", `/v1/events/${event.id}/seats`), 200);
    expect(map.seats["A-1-1"]).toBe("a");
    await expectJson(
      await call("POST", `${base}/seats/block`, {
        token: org.token,
        body: { seats: ["A-1-1", "A-1-4"], reason: "  sound desk  " },
      }),
      200,
    );
    const un = await expectJson(
      await call("POST", `${base}/seats/unblock`, { token: org.token, body: { seats: ["A-1-4"] } }),
      200,
    );
    expect(un).toEqual(expect.objectContaining({ changed: ["A-1-4"], reason: null }));
    const rows = await waitForRows("event_id = ? AND action LIKE 'seats.%'", [event.id], 2);
    const data = rows.map((r) => [r.action, JSON.parse(r.data ?? "null")]);
    expect(data).toEqual([
      ["seats.blocked", expect.objectContaining({ seats: ["A-1-1", "A-1-4"], reason: "sound desk" })],
      ["seats.unblocked", expect.objectContaining({ seats: ["A-1-4"], reason: null })],
    ]);
  });

  it("hides other organizers' events and refuses fans", async () => {
    const { event } = await setupEvent();
    const other = await createUser({ role: "organizer" });
    const base = `/v1/admin/events/${event.id}`;
    await expectProblem(await call("GET", `${base}/inventory`, { token: other.token }), 404, "not_found");
    await expectProblem(
      await call("POST", `${base}/seats/block`, { token: other.token, body: { seats: ["A-1-1"], reason: "x" } }),
      404,
      "not_found",
    );
    await expectProblem(
      await call("POST", `${base}/seats/unblock`, { token: other.token, body: { seats: ["A-1-1"] } }),
      404,
      "not_found",
    );
    const fan = await createUser();
    await expectProblem(await call("GET", `${base}/inventory`, { token: fan.token }), 403, "forbidden");
    const admin = await createUser({ role: "admin" });
    await expectJson(await call("GET", `${base}/inventory`, { token: admin.token }), 200);
  });

  it("answers 409 for a draft's inventory", async () => {
    const { org, event } = await setupEvent({ publish: false });
    await expectProblem(
      await call("GET", `/v1/admin/events/${event.id}/inventory`, { token: org.token }),
      409,
      "conflict",
    );
  });

  it("refuses to re-publish over an inventory in use with 409 and leaves the event as it was", async () => {
    const { org, event } = await setupEvent();
    const fan = await createUser();
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      201,
    );
    // The API cannot move an event back to draft; force it to reach the in_use path of publishEvent.
    await env.DB.prepare("UPDATE events SET status = 'draft' WHERE id = ?").bind(event.id).run();
    await expectProblem(
      await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }),
      409,
      "inventory_in_use",
    );
    const row = await env.DB.prepare("SELECT status FROM events WHERE id = ?")
      .bind(event.id)
      .first<{ status: string }>();
    expect(row?.status).toBe("draft");
  });
});
