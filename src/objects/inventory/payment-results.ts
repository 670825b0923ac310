import { attemptKey, attemptOfKey, decideSuccess, type StrayReason } from "../../domain/payment-decision";
import type { PaymentProvider } from "../../db/schema/constants";
import type { NewTicket } from "../../domain/ticket-issuer";
import type { HoldChanges } from "./hold-changes";
import type { LateSales } from "./late-sales";
import type { OrderSql, LineSql, PaymentSql } from "./order-rows";
import type { RefundDesk } from "./refund-desk";
import type { InventoryStore } from "./store";
import type { TicketDesk } from "./ticket-desk";
import type { IntentFacts, OutcomeResult } from "../inventory-types";

/** What `plan` read, handed back to `succeeded`, which uses it while the order is unchanged. */
export type PlanRead = { intent: IntentFacts; generation: number; d: ReturnType<PaymentResults["decide"]> };
/** What a success would do, read before the tickets are signed (signing cannot run inside a transaction). */
export type SuccessPlan = ({ sell: false } | { sell: true; order: OrderSql; lines: LineSql[] }) & { read: PlanRead };

/**
 * Payment outcomes, applied in one transaction each with the seats: a success sells the seats
 * and issues the tickets, or refunds money that must not buy anything; a failure releases the
 * seats at once. Webhook events are deduplicated by id in that same transaction.
 */
export class PaymentResults {
  constructor(
    private readonly s: InventoryStore,
    private readonly changes: HoldChanges,
    private readonly late: LateSales,
    private readonly refunds: RefundDesk,
  ) {}

  /** The order an intent belongs to: found from the charges the order recorded, metadata only as a fallback. */
  private orderOf(intent: IntentFacts): { order: OrderSql; charge: PaymentSql | null } | null {
    const charge = this.s.book.chargeByRef(intent.id) ?? null;
    const order = this.s.book.order(charge?.order_id ?? intent.metadata.order_id ?? "");
    return order ? { order, charge } : null;
  }

  private decide(intent: IntentFacts) {
    const found = this.orderOf(intent);
    if (!found) return null;
    const { order, charge } = found;
    const decision = decideSuccess({
      order: {
        status: order.status,
        amount: order.amount,
        currency: order.currency,
        paymentAttempt: order.payment_attempt,
      },
      charge: charge && { ...charge, attempt: attemptOfKey(charge.idempotency_key) },
      intent,
    });
    return { order, charge, decision };
  }

  /**
   * Read-only: whether this success would sell, and what the tickets are for. What it read goes
   * back to `succeeded` with the signed tickets (each delivery carries its own, so concurrent
   * deliveries of other orders do not spoil it).
   */
  plan(intent: IntentFacts): SuccessPlan {
    const d = this.decide(intent);
    const read: PlanRead = { intent, generation: this.s.book.generation, d };
    if (d?.decision.action !== "sell") return { sell: false, read };
    return { sell: true, order: d.order, lines: this.s.book.lines(d.order.id), read };
  }

  /** True when this webhook event was applied already; otherwise records it (inside the transaction). */
  private seen(eventId: string | undefined, type: string, now: number): boolean {
    if (!eventId) return false;
    const written = this.s.sql.exec(
      `INSERT INTO webhook_events (id, type, received_at) VALUES (?, ?, ?) ON CONFLICT(id) DO NOTHING`,
      eventId,
      type,
      now,
    ).rowsWritten;
    return written === 0;
  }

  /**
   * `payment_intent.succeeded` in full: the tickets `plan` asks for are signed first (async), then
   * `succeeded` re-decides in its transaction, run through `run` (the shell's after-commit); if the
   * order moved meanwhile it signs again. A success is never acknowledged without being applied:
   * after a few rounds it throws, and the provider delivers it again.
   */
  async settle(
    intent: IntentFacts,
    provider: PaymentProvider,
    tickets: TicketDesk,
    run: (change: () => OutcomeResult) => Promise<OutcomeResult>,
    webhookEventId: string | undefined,
    now: number,
  ): Promise<OutcomeResult> {
    for (let round = 0; ; round++) {
      const plan = this.plan(intent);
      const signed = plan.sell ? await tickets.sign(plan.order, plan.lines, now) : null;
      const r = await run(() => this.succeeded(intent, provider, signed, webhookEventId, now, plan.read));
      if (r.outcome !== "resign") return r;
      if (round >= 3) throw new Error("the order kept changing while its tickets were signed; retry the delivery");
    }
  }

  /**
   * `payment_intent.succeeded`. Only the current attempt, for the recorded amount, sells (see
   * `decideSuccess`); any other success is refunded to its own intent and audited. `tickets` are
   * the signed tickets `plan` asked for; when the state moved since, the answer is `resign`.
   */
  succeeded(
    intent: IntentFacts,
    provider: PaymentProvider,
    tickets: NewTicket[] | null,
    webhookEventId: string | undefined,
    now: number,
    read?: PlanRead,
  ): OutcomeResult {
    return this.s.tx((): OutcomeResult => {
      // What `decide` reads is the order's row and its charge: unchanged while no row of this
      // order was written since the plan.
      const d =
        read?.intent === intent && read.d && !this.s.book.changedSince(read.d.order.id, read.generation)
          ? read.d
          : this.decide(intent);
      if (d?.decision.action === "sell" && !tickets) return { outcome: "resign", refunds: [] };
      if (this.seen(webhookEventId, "payment_intent.succeeded", now)) return { outcome: "duplicate", refunds: [] };
      if (!d) return { outcome: "unknown_order", refunds: [] };
      const { order, charge, decision } = d;
      if (decision.action === "done") {
        // A replay after the event was cancelled still refunds the paid order.
        if (this.cancelled() && (order.status === "paid" || order.status === "partially_refunded")) {
          const r = this.refunds.refundTickets({ orderId: order.id, reason: "event_cancelled", actorId: null }, now);
          return { outcome: "already_settled", refunds: r.ok ? [r.refundId] : [] };
        }
        return { outcome: "already_settled", refunds: [] };
      }
      if (decision.action === "refund") {
        const refundId = this.stray(order, charge, intent, decision.reason, provider, now);
        // A wrong amount spends the current attempt: its seats go back and the fan may pay again.
        if (
          decision.reason === "mismatch" &&
          charge &&
          attemptOfKey(charge.idempotency_key) === order.payment_attempt
        ) {
          this.failAttempt(order, intent, "mismatch", "the amount or currency did not match the order", now);
        }
        return { outcome: `refunded_${decision.reason}`, refunds: [refundId] };
      }
      return this.sell(order, charge, intent, tickets ?? [], provider, now);
    });
  }

  private cancelled(): boolean {
    return this.s.eventCancelled();
  }

  /** The sale: the hold's seats are sold (or re-acquired under the rules), tickets issued, order paid. */
  private sell(
    order: OrderSql,
    charge: PaymentSql | null,
    intent: IntentFacts,
    tickets: NewTicket[],
    provider: PaymentProvider,
    now: number,
  ): OutcomeResult {
    if (this.cancelled()) {
      this.changes.abandon(order.hold_id, now);
      return {
        outcome: "refunded_unavailable",
        refunds: [this.unavailable(order, intent, "event cancelled", provider, now)],
      };
    }
    let holdId = order.hold_id;
    const confirmed = this.changes.confirm(order.hold_id, order.id, now);
    if (!confirmed.ok) {
      const lines = this.s.book.lines(order.id);
      const area = lines.find((l) => l.area_id);
      const again = this.late.reacquire(
        area
          ? { area: { id: area.area_id!, quantity: area.quantity } }
          : { seats: lines.flatMap((l) => (l.seat_id ? [l.seat_id] : [])) },
        order.id,
        order.user_id,
        now,
      );
      if (!again.ok)
        return {
          outcome: "refunded_unavailable",
          refunds: [this.unavailable(order, intent, again.detail, provider, now)],
        };
      holdId = again.holdId;
    }
    this.s.book.insertNew(
      "tickets",
      tickets.map((t) => ({
        id: t.id,
        order_id: order.id,
        user_id: order.user_id,
        place: t.place,
        seat_id: t.seatId ?? null,
        area_id: t.areaId ?? null,
        tier: t.tier,
        price: t.price,
        status: "valid",
        code: t.code,
        created_at: now,
        updated_at: now,
      })),
    );
    this.s.book.update("orders", order.id, {
      status: "paid",
      hold_id: holdId,
      paid_at: now,
      updated_at: now,
      closed_at: null,
    });
    if (charge) this.s.book.update("payments", charge.id, { status: "succeeded", updated_at: now });
    this.s.book.notify({ type: "order_paid", orderId: order.id });
    this.s.enqueue("audit", {
      id: `audit:paid:${order.id}`,
      action: "order.paid",
      actorId: order.user_id,
      eventId: this.s.eventId(),
      orderId: order.id,
      data: { intent: intent.id, amount: intent.amount, tickets: tickets.length },
      at: now,
    });
    return {
      outcome: "paid",
      userId: order.user_id,
      queueEnabled: this.s.config()?.sale?.queueEnabled ?? false,
      refunds: [],
    };
  }

  /**
   * A success that must buy nothing: its capture is recorded (money in always equals tickets
   * plus refunds), a refund of exactly what it took is recorded against that very intent and
   * sent through the outbox, and it is audited. Idempotent per intent.
   */
  private stray(
    order: OrderSql,
    charge: PaymentSql | null,
    intent: IntentFacts,
    reason: StrayReason,
    provider: PaymentProvider,
    now: number,
  ): string {
    const currency = intent.currency.toUpperCase();
    if (charge) this.s.book.update("payments", charge.id, { status: "succeeded", updated_at: now });
    else if (!this.s.book.payment(`stray_charge_${intent.id}`)) {
      this.s.book.insert("payments", {
        id: `stray_charge_${intent.id}`,
        seq: this.s.book.nextSeq(),
        order_id: order.id,
        kind: "charge",
        provider,
        provider_ref: intent.id,
        idempotency_key: `stray_charge_${intent.id}`,
        amount: intent.amount,
        currency,
        status: "succeeded",
        attempts: 1,
        created_at: now,
        updated_at: now,
        version: 0,
      });
    }
    const refundId = `stray_${intent.id}`;
    this.refunds.recordRefund(
      { id: refundId, orderId: order.id, provider, amount: intent.amount, currency, reason, chargeRef: intent.id },
      now,
    );
    this.s.enqueue("audit", {
      id: `audit:stray:${intent.id}`,
      action: `payment.refunded_${reason}`,
      actorId: null,
      eventId: this.s.eventId(),
      orderId: order.id,
      data: { intent: intent.id, amount: intent.amount, currency, expected: order.amount, reason },
      at: now,
    });
    return refundId;
  }

  /** Paid when the seats were gone (or the event cancelled): the whole charge goes back. */
  private unavailable(
    order: OrderSql,
    intent: IntentFacts,
    why: string,
    provider: PaymentProvider,
    now: number,
  ): string {
    const refundId = `unavailable_${order.id}`;
    this.s.book.update("orders", order.id, {
      status: "refunded_unavailable",
      refunded_amount: order.amount,
      updated_at: now,
      closed_at: now,
    });
    const charge = this.s.book.chargeByRef(intent.id);
    if (charge) this.s.book.update("payments", charge.id, { status: "succeeded", updated_at: now });
    this.refunds.recordRefund(
      {
        id: refundId,
        orderId: order.id,
        provider,
        amount: order.amount,
        currency: order.currency,
        reason: "unavailable",
        chargeRef: intent.id,
      },
      now,
    );
    this.s.book.notify({ type: "order_refunded", orderId: order.id, refundId, amount: order.amount });
    this.s.enqueue("audit", {
      id: `audit:unavailable:${order.id}`,
      action: "order.refunded_unavailable",
      actorId: null,
      eventId: this.s.eventId(),
      orderId: order.id,
      data: { intentId: intent.id, why },
      at: now,
    });
    return refundId;
  }

  /**
   * `payment_intent.payment_failed` / `canceled`: the seats go back at once and the order fails.
   * A failure that arrives after the success, or for an older attempt, changes nothing.
   */
  failed(intent: IntentFacts, kind: "failed" | "canceled", webhookEventId: string | undefined, now: number): string {
    return this.s.tx(() => {
      if (this.seen(webhookEventId, `payment_intent.${kind}`, now)) return "duplicate";
      const found = this.orderOf(intent);
      if (!found) return "unknown_order";
      const { order, charge } = found;
      if (charge?.status === "pending") {
        this.s.book.update("payments", charge.id, {
          status: kind,
          last_error: intent.failure ?? kind,
          updated_at: now,
        });
      }
      const current = charge ? charge.idempotency_key === attemptKey(order.id, order.payment_attempt) : false;
      if (order.status !== "pending_payment" || !current) return "ignored";
      return this.failAttempt(order, intent, kind, intent.failure ?? null, now);
    });
  }

  /** The current attempt failed: release the seats, fail the order, tell the fan. */
  private failAttempt(
    order: OrderSql,
    intent: IntentFacts,
    kind: "failed" | "canceled" | "mismatch",
    reason: string | null,
    now: number,
  ): string {
    if (order.status !== "pending_payment") return "ignored";
    const released = this.changes.abandon(order.hold_id, now);
    if (!released.ok) return "ignored"; // already sold: the success won
    this.s.book.update("orders", order.id, { status: "failed", updated_at: now, closed_at: now });
    this.s.book.notify({ type: "payment_failed", orderId: order.id, attempt: order.payment_attempt });
    this.s.enqueue("audit", {
      id: `audit:failed:${order.id}:${order.payment_attempt}`,
      action: `payment.${kind}`,
      actorId: order.user_id,
      eventId: this.s.eventId(),
      orderId: order.id,
      data: { intent: intent.id, reason },
      at: now,
    });
    return "failed";
  }
}
