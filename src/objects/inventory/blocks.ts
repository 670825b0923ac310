import { MAX_PARAMS, Pending, chunks, fail } from "./rows";
import type { InventoryStore } from "./store";
import type { BlockResult, SeatStatus } from "../inventory-types";

/** Seats the organizer holds back from sale, and gives back. */
export class SeatBlocks {
  constructor(private readonly s: InventoryStore) {}

  setBlocked(seatIds: string[], block: boolean, now: number): BlockResult {
    const result = this.s.tx((): BlockResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      const ids = [...new Set(seatIds)];
      const found = this.s.loadSeats(ids);
      const done = (r: BlockResult): BlockResult => {
        const v = this.s.commit(p);
        return r.ok ? { ...r, version: v } : r;
      };
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length)
        return done(fail("unknown_seats", `${unknown.length} seat id(s) are not in this event`, unknown));
      const from: SeatStatus = block ? "available" : "blocked";
      const to: SeatStatus = block ? "blocked" : "available";
      if (block) {
        const conflicts = ids.filter((id) => {
          const s = found.get(id)!.status;
          return s === "held" || s === "sold";
        });
        if (conflicts.length)
          return done(fail("seats_unavailable", `${conflicts.length} seat(s) are held or sold`, conflicts));
      }
      const changed = ids.filter((id) => found.get(id)!.status === from);
      for (const part of chunks(changed, MAX_PARAMS)) {
        this.s.sql.exec(`UPDATE seats SET status = '${to}' WHERE id IN (${part.map(() => "?").join(",")})`, ...part);
      }
      for (const id of changed) p.seat(id, to);
      return done({ ok: true, changed, version: 0 });
    });
    return result;
  }
}
