import { attemptKey } from "../../domain/payment-decision";
import { newOrderId } from "../../domain/order-ids";
import type { PaymentProvider } from "../../db/schema/constants";
import type { HoldChanges } from "./hold-changes";
import type { HoldMaker } from "./hold-create";
import { orderOut, type OrderSql } from "./order-rows";
import { fail, problem } from "./rows";
import type { InventoryStore } from "./store";
import type { CancelTarget, CheckoutOpen, HoldRequest } from "../inventory-types";

export type OpenCheckoutInput = { holdId: string; userId: string; email: string; provider: PaymentProvider };
export type OpenRetryInput = {
  orderId: string;
  userId: string;
  provider: PaymentProvider;
  admission?: { ticket: string; expiresAt: number };
};

/**
 * Checkout inside the event's object: the hold becomes an order with its lines and a payment
 * attempt in one transaction with the seats, so two checkouts of one hold meet here and end as
 * one order. The Worker asks the provider for the intent between `open` and `recordIntent`.
 */
export class OrderDesk {
  constructor(
    private readonly s: InventoryStore,
    private readonly holds: HoldMaker,
    private readonly changes: HoldChanges,
  ) {}

  /**
   * Turns the caller's live hold into an order awaiting payment (or finds the one it already
   * is), moves the hold to `checking_out` and opens attempt 1. Repeating it changes nothing.
   */
  open(input: OpenCheckoutInput, now: number): CheckoutOpen {
    return this.s.tx((): CheckoutOpen => {
      const h = this.s.getHoldRow(input.holdId);
      if (!h || h.user_id !== input.userId) return fail("not_found", "no such hold");
      const existing = this.s.book.orderOfHold(h);
      if (existing && existing.status !== "pending_payment")
        return problem("order_not_payable", `The order for this hold is ${existing.status}`, { orderId: existing.id });
      const view = this.s.toView(h, now);
      if (!existing && view.status !== "active" && view.status !== "checking_out")
        return problem("hold_not_active", `The hold is ${view.status}`);
      const orderId = existing?.id ?? newOrderId(this.s.eventId(), now);
      const begun = this.changes.beginCheckout(h.id, input.userId, orderId, now, h);
      if (!begun.ok) return begun;
      let order = existing;
      if (!order) {
        const amount = view.lines.reduce((n, l) => n + l.price * l.quantity, 0);
        order = this.s.book.insert("orders", {
          id: orderId,
          seq: this.s.book.nextSeq(),
          user_id: input.userId,
          email: input.email,
          hold_id: h.id,
          status: "pending_payment",
          amount,
          currency: h.currency,
          payment_attempt: 1,
          hold_expires_at: begun.expiresAt,
          created_at: now,
          updated_at: now,
          version: 0,
        }) as OrderSql;
        this.s.book.insertAll(
          "order_lines",
          view.lines.map((l) => ({
            id: crypto.randomUUID(),
            order_id: orderId,
            seat_id: l.seatId,
            area_id: l.areaId,
            tier: l.tier,
            price: l.price,
            quantity: l.quantity,
          })),
        );
      }
      // A new order has no attempt yet; an existing one may (a repeated checkout).
      return this.attemptOpened(order, input.provider, begun.expiresAt, now, !existing);
    });
  }

  /**
   * "Try another card" after a decline: the order's same seats (or GA places) are held again
   * under a new hold, by the rules of a new hold (cap, sales window, waiting room), and a new
   * attempt opens. The previous attempt's intent must have been cancelled first.
   */
  openRetry(input: OpenRetryInput, now: number): CheckoutOpen {
    return this.s.tx((): CheckoutOpen => {
      const o = this.s.book.order(input.orderId);
      if (!o || o.user_id !== input.userId) return fail("not_found", "no such order");
      if (o.status !== "failed")
        return problem("order_not_payable", `Only a failed order can be paid again; this one is ${o.status}`);
      const previous = this.s.book.currentCharge(o.id);
      if (previous?.provider_ref && previous.status !== "canceled")
        return problem("request_in_progress", "The earlier payment attempt is still being closed; retry shortly");
      const lines = this.s.book.lines(o.id);
      const area = lines.find((l) => l.area_id);
      const request: HoldRequest = area
        ? { area: area.area_id!, quantity: area.quantity }
        : { seats: lines.flatMap((l) => (l.seat_id ? [l.seat_id] : [])) };
      const held = this.holds.hold(
        { userId: input.userId, request, orderId: o.id, ...(input.admission ? { admission: input.admission } : {}) },
        now,
      );
      if (!held.ok) return held;
      const begun = this.changes.beginCheckout(held.holdId, input.userId, o.id, now);
      if (!begun.ok) return begun;
      this.s.book.update("orders", o.id, {
        status: "pending_payment",
        hold_id: held.holdId,
        payment_attempt: o.payment_attempt + 1,
        hold_expires_at: begun.expiresAt,
        updated_at: now,
        closed_at: null,
      });
      return this.attemptOpened(this.s.book.order(o.id)!, input.provider, begun.expiresAt, now);
    });
  }

  /** The charge row of the order's current attempt, created on first use. */
  private attemptOpened(
    o: OrderSql,
    provider: PaymentProvider,
    expiresAt: number,
    now: number,
    fresh = false,
  ): CheckoutOpen {
    const key = attemptKey(o.id, o.payment_attempt);
    const charge = fresh ? undefined : this.s.book.chargeByKey(key);
    if (!charge) {
      this.s.book.insert("payments", {
        id: crypto.randomUUID(),
        seq: this.s.book.nextSeq(),
        order_id: o.id,
        kind: "charge",
        provider,
        idempotency_key: key,
        amount: o.amount,
        currency: o.currency,
        status: "pending",
        attempts: 0,
        hold_id: o.hold_id,
        created_at: now,
        updated_at: now,
        version: 0,
      });
    }
    return {
      ok: true,
      order: orderOut(o, this.s.eventId()),
      attempt: o.payment_attempt,
      key,
      // A new attempt has no intent yet.
      reference: charge?.provider_ref ?? null,
      expiresAt,
    };
  }

  /**
   * The provider answered with the attempt's intent: it is recorded and audited. When the hold
   * was given back or lapsed meanwhile, the intent is cancelled at once (through the outbox).
   */
  recordIntent(key: string, reference: string, actorId: string, now: number): { ok: boolean } {
    return this.s.tx(() => {
      const charge = this.s.book.chargeByKey(key);
      if (!charge) return { ok: false };
      const o = this.s.book.order(charge.order_id)!;
      if (charge.provider_ref !== reference) {
        this.s.book.update("payments", charge.id, {
          provider_ref: reference,
          attempts: charge.attempts + 1,
          last_error: null,
          updated_at: now,
        });
      }
      const attempt = Number(/_attempt_(\d+)$/.exec(key)?.[1] ?? 1);
      this.s.enqueue("audit", {
        id: `audit:checkout:${o.id}:${attempt}`,
        action: "order.checkout",
        actorId,
        eventId: this.s.eventId(),
        orderId: o.id,
        data: { amount: o.amount, currency: o.currency, provider: charge.provider, reference, attempt },
        at: now,
      });
      const live = o.status === "pending_payment" && o.hold_id === charge.hold_id;
      if (!live && charge.status === "pending") {
        this.s.enqueue("payments", { type: "cancel_payment", orderId: o.id, holdId: charge.hold_id ?? undefined });
      }
      return { ok: true };
    });
  }

  /** The provider refused the attempt outright: the order fails and its seats go back at once. */
  refuse(key: string, reason: string, now: number): void {
    this.s.tx(() => {
      const charge = this.s.book.chargeByKey(key);
      if (!charge) return;
      this.s.book.update("payments", charge.id, { status: "failed", last_error: reason, updated_at: now });
      const o = this.s.book.order(charge.order_id);
      if (o?.status !== "pending_payment" || o.hold_id !== charge.hold_id) return;
      this.changes.abandon(o.hold_id, now);
      this.s.book.update("orders", o.id, { status: "failed", updated_at: now, closed_at: now });
    });
  }

  /**
   * The charge a cancel names: the attempt that paid for `holdId`, or the order's current one.
   * Null when the order has none (nothing to cancel).
   */
  cancelTarget(orderId: string, holdId: string | undefined): CancelTarget | null {
    const charge = holdId
      ? this.s.sql
          .exec<{ id: string }>(
            `SELECT id FROM payments WHERE order_id = ? AND kind = 'charge' AND hold_id = ? ORDER BY seq DESC LIMIT 1`,
            orderId,
            holdId,
          )
          .toArray()[0]
      : this.s.book.currentCharge(orderId);
    const row = charge && this.s.book.payment(charge.id);
    if (!row) return null;
    return { paymentId: row.id, reference: row.provider_ref, status: row.status, orderId };
  }

  /** The provider cancelled the charge's intent. */
  chargeCanceled(paymentId: string, now: number): void {
    this.s.tx(() => {
      const row = this.s.book.payment(paymentId);
      if (row && row.status !== "succeeded" && row.status !== "canceled")
        this.s.book.update("payments", paymentId, { status: "canceled", updated_at: now });
    });
  }
}
