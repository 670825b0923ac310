import { pickBestAvailable, type PickRow } from "../../domain/best-available";
import { isRevoked, liveOrderAdmission, tagHold, type Admission } from "./admission";
import { Pending, type AreaRow, type SeatRow, fail, saleProblem } from "./rows";
import { type InventoryStore, seatIdsJson } from "./store";
import type { HeldSeat, HoldInput, HoldResult } from "../inventory-types";

/** New holds: explicit seats, a best-available pick in a tier, or a GA quantity, all or nothing. */
export class HoldMaker {
  constructor(private readonly s: InventoryStore) {}

  /**
   * Holds explicit seats, a best-available pick in a tier, or a GA quantity, all or nothing.
   * Failures: `seats_unavailable` (with conflicts), `unknown_seats`, `sold_out`, `limit_exceeded`.
   */
  hold(input: HoldInput, now: number): HoldResult {
    const config = this.s.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    const { userId, request } = input;
    const ipHash = input.ipHash ?? null;
    // A signature cannot say that the fan has left the queue or spent the slot: revocations
    // live here, so the hold path asks no one else.
    if (input.admission && isRevoked(this.s.sql, input.admission.ticket))
      return fail("admission_revoked", "The admission token was given back or used up; join the queue again");
    const admission: Admission | null =
      input.admission ?? (input.orderId ? liveOrderAdmission(this.s.sql, input.orderId, now) : null);
    // The object knows its sales window and waiting-room switch, so the hold path reads no D1.
    const closed = saleProblem(config, admission != null || (input.admitted ?? false), now);
    if (closed) return closed;
    // Expiry, check and write all happen in this ONE synchronous transaction with no await in
    // between: this is what makes two fans unable to win the same seat.
    const result = this.s.tx((): HoldResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      const done = (r: HoldResult): HoldResult => {
        const v = this.s.commit(p);
        return r.ok ? { ...r, version: v } : r;
      };
      const quantity = "seats" in request ? new Set(request.seats).size : request.quantity;
      if (!Number.isInteger(quantity) || quantity < 1)
        return done(fail("invalid_state", "quantity must be a positive integer"));
      if (quantity > config.maxSeatsPerOrder)
        return done(fail("limit_exceeded", `at most ${config.maxSeatsPerOrder} per order`));
      if (config.maxSeatsPerUser != null && this.s.userCount(userId) + quantity > config.maxSeatsPerUser) {
        return done(fail("limit_exceeded", `at most ${config.maxSeatsPerUser} per user for this event`));
      }
      const holdId = crypto.randomUUID();
      const deadline = now + config.holdSeconds * 1000;

      if ("area" in request) {
        const area = this.s.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, request.area).toArray()[0];
        if (!area) return done(fail("not_found", `no area "${request.area}"`));
        const remaining = area.capacity - area.held - area.sold;
        if (remaining < quantity) return done(fail("sold_out", `only ${remaining} left in "${area.id}"`));
        this.s.sql.exec(`UPDATE areas SET held = held + ? WHERE id = ?`, quantity, area.id);
        const amount = area.price * quantity;
        this.s.sql.exec(
          `INSERT INTO holds (id, user_id, status, kind, area_id, quantity, amount, currency, deadline,
             created_at, ip_hash)
           VALUES (?, ?, 'active', 'area', ?, ?, ?, ?, ?, ?, ?)`,
          holdId,
          userId,
          area.id,
          quantity,
          amount,
          config.currency,
          deadline,
          now,
          ipHash,
        );
        this.s.lowerDeadlineFloor(deadline);
        if (admission) tagHold(this.s.sql, holdId, admission);
        this.s.auditHold(
          "hold.created",
          { id: holdId, user_id: userId, kind: "area", area_id: area.id, quantity, ip_hash: ipHash, order_id: null },
          { amount, expiresAt: deadline },
        );
        p.areas[area.id] = remaining - quantity;
        return done({
          ok: true,
          holdId,
          seats: [],
          area: { id: area.id, quantity },
          amount,
          currency: config.currency,
          expiresAt: deadline,
          version: 0,
        });
      }

      let ids: string[];
      if ("seats" in request) {
        ids = [...new Set(request.seats)];
      } else {
        const picked = this.pickTierSeats(
          request.tier,
          quantity,
          request.accessible ?? false,
          request.allowSplit ?? false,
        );
        if (!picked) return done(fail("sold_out", `no ${quantity} seat(s) available in tier "${request.tier}"`));
        ids = picked;
      }
      const found = this.s.loadSeatStates(ids);
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length)
        return done(fail("unknown_seats", `${unknown.length} seat id(s) are not in this event`, unknown));
      const conflicts = ids.filter((id) => found.get(id)!.status !== "available");
      if (conflicts.length)
        return done(fail("seats_unavailable", `${conflicts.length} seat(s) are not available`, conflicts));
      const seats: HeldSeat[] = ids.map((id) => {
        const s = found.get(id)!;
        return { id, tier: s.tier ?? "", price: s.price };
      });
      const amount = seats.reduce((n, s) => n + s.price, 0);
      this.s.sql.exec(
        `INSERT INTO holds (id, user_id, status, kind, quantity, amount, currency, deadline, created_at, ip_hash,
           seat_ids)
         VALUES (?, ?, 'active', 'seats', ?, ?, ?, ?, ?, ?, ?)`,
        holdId,
        userId,
        ids.length,
        amount,
        config.currency,
        deadline,
        now,
        ipHash,
        seatIdsJson(ids),
      );
      this.s.lowerDeadlineFloor(deadline);
      if (admission) tagHold(this.s.sql, holdId, admission);
      this.s.auditHold(
        "hold.created",
        {
          id: holdId,
          user_id: userId,
          kind: "seats",
          area_id: null,
          quantity: ids.length,
          ip_hash: ipHash,
          order_id: null,
        },
        { seats: ids, amount, expiresAt: deadline },
      );
      this.s.attachSeats(holdId, ids, "held", p);
      return done({ ok: true, holdId, seats, amount, currency: config.currency, expiresAt: deadline, version: 0 });
    });
    return result;
  }

  /** Seats for a tier request, chosen by best-available over the rows that hold the tier. */
  private pickTierSeats(tier: string, quantity: number, accessible: boolean, allowSplit: boolean): string[] | null {
    const seats = this.s.sql
      .exec<SeatRow>(
        `SELECT * FROM seats
         WHERE (section, row_label) IN (SELECT DISTINCT section, row_label FROM seats WHERE tier = ?)
         ORDER BY row_index, section, pos`,
        tier,
      )
      .toArray();
    const rows = new Map<string, PickRow & { first: number; rowIndex: number }>();
    for (const s of seats) {
      const key = `${s.section}\u0000${s.row_label}`;
      let r = rows.get(key);
      if (!r) {
        r = { key, seats: [], first: s.pos, rowIndex: s.row_index };
        rows.set(key, r);
      }
      r.seats.push({
        id: s.id,
        free: s.status === "available",
        eligible: s.tier === tier && (!accessible || s.accessible === 1),
        aisleAfter: s.aisle_after === 1,
      });
    }
    const ordered = [...rows.values()]
      .sort((a, b) => a.rowIndex - b.rowIndex || a.first - b.first)
      .map((r) => ({ key: r.key, seats: r.seats }));
    return pickBestAvailable(ordered, quantity, { allowSplit });
  }
}
