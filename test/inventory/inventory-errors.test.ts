import { describe, expect, it } from "vitest";
import { inventoryError } from "../../src/domain/inventory-errors";
import type { InventoryErrorCode } from "../../src/objects/inventory-types";

describe("inventoryError", () => {
  it.each<[InventoryErrorCode, number, string]>([
    ["seats_unavailable", 409, "seats_unavailable"],
    ["sold_out", 409, "sold_out"],
    ["limit_exceeded", 422, "limit_exceeded"],
    ["not_found", 404, "not_found"],
    ["not_owner", 404, "not_found"],
    ["invalid_state", 409, "hold_not_active"],
    ["unknown_seats", 422, "unknown_seats"],
    ["in_use", 409, "inventory_in_use"],
  ])("%s → %i %s", (code, status, apiCode) => {
    const e = inventoryError({ ok: false, code, detail: "x", conflicts: ["A-1"] });
    expect(e.status).toBe(status);
    expect(e.code).toBe(apiCode);
  });

  it("carries conflicts and unknown ids, and never reveals another user's hold", () => {
    expect(inventoryError({ ok: false, code: "seats_unavailable", detail: "x", conflicts: ["A-1"] }).extra).toEqual({
      conflicts: ["A-1"],
    });
    expect(inventoryError({ ok: false, code: "unknown_seats", detail: "x", conflicts: ["Q"] }).extra).toEqual({
      seats: ["Q"],
    });
    const a = inventoryError({ ok: false, code: "not_owner", detail: "the hold belongs to another user" });
    const b = inventoryError({ ok: false, code: "not_found", detail: "no hold" });
    expect([a.message, a.code]).toEqual([b.message, b.code]);
  });
});
