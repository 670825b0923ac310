import { attemptKey } from "../../domain/payment-decision";
import type { PaymentProvider } from "../../db/schema/constants";
import type { LateSales } from "./late-sales";
import { fail, problem } from "./rows";
import type { InventoryStore } from "./store";
import type { RefundRecorded, RefundToSend } from "../inventory-types";

export type RefundReason = "fan_cancel" | "organizer" | "event_cancelled" | "unavailable";

export type RefundInput = {
  orderId: string;
  reason: RefundReason;
  actorId: string | null;
  /** Chosen tickets; all valid ones when absent. */
  ticketIds?: string[];
  /** When set, the order must be this user's (a fan cancelling their own order). */
  userId?: string;
};

type NewRefund = {
  id: string;
  orderId: string;
  provider: PaymentProvider;
  amount: number;
  currency: string;
  reason: string;
  chargeRef: string;
};

/**
 * Refunds in the event's object: tickets become `refunded` and their seats go back on sale in
 * the same transaction as the refund row, and the money goes back through the outbox (the
 * payments queue sends it, retried until it succeeds or dead-letters with an alert).
 */
export class RefundDesk {
  constructor(
    private readonly s: InventoryStore,
    private readonly late: LateSales,
  ) {}

  /** Records a refund row and queues its sending. Idempotent per refund id. */
  recordRefund(r: NewRefund, now: number): void {
    if (this.s.book.payment(r.id)) return;
    this.s.book.insert("payments", {
      id: r.id,
      seq: this.s.book.nextSeq(),
      order_id: r.orderId,
      kind: "refund",
      provider: r.provider,
      idempotency_key: `refund_${r.id}`,
      amount: r.amount,
      currency: r.currency,
      status: "pending",
      attempts: 0,
      reason: r.reason,
      charge_ref: r.chargeRef,
      created_at: now,
      updated_at: now,
      version: 0,
    });
    this.s.enqueue("payments", { type: "refund", paymentId: r.id, eventId: this.s.eventId() });
  }

  /**
   * Refunds valid tickets of a paid order (all, or the chosen ones): in one transaction the
   * tickets are refunded, the seats return to sale, the order's refunded amount moves and the
   * refund is recorded and queued. A second refund of the same tickets finds them refunded.
   */
  refundTickets(input: RefundInput, now: number): RefundRecorded {
    return this.s.tx((): RefundRecorded => {
      const o = this.s.book.order(input.orderId);
      if (!o || (input.userId && o.user_id !== input.userId)) return fail("not_found", "no such order");
      if (o.status !== "paid" && o.status !== "partially_refunded")
        return problem("refund_not_allowed", `An order that is ${o.status} cannot be refunded`);
      const all = this.s.book.tickets(o.id);
      const wanted = input.ticketIds
        ? all.filter((t) => input.ticketIds!.includes(t.id))
        : all.filter((t) => t.status === "valid");
      if (input.ticketIds && wanted.length !== new Set(input.ticketIds).size)
        return problem("unprocessable", "Some ticket ids are not part of this order");
      const blocked = wanted.filter((t) => t.status !== "valid");
      if (blocked.length) {
        return problem(
          "refund_not_allowed",
          `${blocked.length} ticket(s) are ${blocked.map((t) => t.status).join(", ")} and cannot be refunded`,
          { tickets: blocked.map((t) => t.id) },
        );
      }
      if (!wanted.length) return problem("refund_not_allowed", "The order has no valid tickets left to refund");
      const charge = this.s.book.chargeByKey(attemptKey(o.id, o.payment_attempt));
      if (charge?.status !== "succeeded" || !charge.provider_ref)
        return problem("refund_not_allowed", "The order has no settled payment to refund");

      const refundId = crypto.randomUUID();
      const amount = wanted.reduce((n, t) => n + t.price, 0);
      for (const t of wanted)
        this.s.book.update("tickets", t.id, { status: "refunded", refund_id: refundId, updated_at: now });
      const refunded = o.refunded_amount + amount;
      this.s.book.update("orders", o.id, {
        refunded_amount: refunded,
        status: refunded >= o.amount ? "refunded" : "partially_refunded",
        updated_at: now,
      });
      this.recordRefund(
        {
          id: refundId,
          orderId: o.id,
          provider: charge.provider,
          amount,
          currency: o.currency,
          reason: input.reason,
          chargeRef: charge.provider_ref,
        },
        now,
      );
      const places = wanted.filter((t) => t.area_id);
      this.late.returnToSale(
        {
          refundId,
          orderId: o.id,
          seats: wanted.flatMap((t) => (t.seat_id ? [t.seat_id] : [])),
          area: places.length ? { id: places[0]!.area_id!, quantity: places.length } : undefined,
        },
        now,
      );
      this.s.enqueue("audit", {
        id: `audit:refund:${refundId}`,
        action: "order.refund",
        actorId: input.actorId,
        eventId: this.s.eventId(),
        orderId: o.id,
        data: { refundId, reason: input.reason, tickets: wanted.map((t) => t.id) },
        at: now,
      });
      this.s.book.notify({ type: "order_refunded", orderId: o.id, refundId, amount });
      return { ok: true, refundId, amount };
    });
  }

  /** What the provider needs to send a recorded refund; null for no such refund. */
  toSend(paymentId: string): RefundToSend | null {
    const row = this.s.book.payment(paymentId);
    if (row?.kind !== "refund") return null;
    return {
      id: row.id,
      provider: row.provider,
      status: row.status,
      reference: row.charge_ref,
      amount: row.amount,
      idempotencyKey: row.idempotency_key,
      reason: row.reason,
      attempts: row.attempts,
    };
  }

  /** The provider took the refund (`refundRef`), or refused it (retryable or not). */
  sent(paymentId: string, outcome: { refundRef: string } | { error: string; retryable: boolean }, now: number): void {
    this.s.tx(() => {
      const row = this.s.book.payment(paymentId);
      if (row?.kind !== "refund" || row.status === "succeeded") return;
      if ("refundRef" in outcome) {
        this.s.book.update("payments", paymentId, {
          status: "succeeded",
          provider_ref: outcome.refundRef,
          attempts: row.attempts + 1,
          last_error: null,
          updated_at: now,
        });
      } else {
        this.s.book.update("payments", paymentId, {
          status: outcome.retryable ? "pending" : "failed",
          attempts: row.attempts + 1,
          last_error: outcome.error,
          updated_at: now,
        });
      }
    });
  }

  /**
   * The event is cancelled: no hold or sale from now on, and every order holding money is
   * refunded in this one transaction. An order that is paid later is refunded by its sale.
   */
  cancelEvent(now: number): { refunds: string[] } {
    return this.s.tx(() => {
      const config = this.s.config();
      if (config?.sale) this.s.saveConfig({ ...config, sale: { ...config.sale, status: "cancelled" } });
      // Also for an object loaded before it knew its sales window: the flag alone refunds later payments.
      this.s.markCancelled();
      const paid = this.s.sql
        .exec<{ id: string }>(`SELECT id FROM orders WHERE status IN ('paid','partially_refunded') ORDER BY seq`)
        .toArray();
      const refunds: string[] = [];
      for (const { id } of paid) {
        const r = this.refundTickets({ orderId: id, reason: "event_cancelled", actorId: null }, now);
        if (r.ok) refunds.push(r.refundId);
      }
      return { refunds };
    });
  }
}
