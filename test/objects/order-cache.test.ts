import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { InventoryStore } from "../../src/objects/inventory/store";
import { OrderCache, codePointCompare } from "../../src/objects/inventory/order-cache";
import type { OrderSql } from "../../src/objects/inventory/order-rows";
import { expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, setupEvent } from "../orders/helpers";

// The event's object keeps recent orders' rows in memory, so the purchase path reads each order from
// SQLite at most once. What it serves must be what SQLite holds: the rest of the suite runs with
// every cached read checked against SQLite; these are the cases that check would not reach.

const order = (id: string, status = "pending_payment") => ({ id, status }) as OrderSql;

/** A fan's checkout of one seat on a new event. */
async function checkedOut(seat: string) {
  const { event } = await setupEvent();
  const { fan, hold } = await fanWithHold(event.id, [seat]);
  return { event, co: await expectJson(await checkoutCall(fan.token, hold.holdId), 201) };
}

/** Runs `fn` on the event object's store, with the cache's own answers unchecked. */
function inStore(eventId: string, fn: (s: InventoryStore) => void) {
  return runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), (instance) => {
    const s = (instance as unknown as { s: InventoryStore }).s;
    s.book.verify = false;
    fn(s);
  });
}

describe("the order cache", () => {
  it("forgets what a rolled-back transaction wrote, so the object never serves it", async () => {
    const { event, co } = await checkedOut("A-1-1");
    await inStore(event.id, (s) => {
      expect(s.book.order(co.orderId)?.status).toBe("pending_payment");
      expect(() =>
        s.tx(() => {
          s.book.update("orders", co.orderId, { status: "paid" });
          expect(s.book.order(co.orderId)?.status).toBe("paid"); // the transaction sees its own write
          throw new Error("the sale failed half-way");
        }),
      ).toThrow("half-way");
      expect(s.book.order(co.orderId)?.status).toBe("pending_payment");
      expect(s.book.detail(co.orderId, event.id)?.order.status).toBe("pending_payment");
    });
  });

  it("hands out copies: a caller changing a row does not change the next read", async () => {
    const { co, event } = await checkedOut("A-1-2");
    await inStore(event.id, (s) => {
      const row = s.book.order(co.orderId)!;
      row.status = "paid";
      s.book.payments(co.orderId)[0]!.status = "succeeded";
      expect(s.book.order(co.orderId)?.status).toBe("pending_payment");
      expect(s.book.payments(co.orderId)[0]?.status).toBe("pending");
    });
  });

  it("keeps only the most recently used orders", () => {
    const cache = new OrderCache(2);
    for (const id of ["a", "b"]) cache.created(order(id));
    cache.committed();
    cache.get("a"); // a is used again, so b is now the oldest
    cache.created(order("c"));
    expect(["a", "b", "c"].map((id) => cache.get(id) !== undefined)).toEqual([true, false, true]);
  });

  it("keeps an order's rows in its query's order, as SQLite's BINARY collation sorts text", async () => {
    // ASCII, a character above the surrogates (U+FF21) and one beyond the BMP (U+1F600): UTF-16
    // order puts the emoji first, SQLite (UTF-8 bytes, code points) puts it last.
    const places = ["B-2", "\u{1F600} box", "A-10", "\uFF21 gallery", "A-9", "a-1"];
    const sorted = await runInDurableObject(env.EVENT_INVENTORY.getByName("collation-probe"), (_i, state) => {
      state.storage.sql.exec(`CREATE TABLE IF NOT EXISTS probe (place TEXT NOT NULL)`);
      for (const p of places) state.storage.sql.exec(`INSERT INTO probe (place) VALUES (?)`, p);
      return state.storage.sql
        .exec<{ place: string }>(`SELECT place FROM probe ORDER BY place`)
        .toArray()
        .map((r) => r.place);
    });
    expect([...places].sort(codePointCompare)).toEqual(sorted);
    expect([...places].sort()).not.toEqual(sorted);
  });
});
