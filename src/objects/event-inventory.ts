import { DurableObject } from "cloudflare:workers";
import { AttemptWindow, HOLD_ATTEMPTS } from "../domain/attempt-window";
import type { ServerMessage } from "../live/protocol";
import { revoke } from "./inventory/admission";
import { AfterCommit } from "./inventory/after-commit";
import { SeatBlocks } from "./inventory/blocks";
import { HoldChanges } from "./inventory/hold-changes";
import { HoldMaker } from "./inventory/hold-create";
import { IdempotencyRecords } from "./inventory/idempotency";
import { OrderDesk } from "./inventory/order-desk";
import { PaymentResults } from "./inventory/payment-results";
import { RefundDesk } from "./inventory/refund-desk";
import { TicketDesk } from "./inventory/ticket-desk";
import { scannerTickets, settleBatch } from "./inventory/check-in-batch";
import type { PaymentProvider } from "../db/schema/constants";
import { LateSales } from "./inventory/late-sales";
import { LiveChannel } from "./inventory/live-channel";
import { answerClient, closeSocket, upgrade } from "./inventory/socket-messages";
import { InventoryLoader } from "./inventory/loading";
import { ReadModel } from "./inventory/read-model";
import { migrate } from "./inventory/schema";
import { InventoryStore } from "./inventory/store";
import type * as T from "./inventory-types";

/**
 * One per event: the truth about every seat and GA area. A thin RPC shell over the modules in
 * `inventory/`: each RPC runs one module call (one synchronous SQLite transaction: check and
 * write with no await between, bumping the version and logging the delta), then the shell's
 * after-commit step: the live flush, the outbox flush and the alarm at the earliest deadline.
 */
export class EventInventory extends DurableObject<Env> {
  private readonly s: InventoryStore;
  private readonly live: LiveChannel;
  private readonly holds: HoldMaker;
  private readonly changes: HoldChanges;
  private readonly late: LateSales;
  private readonly loader: InventoryLoader;
  private readonly reads: ReadModel;
  private readonly blocks: SeatBlocks;
  private readonly orders: OrderDesk;
  private readonly refunds: RefundDesk;
  private readonly results: PaymentResults;
  private readonly tickets: TicketDesk;
  private readonly idempotency: IdempotencyRecords;
  private readonly after: AfterCommit;
  private readonly attempts = new AttemptWindow(HOLD_ATTEMPTS.limit, HOLD_ATTEMPTS.periodMs);

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.live = new LiveChannel(ctx, env);
    this.s = new InventoryStore(ctx, env, this.live);
    this.after = new AfterCommit(ctx, env, this.s, this.live);
    this.holds = new HoldMaker(this.s);
    this.changes = new HoldChanges(this.s);
    this.late = new LateSales(this.s);
    this.loader = new InventoryLoader(this.s);
    this.reads = new ReadModel(this.s);
    this.blocks = new SeatBlocks(this.s);
    this.orders = new OrderDesk(this.s, this.holds, this.changes);
    this.refunds = new RefundDesk(this.s, this.late);
    this.results = new PaymentResults(this.s, this.changes, this.late, this.refunds);
    this.tickets = new TicketDesk(this.s);
    this.idempotency = new IdempotencyRecords(this.s.sql);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.s.sql);
    });
  }

  /** Releases every expired hold and re-arms (after-commit.ts). */
  override async alarm(): Promise<void> {
    await this.after.alarm(Date.now());
  }

  // ---------------------------------------------------------------- RPC: setup

  /**
   * Loads the layout and prices. Idempotent: may be repeated (e.g. after a layout edit) as long
   * as nothing is held or sold; otherwise `in_use`.
   */
  async initialize(input: T.InitializeInput): Promise<T.InitializeResult> {
    const result = await this.after.run(() => this.loader.initialize(input));
    // A reload has no deltas: everyone watching gets the new map whole.
    if (result.ok && this.live.size > 0) this.live.broadcast({ type: "snapshot", ...(await this.snapshot()) });
    return result;
  }

  /** New hold time and limits from an organizer's edit; they apply to holds made from now on. */
  async configure(input: T.InventoryConfigInput): Promise<{ ok: boolean }> {
    return this.loader.configure(input);
  }

  /** New tier prices for a published event, in one transaction; `in_use` once anything has sold. */
  async reprice(input: T.RepriceInput, now: number = Date.now()): Promise<T.RepriceResult> {
    return this.after.run(() => this.loader.reprice(input, now));
  }

  // ---------------------------------------------------------------- RPC: holds

  /**
   * Holds explicit seats, a best-available pick in a tier, or a GA quantity, all or nothing.
   * Failures: `seats_unavailable` (with conflicts), `unknown_seats`, `sold_out`, `limit_exceeded`,
   * `rate_limited` (the fan's hold attempts on this event are over budget: counted here, before
   * any SQL, so a flood costs the object a map lookup per attempt).
   */
  async hold(input: T.HoldInput, now: number = Date.now()): Promise<T.HoldResult> {
    if (!this.attempts.take(input.userId, now))
      return { ok: false, code: "rate_limited", detail: "Too many hold attempts; retry shortly" };
    return this.after.run(() => this.holds.hold(input, now));
  }

  /** Reads a hold. A live hold past its deadline reads as `expired` even before the alarm runs. */
  async getHold(holdId: string, now: number = Date.now()): Promise<T.GetHoldResult> {
    return this.changes.getHold(holdId, now);
  }

  /** The owner gives a live hold back. `not_owner` for anyone else. */
  async release(holdId: string, userId: string, now: number = Date.now()): Promise<T.HoldChangeResult> {
    return this.after.run(() => this.changes.release(holdId, userId, now));
  }

  /**
   * Moves an active hold to `checking_out` and extends its deadline once by the payment window.
   * With `orderId`, a lapse of the hold queues the cancellation of that order's payment.
   */
  async beginCheckout(
    holdId: string,
    userId: string,
    orderId?: string,
    now: number = Date.now(),
  ): Promise<T.HoldChangeResult> {
    return this.after.run(() => this.changes.beginCheckout(holdId, userId, orderId, now));
  }

  /** Payment succeeded: the hold's seats become sold. Idempotent for the same orderId. */
  async confirm(holdId: string, orderId: string, now: number = Date.now()): Promise<T.HoldChangeResult> {
    return this.after.run(() => this.changes.confirm(holdId, orderId, now));
  }

  /** Payment failed or was cancelled: release the hold at once, whoever asks. */
  async abandon(holdId: string, now: number = Date.now()): Promise<T.HoldChangeResult> {
    return this.after.run(() => this.changes.abandon(holdId, now));
  }

  /** A payment that succeeded after its hold lapsed: sell the same seats if they are all still free. */
  async reacquire(
    input: T.ReacquireInput,
    orderId: string,
    userId: string,
    now: number = Date.now(),
  ): Promise<T.ReacquireResult> {
    return this.after.run(() => this.late.reacquire(input, orderId, userId, now));
  }

  /** A refund gives sold seats (or GA places) of an order back to sale, once per refund id. */
  async returnToSale(input: T.ReturnInput, now: number = Date.now()): Promise<T.ReturnResult> {
    return this.after.run(() => this.late.returnToSale(input, now));
  }

  /** Organizer holds seats back. Held or sold seats cannot be blocked (`seats_unavailable`). */
  async block(seatIds: string[], now: number = Date.now()): Promise<T.BlockResult> {
    return this.after.run(() => this.blocks.setBlocked(seatIds, true, now));
  }

  /** Organizer returns blocked seats to sale; seats in other states are left alone. */
  async unblock(seatIds: string[], now: number = Date.now()): Promise<T.BlockResult> {
    return this.after.run(() => this.blocks.setBlocked(seatIds, false, now));
  }

  // ---------------------------------------------------------------- RPC: orders and payments

  /**
   * Checkout: the hold becomes an order with lines and attempt 1, in one transaction with the
   * seats. With `claim`, the same transaction takes the request's Idempotency-Key when the order
   * opens; a key some other request holds comes back as `taken`, and nothing changes.
   */
  async openCheckout(
    input: T.OpenCheckoutInput,
    claim?: T.ClaimInObject,
    now: number = Date.now(),
  ): Promise<T.CheckoutOpen | { ok: false; taken: T.IdempotencyRecord }> {
    return this.after.run(() =>
      // One transaction: a key taken for an open that fails (or throws) is given back with it.
      this.s.tx(() => {
        const taken = claim && this.idempotency.take(claim, now);
        if (taken) return { ok: false as const, taken };
        const opened = this.orders.open(input, now);
        if (claim && !opened.ok) this.idempotency.release(claim.slot);
        return opened;
      }),
    );
  }

  /** Pay again after a decline: the same seats under a new hold and a new attempt. */
  async openRetry(input: T.OpenRetryInput, now: number = Date.now()): Promise<T.CheckoutOpen> {
    return this.after.run(() => this.orders.openRetry(input, now));
  }

  /**
   * Records the intent the provider created for an attempt (by its idempotency key), and with
   * `answer` the checkout's answer under the Idempotency-Key `openCheckout` took, in one transaction.
   */
  async recordIntent(
    key: string,
    reference: string,
    actorId: string,
    answer?: T.StoredAnswer,
    now: number = Date.now(),
  ) {
    return this.after.run(() =>
      // One transaction, so the answer is stored with the intent it names, and one commit.
      this.s.tx(() => {
        const recorded = this.orders.recordIntent(key, reference, actorId, now);
        if (answer) this.idempotency.finish(answer.slot, answer.status, answer.headers, answer.body);
        return recorded;
      }),
    );
  }

  /** The provider refused an attempt outright: the order fails and the seats go back. */
  async refusePayment(key: string, reason: string, now: number = Date.now()): Promise<void> {
    return this.after.run(() => this.orders.refuse(key, reason, now));
  }

  /** The charge a cancel names (by the hold its attempt paid for), or the order's current one. */
  async cancelTarget(orderId: string, holdId?: string): Promise<T.CancelTarget | null> {
    return this.orders.cancelTarget(orderId, holdId);
  }

  /** The provider cancelled a charge's intent. */
  async chargeCanceled(paymentId: string, now: number = Date.now()): Promise<void> {
    return this.after.run(() => this.orders.chargeCanceled(paymentId, now));
  }

  /** `payment_intent.succeeded`: sells and issues tickets, or refunds, in one transaction. */
  async paymentSucceeded(
    intent: T.IntentFacts,
    provider: PaymentProvider,
    webhookEventId?: string,
    now: number = Date.now(),
  ): Promise<T.OutcomeResult> {
    return this.results.settle(intent, provider, this.tickets, (f) => this.after.run(f), webhookEventId, now);
  }

  /** `payment_intent.payment_failed` / `canceled` for the current attempt: the seats go back at once. */
  async paymentFailed(
    intent: T.IntentFacts,
    kind: "failed" | "canceled",
    webhookEventId?: string,
    now: number = Date.now(),
  ): Promise<string> {
    return this.after.run(() => this.results.failed(intent, kind, webhookEventId, now));
  }

  /** Refunds tickets: tickets, seats and the refund row in one transaction; the money through the outbox. */
  async refundTickets(input: T.RefundInput, now: number = Date.now()): Promise<T.RefundRecorded> {
    return this.after.run(() => this.refunds.refundTickets(input, now));
  }

  /** A recorded refund, for sending to the provider. */
  async refundToSend(paymentId: string): Promise<T.RefundToSend | null> {
    return this.refunds.toSend(paymentId);
  }

  /** The provider's answer to a refund. */
  async refundSent(
    paymentId: string,
    outcome: { refundRef: string } | { error: string; retryable: boolean },
    now: number = Date.now(),
  ): Promise<void> {
    return this.after.run(() => this.refunds.sent(paymentId, outcome, now));
  }

  /** The event is cancelled: sales stop and every order holding money is refunded. */
  async cancelEvent(now: number = Date.now()): Promise<{ refunds: string[] }> {
    return this.after.run(() => this.refunds.cancelEvent(now));
  }

  /** One order with its lines, tickets and payments, as it stands now. */
  async orderDetail(orderId: string): Promise<T.OrderDetail | null> {
    return this.s.book.detail(orderId, this.s.eventId());
  }

  /** Admits a ticket (its code verified by the Worker) exactly once. */
  async checkIn(ticketId: string, usedBy: string, now: number = Date.now()): Promise<T.CheckInResult> {
    return this.after.run(() => this.tickets.checkIn(ticketId, usedBy, now));
  }

  /** Live ticket ids (valid and used) for an offline scanner's manifest. */
  async liveTicketIds(): Promise<{ valid: string[]; used: string[] }> {
    return this.tickets.liveIds();
  }

  /** Settles an offline gate's uploaded scans, first scan first (check-in-batch.ts). */
  async checkInBatch(device: string, scans: T.BatchScan[], now: number = Date.now()): Promise<T.BatchScanResult[]> {
    return this.after.run(() => settleBatch(this.s, device, scans, now));
  }

  /** Valid and used tickets with their places, for an offline gate. */
  async scannerTickets(): Promise<T.ScannerTicket[]> {
    return scannerTickets(this.s);
  }

  /** The event's signing key was rotated: sign with the new one from now on. */
  async forgetSigningKey(): Promise<void> {
    this.tickets.forgetKey();
  }

  // ---------------------------------------------------------------- RPC: idempotency records

  async idemClaim(slot: T.IdempotencySlot, hash: string, ttlMs: number, now: number = Date.now()): Promise<boolean> {
    return this.idempotency.claim(slot, hash, now, ttlMs);
  }
  async idemRead(slot: T.IdempotencySlot): Promise<T.IdempotencyRecord | null> {
    return this.idempotency.read(slot);
  }
  async idemDropExpired(slot: T.IdempotencySlot, staleBefore: number, now: number = Date.now()): Promise<void> {
    this.idempotency.dropExpired(slot, now, staleBefore);
  }
  async idemRelease(slot: T.IdempotencySlot): Promise<void> {
    this.idempotency.release(slot);
  }
  async idemFinish(slot: T.IdempotencySlot, status: number, headers: string, body: string): Promise<void> {
    this.idempotency.finish(slot, status, headers, body);
  }

  // ---------------------------------------------------------------- RPC: waiting room

  /**
   * The waiting room revokes a ticket's admission (the fan left): holds with its token are refused
   * from now on, though the signature stays valid until `until`.
   */
  async revokeAdmission(ticket: string, until: number, now: number = Date.now()): Promise<{ ok: true }> {
    revoke(this.s.sql, ticket, until, now);
    return { ok: true };
  }

  /**
   * The waiting room sold out and sleeps: it asks to be told (`restocked`) when places come back.
   * Answers whether the event is still sold out, so a return that raced the room's own read is
   * not missed.
   */
  async watchRestock(): Promise<boolean> {
    const soldOut = this.s.soldOut();
    this.after.watch(soldOut);
    return soldOut;
  }

  // ---------------------------------------------------------------- RPC: reads

  /** The current version alone: lets a client's If-None-Match be answered without the map. */
  async currentVersion(now: number = Date.now()): Promise<number> {
    await this.after.settleDue(now);
    return this.s.version();
  }

  /** The whole map, compact: one SELECT over the seats. Expired holds are released first. */
  async snapshot(now: number = Date.now()): Promise<T.Snapshot> {
    await this.after.settleDue(now);
    return this.reads.snapshot();
  }

  /** Deltas after `version`, or `{resync: true}` when the log no longer reaches back that far. */
  async changesSince(version: number): Promise<T.ChangesResult> {
    return this.reads.changesSince(version);
  }

  /** Counts per tier and state, plus every GA area. */
  async inventory(): Promise<T.InventoryCounts> {
    return this.reads.inventory();
  }

  /** One user's live holds (active or checking out, not past their deadline), newest first. */
  async liveHoldsOf(userId: string, now: number = Date.now()): Promise<T.HoldView[]> {
    return this.reads.liveHoldsOf(userId, now);
  }

  // ---------------------------------------------------------------- live sockets

  /** The WebSocket upgrade for `GET /v1/events/{id}/live` (the Worker authenticates and forwards). */
  override async fetch(request: Request): Promise<Response> {
    return upgrade(this.live, request, (v) => this.catchUp(v));
  }
  /** Deltas after `version`, or a snapshot when there is no version or the log no longer reaches. */
  private async catchUp(version: number | null): Promise<ServerMessage> {
    if (version != null) {
      const r = await this.changesSince(version);
      if (!r.resync) return { type: "delta", version: r.version, changes: r.changes };
    }
    return { type: "snapshot", ...(await this.snapshot()) };
  }
  /** Client messages: `resync` and `watch_hold`; anything else is answered with an error, the socket stays. */
  override async webSocketMessage(ws: WebSocket, message: string | ArrayBuffer): Promise<void> {
    await answerClient(this.s, this.live, ws, message, (v) => this.catchUp(v));
  }
  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    closeSocket(ws, code, reason);
  }
}
