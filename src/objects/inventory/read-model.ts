import { CODE, LIVE, type AreaRow, type HoldRow } from "./rows";
import type { InventoryStore } from "./store";
import type {
  Change,
  ChangesResult,
  HoldView,
  InventoryCounts,
  SeatCode,
  SeatStatus,
  Snapshot,
} from "../inventory-types";

/** What readers see: the compact seat map, the deltas since a version, and the counts. */
export class ReadModel {
  constructor(private readonly s: InventoryStore) {}

  /** The whole map, compact: one SELECT over the seats (the shell releases expired holds first). */
  snapshot(): Snapshot {
    const seats: Record<string, SeatCode> = {};
    for (const r of this.s.sql.exec<{ id: string; status: SeatStatus }>(`SELECT id, status FROM seats`))
      seats[r.id] = CODE[r.status];
    const areas: Record<string, number> = {};
    for (const a of this.s.sql.exec<AreaRow>(`SELECT * FROM areas`)) areas[a.id] = a.capacity - a.held - a.sold;
    return { version: this.s.version(), seats, areas };
  }

  /** Deltas after `version`, or `{resync: true}` when the log no longer reaches back that far. */
  changesSince(version: number): ChangesResult {
    const current = this.s.version();
    if (version >= current) return { version: current, changes: [] };
    const min = this.s.sql.exec<{ v: number | null }>(`SELECT MIN(version) AS v FROM changes`).one().v;
    if (min == null || min > version + 1) return { resync: true, version: current };
    const changes = this.s.sql
      .exec<{ json: string }>(`SELECT json FROM changes WHERE version > ? ORDER BY version`, version)
      .toArray()
      .map((r) => JSON.parse(r.json) as Change);
    return { version: current, changes };
  }

  /** Counts per tier and state, plus every GA area. */
  inventory(): InventoryCounts {
    const tiers: InventoryCounts["tiers"] = {};
    for (const r of this.s.sql.exec<{ tier: string | null; status: SeatStatus; n: number }>(
      `SELECT tier, status, COUNT(*) AS n FROM seats GROUP BY tier, status`,
    )) {
      const key = r.tier ?? "";
      let t = tiers[key];
      if (!t) {
        t = { available: 0, held: 0, sold: 0, blocked: 0 };
        tiers[key] = t;
      }
      t[r.status] = r.n;
    }
    const areas = this.s.sql
      .exec<AreaRow>(`SELECT * FROM areas ORDER BY id`)
      .toArray()
      .map((a) => ({
        id: a.id,
        tier: a.tier,
        price: a.price,
        capacity: a.capacity,
        held: a.held,
        sold: a.sold,
        remaining: a.capacity - a.held - a.sold,
      }));
    return { version: this.s.version(), tiers, areas };
  }

  /**
   * One user's live holds (active or checking out, deadline still ahead), newest first: what a fan
   * can resume from any tab or device. A hold past its deadline is left out even before the alarm.
   */
  liveHoldsOf(userId: string, now: number): HoldView[] {
    return this.s.sql
      .exec<HoldRow>(
        `SELECT * FROM holds WHERE user_id = ? AND status IN ${LIVE} AND deadline > ? ORDER BY created_at DESC`,
        userId,
        now,
      )
      .toArray()
      .map((h) => this.s.toView(h, now));
  }
}
