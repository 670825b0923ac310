import { allSeats } from "../../domain/layout";
import { resolveSeatTiers } from "../../domain/pricing";
import { repriceInventory } from "./pricing";
import { MAX_PARAMS, Pending, chunks, fail } from "./rows";
import type { InventoryStore } from "./store";
import type {
  InitializeInput,
  InitializeResult,
  InventoryConfig,
  InventoryConfigInput,
  RepriceInput,
  RepriceResult,
} from "../inventory-types";

/** The event's layout, prices and rules, as the organizer publishes and edits them. */
export class InventoryLoader {
  constructor(private readonly s: InventoryStore) {}

  /**
   * Loads the layout and prices. Idempotent: may be repeated (e.g. after a layout edit) as long
   * as nothing is held or sold; otherwise `in_use`.
   */
  initialize(input: InitializeInput): InitializeResult {
    const now = Date.now();
    const { layout, tiers, eventId } = input;
    const res = resolveSeatTiers(layout, tiers);
    const price = new Map(tiers.map((t) => [t.key, t.amount]));
    const config: InventoryConfig = {
      eventId,
      holdSeconds: input.config.holdSeconds,
      paymentWindowSeconds: input.config.paymentWindowSeconds ?? 600,
      maxSeatsPerOrder: input.config.maxSeatsPerOrder,
      maxSeatsPerUser: input.config.maxSeatsPerUser ?? null,
      currency: input.config.currency,
      ...(input.config.sale ? { sale: input.config.sale } : {}),
    };
    const result = this.s.tx((): InitializeResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      const busy = this.s.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM holds WHERE status IN ('active','checking_out','confirmed')`)
        .one().n;
      const sold = this.s.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM seats WHERE status IN ('held','sold')`)
        .one().n;
      const areaBusy = this.s.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM areas WHERE held > 0 OR sold > 0`)
        .one().n;
      if (busy + sold + areaBusy > 0) {
        this.s.commit(p);
        return fail("in_use", "seats are held or sold; the inventory cannot be reloaded");
      }
      this.s.sql.exec(`DELETE FROM seats`);
      this.s.sql.exec(`DELETE FROM areas`);
      this.s.sql.exec(`DELETE FROM hold_seats`);
      this.s.sql.exec(`DELETE FROM holds`);
      this.s.sql.exec(`DELETE FROM changes`);
      const cols = 10;
      const perStmt = Math.floor(MAX_PARAMS / cols);
      const rows: unknown[][] = [];
      let pos = 0;
      for (const { seat, section, row, rowIndex } of allSeats(layout)) {
        const tier = res.seatTier.get(seat.id) ?? null;
        rows.push([
          seat.id,
          section.id,
          row.label,
          rowIndex,
          pos++,
          tier,
          tier ? (price.get(tier) ?? 0) : 0,
          seat.accessible ? 1 : 0,
          seat.aisleAfter ? 1 : 0,
          "available",
        ]);
      }
      for (const part of chunks(rows, perStmt)) {
        const q =
          "INSERT INTO seats (id, section, row_label, row_index, pos, tier, price, accessible, aisle_after, status) " +
          `VALUES ${part.map(() => "(?,?,?,?,?,?,?,?,?,?)").join(",")}`;
        this.s.sql.exec(q, ...(part.flat() as SqlStorageValue[]));
      }
      for (const a of layout.areas) {
        const tier = res.areaTier.get(a.id) ?? null;
        this.s.sql.exec(
          `INSERT INTO areas (id, tier, price, capacity) VALUES (?, ?, ?, ?)`,
          a.id,
          tier,
          tier ? (price.get(tier) ?? 0) : 0,
          a.capacity,
        );
      }
      this.s.saveConfig(config);
      // A reload invalidates every delta: bump the version with an empty log so clients resync.
      const v = this.s.version() + 1;
      this.s.writeVersion(v);
      return {
        ok: true,
        seats: rows.length,
        areas: layout.areas.length,
        unpricedSeats: res.unpricedSeats,
        unpricedAreas: res.unpricedAreas,
        version: v,
      };
    });
    return result;
  }

  /**
   * New hold time and limits from an organizer's edit; they apply to holds made from now on
   * (existing holds keep their deadlines). The payment window is kept unless given.
   */
  configure(input: InventoryConfigInput): { ok: boolean } {
    const current = this.s.config();
    if (!current) return { ok: false };
    const next: InventoryConfig = {
      ...current,
      holdSeconds: input.holdSeconds,
      maxSeatsPerOrder: input.maxSeatsPerOrder,
      maxSeatsPerUser: input.maxSeatsPerUser ?? null,
      paymentWindowSeconds: input.paymentWindowSeconds ?? current.paymentWindowSeconds,
      ...(input.sale ? { sale: input.sale } : {}),
    };
    this.s.saveConfig(next);
    return { ok: true };
  }

  /**
   * New tier prices (and keys) for a published event: seats, areas and active holds take them in
   * one transaction, so a hold and its checkout charge what the event page shows. `in_use` once
   * anything has sold. Repeating it is harmless. The seat map carries no prices, so no version bump.
   */
  reprice(input: RepriceInput, now: number): RepriceResult {
    if (!this.s.config()) return fail("not_found", "inventory is not initialized");
    const result = this.s.tx((): RepriceResult => {
      const p = new Pending();
      // Holds past their deadline are released first, so they are not re-priced as if still active.
      this.s.expireDue(now, p);
      const r = repriceInventory(this.s.sql, input.layout, input.tiers);
      this.s.commit(p);
      return r;
    });
    return result;
  }
}
