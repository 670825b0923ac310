import { revoke } from "./admission";
import { type HoldRow, Pending, fail } from "./rows";
import type { InventoryStore } from "./store";
import type { GetHoldResult, HoldChangeResult } from "../inventory-types";

/** What happens to an existing hold: read, release, checkout, sale, and release after a failed payment. */
export class HoldChanges {
  constructor(private readonly s: InventoryStore) {}

  /** Reads a hold. A live hold past its deadline reads as `expired` even before the alarm runs. */
  getHold(holdId: string, now: number): GetHoldResult {
    const h = this.s.getHoldRow(holdId);
    if (!h) return fail("not_found", `no hold "${holdId}"`);
    return { ok: true, hold: this.s.toView(h, now) };
  }

  /** The owner gives a live hold back. `not_owner` for anyone else. */
  release(holdId: string, userId: string, now: number): HoldChangeResult {
    return this.changeHold(now, (p) => {
      const h = this.s.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.user_id !== userId) r = fail("not_owner", "the hold belongs to another user");
      else if (h.status !== "active" && h.status !== "checking_out") r = fail("invalid_state", `hold is ${h.status}`);
      else {
        this.s.releaseRow(h, "released", p, "owner");
        r = { ok: true, holdId, status: "released", expiresAt: h.deadline, version: 0 };
      }
      return r;
    });
  }

  /**
   * Moves an active hold to `checking_out` and extends its deadline once by the payment window.
   * Repeating it is harmless and does not extend again. With `orderId`, a lapse of the hold
   * queues the cancellation of that order's payment.
   */
  beginCheckout(
    holdId: string,
    userId: string,
    orderId: string | undefined,
    now: number,
    known?: HoldRow,
  ): HoldChangeResult {
    const config = this.s.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    return this.changeHold(now, (p) => {
      // The caller's row of this hold, read in this transaction, holds while nothing expired since.
      const h = known?.id === holdId && p.empty ? known : this.s.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.user_id !== userId) r = fail("not_owner", "the hold belongs to another user");
      else if (h.status === "checking_out")
        r = { ok: true, holdId, status: h.status, expiresAt: h.deadline, version: 0 };
      else if (h.status !== "active") r = fail("invalid_state", `hold is ${h.status}`);
      else {
        const deadline = h.extended ? h.deadline : h.deadline + config.paymentWindowSeconds * 1000;
        this.s.sql.exec(
          `UPDATE holds SET status = 'checking_out', deadline = ?, extended = 1, order_id = COALESCE(?, order_id)
           WHERE id = ?`,
          deadline,
          orderId ?? null,
          holdId,
        );
        this.s.auditHold("hold.checkout", { ...h, order_id: orderId ?? h.order_id }, { expiresAt: deadline });
        r = { ok: true, holdId, status: "checking_out", expiresAt: deadline, version: 0 };
      }
      return r;
    });
  }

  /**
   * Payment succeeded: the hold's seats (or GA places) become sold. Idempotent for the same
   * orderId; a hold already released or expired answers `invalid_state` (use `reacquire`).
   */
  confirm(holdId: string, orderId: string, now: number): HoldChangeResult {
    return this.changeHold(now, (p) => {
      const h = this.s.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.status === "confirmed") {
        r =
          h.order_id === orderId
            ? { ok: true, holdId, status: "confirmed", expiresAt: h.deadline, version: 0 }
            : fail("invalid_state", "hold was confirmed for another order");
      } else if (h.status !== "active" && h.status !== "checking_out") r = fail("invalid_state", `hold is ${h.status}`);
      else {
        if (h.kind === "seats") {
          const sold = this.s.sql.exec<{ id: string }>(
            `UPDATE seats SET status = 'sold' WHERE hold_id = ? AND status = 'held' RETURNING id`,
            holdId,
          );
          for (const { id } of sold) p.seat(id, "sold");
        } else if (h.area_id) {
          this.s.sql.exec(
            `UPDATE areas SET held = MAX(0, held - ?), sold = sold + ? WHERE id = ?`,
            h.quantity,
            h.quantity,
            h.area_id,
          );
          p.areas[h.area_id] = this.s.areaRemaining(h.area_id);
        }
        this.s.sql.exec(`UPDATE holds SET status = 'confirmed', order_id = ? WHERE id = ?`, orderId, holdId);
        // The purchase spends the shopping slot: its token stops working in this same transaction.
        if (h.admission_ticket) revoke(this.s.sql, h.admission_ticket, h.admission_exp ?? now, now);
        this.s.auditHold("hold.confirmed", { ...h, order_id: orderId });
        r = { ok: true, holdId, status: "confirmed", expiresAt: h.deadline, version: 0 };
      }
      return r;
    });
  }

  /** Payment failed or was cancelled: release the hold at once, whoever asks. */
  abandon(holdId: string, now: number): HoldChangeResult {
    return this.changeHold(now, (p) => {
      const h = this.s.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.status === "released" || h.status === "expired")
        r = { ok: true, holdId, status: h.status, expiresAt: h.deadline, version: 0 };
      else if (h.status === "confirmed") r = fail("invalid_state", "hold is confirmed");
      else {
        this.s.releaseRow(h, "released", p, "payment");
        r = { ok: true, holdId, status: "released", expiresAt: h.deadline, version: 0 };
      }
      return r;
    });
  }

  /**
   * The shape every hold-state change shares: expire what is due, decide and write in one
   * synchronous transaction (no await inside, so no other call interleaves), stamp the new
   * version on success, then re-arm the alarm.
   */
  private changeHold(now: number, decide: (p: Pending) => HoldChangeResult): HoldChangeResult {
    const result = this.s.tx((): HoldChangeResult => {
      const p = new Pending();
      this.s.expireDue(now, p);
      const r = decide(p);
      const v = this.s.commit(p);
      return r.ok ? { ...r, version: v } : r;
    });
    return result;
  }
}
