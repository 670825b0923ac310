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

  it("v8: an object made before it writes a change and its audit row in one statement once migrated", async () => {
    const stub = await freshInventory();
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      sql.exec(`DROP TRIGGER change_writes_insert`);
      sql.exec(`DROP VIEW change_writes`);
      sql.exec(`UPDATE meta SET value = 7 WHERE key = 'schema_version'`);
      migrate(sql);
    });
    const held = await stub.hold({ userId: "u-v8", request: { seats: ["S1-C-1"] } });
    if (!held.ok) throw new Error(held.code);
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      const change = sql.exec<{ json: string }>(`SELECT json FROM changes WHERE version = ?`, held.version).one();
      expect(JSON.parse(change.json)).toMatchObject({ version: held.version, seats: { "S1-C-1": "h" } });
      // The view stores nothing itself: the trigger put each row where two statements would have.
      expect(sql.exec(`SELECT outbox FROM change_writes WHERE version = ?`, held.version).one().outbox).toBeNull();
    });
  });
});

describe("a change and its outbox rows, written together", () => {
  it("leaves one outbox row per message, in order, beside the change-log row; a rolled back change leaves neither", async () => {
    const stub = await freshInventory();
    await runInDurableObject(stub, (_, state) => {
      const sql = state.storage.sql;
      sql.exec(`DELETE FROM outbox`);
      const rows = [
        ["audit", JSON.stringify({ id: "a1", quote: 'it\'s "quoted"' }), 1],
        ["ledger", JSON.stringify({ id: "l1" }), 2],
        ["audit", JSON.stringify({ id: "a2" }), 3],
      ];
      state.storage.transactionSync(() =>
        sql.exec(
          `INSERT INTO change_writes (version, json, outbox) VALUES (?, ?, ?)`,
          90_001,
          `{"version":90001}`,
          JSON.stringify(rows),
        ),
      );
      const out = sql.exec<{ queue: string; body: string; created_at: number }>(
        `SELECT queue, body, created_at FROM outbox ORDER BY id`,
      );
      expect(out.toArray().map((r) => [r.queue, r.body, r.created_at])).toEqual(rows);
      expect(sql.exec(`SELECT json FROM changes WHERE version = 90001`).one().json).toBe(`{"version":90001}`);
      expect(() =>
        state.storage.transactionSync(() => {
          sql.exec(
            `INSERT INTO change_writes (version, json, outbox) VALUES (?, ?, ?)`,
            90_002,
            "{}",
            JSON.stringify([["audit", "{}", 4]]),
          );
          throw new Error("rolled back");
        }),
      ).toThrow("rolled back");
      expect(sql.exec(`SELECT 1 FROM changes WHERE version = 90002`).toArray()).toEqual([]);
      expect(sql.exec(`SELECT COUNT(*) AS n FROM outbox`).one().n).toBe(3);
    });
  });
});
