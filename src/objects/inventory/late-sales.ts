import { orderAdmission, revoke } from "./admission";
import { Pending, type AreaRow, type HoldRow, type SeatRow, fail, saleProblem } from "./rows";
import { type InventoryStore, seatIdsJson } from "./store";
import type {
  InventoryConfig,
  InventoryFailure,
  ReacquireInput,
  ReacquireResult,
  ReturnInput,
  ReturnResult,
} from "../inventory-types";

/**
 * Seats after the fact: a payment that lands after its hold lapsed re-acquires the same seats
 * under the rules of a new hold, and a refund gives sold seats back to sale, once per refund.
 */
export class LateSales {
  constructor(private readonly s: InventoryStore) {}

  /**
   * A payment that succeeded after its hold expired: sell the same seats (or GA places) if they
   * are all still available, else `seats_unavailable` with conflicts (or `sold_out` for GA).
   * Idempotent for the same orderId.
   */
  reacquire(input: ReacquireInput, orderId: string, userId: string, now: number): ReacquireResult {
    const config = this.s.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    const result = this.s.tx((): ReacquireResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      const done = (r: ReacquireResult): ReacquireResult => {
        const v = this.s.commit(p);
        return r.ok ? { ...r, version: v } : r;
      };
      const prior = this.s.sql
        .exec<HoldRow>(`SELECT * FROM holds WHERE order_id = ? AND status = 'confirmed'`, orderId)
        .toArray()[0];
      if (prior) {
        const ids = this.s.holdSeatIds(prior.id);
        const seats = [...this.s.loadSeats(ids).values()].map((s) => ({
          id: s.id,
          tier: s.tier ?? "",
          price: s.price,
        }));
        const r: ReacquireResult = {
          ok: true,
          holdId: prior.id,
          seats,
          amount: prior.amount,
          currency: prior.currency,
          version: 0,
        };
        if (prior.area_id) r.area = { id: prior.area_id, quantity: prior.quantity };
        return done(r);
      }
      const refused = this.reacquireProblem(config, orderId, userId, input, now);
      if (refused) return done(refused);
      // A late purchase spends the shopping slot it was checked out under, as a sale on time does.
      const spend = () => {
        const a = orderAdmission(this.s.sql, orderId);
        if (a) revoke(this.s.sql, a.ticket, a.expiresAt, now);
      };
      const holdId = crypto.randomUUID();
      if (input.area) {
        const area = this.s.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, input.area.id).toArray()[0];
        if (!area) return done(fail("not_found", `no area "${input.area.id}"`));
        const q = input.area.quantity;
        const remaining = area.capacity - area.held - area.sold;
        if (remaining < q) return done(fail("sold_out", `only ${remaining} left in "${area.id}"`));
        this.s.sql.exec(`UPDATE areas SET sold = sold + ? WHERE id = ?`, q, area.id);
        const amount = area.price * q;
        this.s.sql.exec(
          `INSERT INTO holds (id, user_id, status, kind, area_id, quantity, amount, currency, deadline,
             order_id, created_at)
           VALUES (?, ?, 'confirmed', 'area', ?, ?, ?, ?, ?, ?, ?)`,
          holdId,
          userId,
          area.id,
          q,
          amount,
          config.currency,
          now,
          orderId,
          now,
        );
        this.s.auditHold(
          "hold.reacquired",
          {
            id: holdId,
            user_id: userId,
            kind: "area",
            area_id: area.id,
            quantity: q,
            ip_hash: null,
            order_id: orderId,
          },
          { amount },
        );
        p.areas[area.id] = remaining - q;
        spend();
        return done({
          ok: true,
          holdId,
          seats: [],
          area: { id: area.id, quantity: q },
          amount,
          currency: config.currency,
          version: 0,
        });
      }
      const ids = [...new Set(input.seats ?? [])];
      if (!ids.length) return done(fail("invalid_state", "nothing to reacquire"));
      const found = this.s.loadSeats(ids);
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length)
        return done(fail("unknown_seats", `${unknown.length} seat id(s) are not in this event`, unknown));
      const conflicts = ids.filter((id) => found.get(id)!.status !== "available");
      if (conflicts.length)
        return done(fail("seats_unavailable", `${conflicts.length} seat(s) are no longer available`, conflicts));
      const seats = ids.map((id) => ({ id, tier: found.get(id)!.tier ?? "", price: found.get(id)!.price }));
      const amount = seats.reduce((n, s) => n + s.price, 0);
      this.s.sql.exec(
        `INSERT INTO holds (id, user_id, status, kind, quantity, amount, currency, deadline, order_id, created_at,
           seat_ids)
         VALUES (?, ?, 'confirmed', 'seats', ?, ?, ?, ?, ?, ?, ?)`,
        holdId,
        userId,
        ids.length,
        amount,
        config.currency,
        now,
        orderId,
        now,
        seatIdsJson(ids),
      );
      this.s.auditHold(
        "hold.reacquired",
        {
          id: holdId,
          user_id: userId,
          kind: "seats",
          area_id: null,
          quantity: ids.length,
          ip_hash: null,
          order_id: orderId,
        },
        { seats: ids, amount },
      );
      this.s.attachSeats(holdId, ids, "sold", p);
      spend();
      return done({ ok: true, holdId, seats, amount, currency: config.currency, version: 0 });
    });
    return result;
  }

  /**
   * A late payment gets seats back only under the rules of a new hold, and never seats its fan
   * gave back on purpose: the sales window, the waiting room (no admission can be shown here, so
   * an on-sale behind the room refunds instead) and the per-user cap. Null when it may proceed.
   */
  private reacquireProblem(
    config: InventoryConfig,
    orderId: string,
    userId: string,
    input: ReacquireInput,
    now: number,
  ): InventoryFailure | null {
    const released = this.s.sql
      .exec(`SELECT 1 FROM holds WHERE order_id = ? AND ended_by = 'owner' LIMIT 1`, orderId)
      .toArray().length;
    if (released) return fail("invalid_state", "the fan released these seats before paying");
    // A checkout begun within an admission may still buy its seats when the payment lands late.
    const closed = saleProblem(config, orderAdmission(this.s.sql, orderId) != null, now);
    if (closed) return closed;
    const quantity = input.area ? input.area.quantity : new Set(input.seats ?? []).size;
    if (config.maxSeatsPerUser != null && this.s.userCount(userId) + quantity > config.maxSeatsPerUser) {
      return fail("limit_exceeded", `at most ${config.maxSeatsPerUser} per user for this event`);
    }
    return null;
  }

  /**
   * A refund gives sold seats (or GA places) of `orderId` back to sale. Only seats this order
   * bought are touched, and each `refundId` applies once, so a retried refund is harmless.
   */
  returnToSale(input: ReturnInput, now: number): ReturnResult {
    const result = this.s.tx((): ReturnResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      if (this.s.sql.exec(`SELECT 1 FROM returns WHERE id = ?`, input.refundId).toArray().length) {
        return { ok: true, returned: [], areaPlaces: 0, version: this.s.commit(p) };
      }
      const holds = this.s.sql
        .exec<HoldRow>(`SELECT * FROM holds WHERE order_id = ? AND status = 'confirmed'`, input.orderId)
        .toArray();
      if (!holds.length) {
        this.s.commit(p);
        return fail("not_found", `no confirmed sale for order "${input.orderId}"`);
      }
      const returned: string[] = [];
      // What each of the order's holds gave back, for its audit entry.
      const back = new Map<string, { seats: string[]; places: number }>();
      for (const id of new Set(input.seats ?? [])) {
        const s = this.s.sql.exec<SeatRow>(`SELECT * FROM seats WHERE id = ?`, id).toArray()[0];
        const owner = s && holds.find((h) => h.id === s.hold_id);
        if (s?.status !== "sold" || !owner) continue;
        this.s.sql.exec(`UPDATE seats SET status = 'available', hold_id = NULL WHERE id = ?`, id);
        this.s.sql.exec(`UPDATE holds SET returned = returned + 1 WHERE id = ?`, owner.id);
        p.seat(id, "available");
        returned.push(id);
        const b = back.get(owner.id) ?? { seats: [], places: 0 };
        b.seats.push(id);
        back.set(owner.id, b);
      }
      let areaPlaces = 0;
      if (input.area) {
        const owner = holds.find((h) => h.area_id === input.area!.id);
        if (owner) {
          areaPlaces = Math.min(input.area.quantity, owner.quantity - owner.returned);
          this.s.sql.exec(`UPDATE areas SET sold = MAX(0, sold - ?) WHERE id = ?`, areaPlaces, owner.area_id);
          this.s.sql.exec(`UPDATE holds SET returned = returned + ? WHERE id = ?`, areaPlaces, owner.id);
          p.areas[input.area.id] = this.s.areaRemaining(input.area.id);
          const b = back.get(owner.id) ?? { seats: [], places: 0 };
          b.places += areaPlaces;
          back.set(owner.id, b);
        }
      }
      for (const [holdId, b] of back) {
        const h = holds.find((x) => x.id === holdId)!;
        this.s.auditHold(
          "hold.returned",
          h,
          { refundId: input.refundId, seats: b.seats, areaPlaces: b.places },
          `returned:${input.refundId}`,
        );
      }
      this.s.sql.exec(
        `INSERT INTO returns (id, order_id, created_at) VALUES (?, ?, ?)`,
        input.refundId,
        input.orderId,
        now,
      );
      return { ok: true, returned, areaPlaces, version: this.s.commit(p) };
    });
    return result;
  }
}
