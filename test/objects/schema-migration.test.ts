import { runInDurableObject } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { SCHEMA_VERSION, migrate } from "../../src/objects/inventory/schema";
import { freshInventory } from "./helpers";

describe("the inventory schema's v7 step", () => {
  it("moves each seat hold's seat list from hold_seats into its own row, sorted, and keeps it readable", async () => {
    const stub = await freshInventory();
    // A hold made before v7: the seat list only in hold_seats, the row without `seat_ids`.
    const held = await stub.hold({ userId: "u-old", request: { seats: ["S1-A-3", "S1-A-1"] } });
    if (!held.ok) throw new Error(held.code);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      sql.exec(`ALTER TABLE holds DROP COLUMN seat_ids`);
      sql.exec(
        `INSERT INTO hold_seats (hold_id, seat_id) VALUES (?, 'S1-A-3'), (?, 'S1-A-1')`,
        held.holdId,
        held.holdId,
      );
      sql.exec(`UPDATE meta SET value = 6 WHERE key = 'schema_version'`);
      migrate(sql);
      const row = sql.exec<{ seat_ids: string }>(`SELECT seat_ids FROM holds WHERE id = ?`, held.holdId).one();
      expect(JSON.parse(row.seat_ids)).toEqual(["S1-A-1", "S1-A-3"]);
      const version = sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'schema_version'`).one();
      expect(version.value).toBe(SCHEMA_VERSION);
    });
    const view = await stub.getHold(held.holdId);
    expect(view.ok && view.hold.seats).toEqual(["S1-A-1", "S1-A-3"]);
  });

  it("writes a new hold's seat list in its row and nothing into hold_seats", async () => {
    const stub = await freshInventory();
    const held = await stub.hold({ userId: "u-new", request: { seats: ["S1-B-5", "S1-B-4"] } });
    if (!held.ok) throw new Error(held.code);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      const row = sql.exec<{ seat_ids: string }>(`SELECT seat_ids FROM holds WHERE id = ?`, held.holdId).one();
      expect(JSON.parse(row.seat_ids)).toEqual(["S1-B-4", "S1-B-5"]);
      expect(sql.exec(`SELECT 1 FROM hold_seats`).toArray()).toEqual([]);
    });
    // Released, the hold still says which seats it had; the seats are free again.
    expect(await stub.release(held.holdId, "u-new")).toMatchObject({ ok: true });
    const view = await stub.getHold(held.holdId);
    expect(view.ok && view.hold).toMatchObject({ status: "released", seats: ["S1-B-4", "S1-B-5"] });
    const snap = await stub.snapshot();
    expect(snap.seats["S1-B-4"]).toBe("a");
  });
});

describe("a hold's audit entry", () => {
  it("is written by the hold's own transaction, in the outbox, with what the hold did", async () => {
    const stub = await freshInventory();
    await runInDurableObject(stub, async (instance, state) => {
      state.storage.sql.exec(`DELETE FROM outbox`);
      const held = await (instance as unknown as { hold: typeof stub.hold }).hold({
        userId: "u-body",
        request: { seats: ["S1-E-1", "S1-E-2"] },
        ipHash: "ip-hash-1",
      });
      if (!held.ok) throw new Error(held.code);
      // Read before the outbox's first pass (it waits a linger): the row the hold's transaction wrote.
      const rows = state.storage.sql.exec<{ queue: string; body: string }>(`SELECT queue, body FROM outbox`).toArray();
      expect(rows).toHaveLength(1);
      expect(rows[0]!.queue).toBe("audit");
      expect(JSON.parse(rows[0]!.body)).toMatchObject({
        action: "hold.created",
        actorId: "u-body",
        entityType: "hold",
        ipHash: "ip-hash-1",
        data: { kind: "seats", quantity: 2, seats: ["S1-E-1", "S1-E-2"] },
      });
    });
  });
});
