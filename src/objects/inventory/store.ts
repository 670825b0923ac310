import type { Secrets } from "../../env";
import { encodeHoldId } from "../../domain/hold-ids";
import type { AuditMessage } from "../../queues/audit-messages";
import { METRIC, count } from "../../observability/metrics";
import type { LiveChannel } from "./live-channel";
import { OrderBook } from "./order-book";
import type { ShipPace } from "./outbox";
import { CHANGE_LOG_LIMIT, CHANGE_LOG_TRIM_EVERY } from "./schema";
import {
  HOLD_STATUS_OF,
  LIVE,
  MAX_PARAMS,
  type AreaRow,
  type EndedBy,
  type HoldRow,
  type OutboxBody,
  type OutboxQueue,
  type Pending,
  type SeatRow,
  chunks,
} from "./rows";
import type { Change, HoldLine, HoldView, InventoryConfig } from "../inventory-types";

/**
 * The rows every part of the inventory shares, and the operations on them that more than one
 * part needs: config, version and change log, the transaction, hold lookups, expiry and release,
 * the outbox write and the hold audit entry. Everything here is synchronous: callers compose it
 * inside one transaction.
 */
export class InventoryStore {
  readonly sql: SqlStorage;
  /** Orders, payments and tickets, shipped to the ledger at the end of each transaction. */
  readonly book: OrderBook;
  private depth = 0;
  /** Outbox rows of the running transaction, written in one statement at its end. */
  private queued: [queue: OutboxQueue, body: string, at: number][] = [];
  /** What the outbox got since the after-commit step last asked: only audit entries (paced), or rows for soon. */
  private toShip: ShipPace | null = null;
  /** The earliest deadline a live hold got since the after-commit step last asked (null: none). */
  private newDeadline: number | null = null;
  private configCache: InventoryConfig | null | undefined;
  private eventIdCache: string | undefined;
  /** The version as last read or written here (undefined: read it again). */
  private versionCache: number | undefined;
  /**
   * No live hold's deadline is earlier than this (undefined: unknown, Infinity: no live hold), as
   * the after-commit step last read it and lowered by every hold made since. It lets the hold and
   * purchase paths skip the expiry query while nothing can be due.
   */
  private deadlineFloor: number | undefined;
  /** The object's own cancelled flag (undefined: read it again). */
  private cancelledCache: boolean | undefined;

  constructor(
    private readonly ctx: DurableObjectState,
    readonly env: Env,
    readonly live: LiveChannel,
  ) {
    this.sql = ctx.storage.sql;
    this.book = new OrderBook(this.sql, (env as Env & Secrets).ORDER_CACHE_VERIFY === "true");
  }

  /**
   * The event's config, parsed once and kept in memory: every write goes through `saveConfig`
   * in this same object, so the copy cannot go stale (after an eviction it is read again).
   */
  config(): InventoryConfig | null {
    if (this.configCache === undefined) {
      const row = this.sql.exec<{ json: string }>(`SELECT json FROM config WHERE id = 1`).toArray()[0];
      this.configCache = row ? (JSON.parse(row.json) as InventoryConfig) : null;
    }
    return this.configCache;
  }

  /** Writes the config (inside the caller's transaction, if any) and replaces the cached copy. */
  saveConfig(config: InventoryConfig): void {
    this.sql.exec(
      `INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json`,
      JSON.stringify(config),
    );
    this.configCache = config;
    this.eventIdCache = undefined;
  }

  /**
   * The object's version: the latest change's, or the one a reload set (it empties the change
   * log). A change records its version in its log row only, one statement fewer per change.
   */
  version(): number {
    this.versionCache ??= this.sql
      .exec<{ v: number }>(
        `SELECT MAX((SELECT value FROM meta WHERE key = 'version'),
                    COALESCE((SELECT MAX(version) FROM changes), 0)) AS v`,
      )
      .one().v;
    return this.versionCache;
  }

  /** Sets the version (inside the caller's transaction), for a reload that empties the change log. */
  writeVersion(v: number): void {
    this.sql.exec(`UPDATE meta SET value = ? WHERE key = 'version'`, v);
    this.versionCache = v;
  }

  /** Bumps the version and appends the delta (if any); call inside the transaction. */
  commit(p: Pending): number {
    if (p.empty) return this.version();
    const v = this.version() + 1;
    this.versionCache = v;
    const change: Change = { version: v };
    if (Object.keys(p.seats).length) change.seats = p.seats;
    if (Object.keys(p.areas).length) change.areas = p.areas;
    this.sql.exec(`INSERT INTO changes (version, json) VALUES (?, ?)`, v, JSON.stringify(change));
    // Trimmed in steps rather than on every change: one statement fewer on the hold path.
    if (v % CHANGE_LOG_TRIM_EVERY === 0) this.sql.exec(`DELETE FROM changes WHERE version <= ?`, v - CHANGE_LOG_LIMIT);
    this.live.queueChange(change);
    return v;
  }

  /** The after-commit step read the earliest live deadline (null: no live hold). */
  noteDeadlineFloor(min: number | null): void {
    this.deadlineFloor = min ?? Number.POSITIVE_INFINITY;
  }

  /** A live hold was given this deadline. */
  lowerDeadlineFloor(deadline: number): void {
    this.newDeadline = Math.min(this.newDeadline ?? deadline, deadline);
    if (this.deadlineFloor !== undefined) this.deadlineFloor = Math.min(this.deadlineFloor, deadline);
  }

  /**
   * The earliest deadline a live hold got since the last call (null: none). Otherwise holds only
   * ended or were extended, so the earliest deadline can only have moved later: an alarm armed
   * for the old one fires early, finds nothing due and re-arms, which is harmless.
   */
  takeNewDeadline(): number | null {
    const d = this.newDeadline;
    this.newDeadline = null;
    return d;
  }

  /** False only when no live hold can be past its deadline at `now`. */
  mayHaveDue(now: number): boolean {
    return this.deadlineFloor === undefined || now >= this.deadlineFloor;
  }

  /**
   * Every write goes through here: one synchronous SQLite transaction. What the live channel
   * queued during a transaction that threw is dropped with it, so sockets never see a change
   * that was rolled back.
   */
  tx<T>(fn: () => T): T {
    // Modules compose: a step that opens its own transaction inside another joins the outer one.
    if (this.depth > 0) return fn();
    try {
      const result = this.ctx.storage.transactionSync(() => {
        this.depth++;
        try {
          const result = fn();
          // The ledger rows are written in the transaction that changed them: never lost, never early.
          for (const message of this.book.drain(this.eventId())) this.enqueue("ledger", message);
          this.writeQueued();
          return result;
        } finally {
          this.depth--;
        }
      });
      this.book.committed();
      return result;
    } catch (err) {
      this.live.discard();
      this.book.rollback();
      this.queued = [];
      this.configCache = undefined;
      this.versionCache = undefined;
      this.deadlineFloor = undefined;
      this.cancelledCache = undefined;
      throw err;
    }
  }

  /** The event was cancelled (`cancelEvent`): a payment from now on is refunded, never ticketed. */
  eventCancelled(): boolean {
    if (this.config()?.sale?.status === "cancelled") return true;
    this.cancelledCache ??=
      this.sql.exec(`SELECT 1 FROM meta WHERE key = 'cancelled' AND value = 1`).toArray().length > 0;
    return this.cancelledCache;
  }

  /** Flags the object itself as cancelled (inside the cancelling transaction). */
  markCancelled(): void {
    this.sql.exec(`INSERT INTO meta (key, value) VALUES ('cancelled', 1) ON CONFLICT(key) DO UPDATE SET value = 1`);
    this.cancelledCache = true;
  }

  /** No seat available and no GA place left. */
  soldOut(): boolean {
    const seat = this.sql.exec(`SELECT 1 FROM seats WHERE status = 'available' LIMIT 1`).toArray().length > 0;
    const place = this.sql.exec(`SELECT 1 FROM areas WHERE capacity - held - sold > 0 LIMIT 1`).toArray().length > 0;
    return !seat && !place;
  }

  areaRemaining(id: string): number {
    const a = this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, id).toArray()[0];
    return a ? a.capacity - a.held - a.sold : 0;
  }

  getHoldRow(holdId: string): HoldRow | undefined {
    return this.sql.exec<HoldRow>(`SELECT * FROM holds WHERE id = ?`, holdId).toArray()[0];
  }

  holdSeatIds(holdId: string): string[] {
    const row = this.sql
      .exec<{ seat_ids: string | null }>(`SELECT seat_ids FROM holds WHERE id = ?`, holdId)
      .toArray()[0];
    return seatIdsOf(row?.seat_ids ?? null);
  }

  loadSeats(ids: string[]): Map<string, SeatRow> {
    return this.seatsById<SeatRow>("*", ids);
  }

  /**
   * What a hold needs of its seats: four of the row's eleven columns. The hold path reads them on
   * every hold, and each column read out of SQLite is a conversion on the object's one thread.
   */
  loadSeatStates(ids: string[]): Map<string, Pick<SeatRow, "id" | "status" | "tier" | "price">> {
    return this.seatsById("id, status, tier, price", ids);
  }

  private seatsById<R extends { id: string }>(columns: string, ids: string[]): Map<string, R> {
    const out = new Map<string, R>();
    for (const part of chunks(ids, MAX_PARAMS)) {
      const q = `SELECT ${columns} FROM seats WHERE id IN (${part.map(() => "?").join(",")})`;
      for (const r of this.sql.exec<R>(q, ...part)) out.set(r.id, r);
    }
    return out;
  }

  userCount(userId: string): number {
    return (
      this.sql
        .exec<{ n: number | null }>(
          `SELECT SUM(quantity - returned) AS n FROM holds
           WHERE user_id = ? AND status IN ('active','checking_out','confirmed')`,
          userId,
        )
        .one().n ?? 0
    );
  }

  /**
   * A seat hold's seat ids (from its row) and the rows of those the layout still has, in one
   * statement, in the ids' order.
   */
  holdSeatRows(h: Pick<HoldRow, "seat_ids">): { ids: string[]; rows: SeatRow[] } {
    const ids = seatIdsOf(h.seat_ids);
    const found = this.loadSeats(ids);
    return { ids, rows: ids.flatMap((id) => found.get(id) ?? []) };
  }

  holdLines(h: HoldRow, seatIds?: string[], rows?: SeatRow[]): HoldLine[] {
    if (h.kind === "area") {
      const a = h.area_id
        ? this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, h.area_id).toArray()[0]
        : undefined;
      return a ? [{ seatId: null, areaId: a.id, tier: a.tier ?? "", price: a.price, quantity: h.quantity }] : [];
    }
    return (rows ?? [...this.loadSeats(seatIds ?? seatIdsOf(h.seat_ids)).values()]).map((s) => ({
      seatId: s.id,
      areaId: null,
      tier: s.tier ?? "",
      price: s.price,
      quantity: 1,
    }));
  }

  toView(h: HoldRow, now: number): HoldView {
    const live = h.status === "active" || h.status === "checking_out";
    const { ids: seats, rows } = h.kind === "seats" ? this.holdSeatRows(h) : { ids: [], rows: [] };
    const view: HoldView = {
      id: h.id,
      userId: h.user_id,
      status: live && h.deadline <= now ? "expired" : h.status,
      kind: h.kind,
      seats,
      amount: h.amount,
      currency: h.currency,
      expiresAt: h.deadline,
      extended: h.extended === 1,
      orderId: h.order_id,
      createdAt: h.created_at,
      lines: this.holdLines(h, seats, rows),
    };
    if (h.kind === "area" && h.area_id) view.area = { id: h.area_id, quantity: h.quantity };
    return view;
  }

  /**
   * Expires every live hold whose deadline has passed. Inside a transaction. Skips the query when
   * nothing can be due, unless `force` (the alarm looks every time).
   */
  expireDue(now: number, p: Pending, force = false): number {
    if (!force && !this.mayHaveDue(now)) return 0;
    const due = this.sql.exec<HoldRow>(`SELECT * FROM holds WHERE status IN ${LIVE} AND deadline <= ?`, now).toArray();
    for (const h of due) this.releaseRow(h, "expired", p, "expiry");
    if (due.length) count(this.env, METRIC.holdExpired, [this.eventId()], due.length);
    return due.length;
  }

  /**
   * Returns a live hold's seats or GA places to the pool. Inside a transaction. `endedBy` records
   * why ('owner' released it, its 'payment' failed, or 'expiry'), for the rules of a late payment.
   */
  /**
   * Gives seats to a new hold (`held`, or `sold` for a re-acquired sale). The hold's row names
   * them itself (`seat_ids`, written by its INSERT with `seatIdsJson`).
   */
  attachSeats(holdId: string, ids: string[], status: "held" | "sold", p: Pending): void {
    for (const part of chunks(ids, MAX_PARAMS - 1)) {
      this.sql.exec(
        `UPDATE seats SET status = '${status}', hold_id = ? WHERE id IN (${part.map(() => "?").join(",")})`,
        holdId,
        ...part,
      );
    }
    for (const id of ids) p.seat(id, status);
  }

  releaseRow(h: HoldRow, status: "released" | "expired", p: Pending, endedBy: EndedBy): void {
    if (h.kind === "seats") {
      const freed = this.sql.exec<{ id: string }>(
        `UPDATE seats SET status = 'available', hold_id = NULL WHERE hold_id = ? AND status = 'held' RETURNING id`,
        h.id,
      );
      for (const { id } of freed) p.seat(id, "available");
    } else if (h.area_id) {
      this.sql.exec(`UPDATE areas SET held = MAX(0, held - ?) WHERE id = ?`, h.quantity, h.area_id);
      p.areas[h.area_id] = this.areaRemaining(h.area_id);
    }
    this.sql.exec(`UPDATE holds SET status = ?, ended_by = ? WHERE id = ?`, status, endedBy, h.id);
    // A checkout whose hold lapses, or that its fan gives back, has a PaymentIntent that must not
    // succeed later for nothing: ask the payments queue to cancel that attempt's intent (named by
    // this hold). Written in this same transaction, so it cannot be lost. A failed payment's
    // intent is left alone: the fan may still retry that same intent with another card.
    if (endedBy !== "payment" && h.status === "checking_out" && h.order_id) {
      const reason = endedBy === "owner" ? "released" : "expired";
      this.enqueue("payments", { type: "cancel_payment", orderId: h.order_id, holdId: h.id, reason });
      // The order closes in this same transaction: a success that still arrives for it is
      // refunded (released on purpose) or re-acquires the seats under the rules (lapsed).
      const o = this.book.order(h.order_id);
      if (o?.status === "pending_payment" && o.hold_id === h.id) {
        const now = Date.now();
        this.book.update("orders", o.id, {
          status: endedBy === "owner" ? "cancelled" : "expired",
          updated_at: now,
          closed_at: now,
        });
      }
    }
    this.auditHold(status === "expired" ? "hold.expired" : "hold.released", h, { previous: h.status });
  }

  /**
   * Writes a message for `queue` into the outbox; call inside the transaction that causes it.
   * Inside `tx` the rows are written together when it ends (one statement, not one per message).
   */
  enqueue<Q extends OutboxQueue>(queue: Q, message: OutboxBody[Q]): void {
    this.queued.push([queue, JSON.stringify(message), Date.now()]);
    if (this.depth === 0) this.writeQueued();
  }

  /** What the outbox got since the last call (null: nothing, so the after-commit step starts no flush). */
  takeToShip(): ShipPace | null {
    const pace = this.toShip;
    this.toShip = null;
    return pace;
  }

  private writeQueued(): void {
    const rows = this.queued;
    this.queued = [];
    for (const [queue] of rows) if (this.toShip !== "soon") this.toShip = queue === "audit" ? "paced" : "soon";
    // Three values a row, within the bound-parameter limit.
    for (const chunk of chunks(rows, Math.floor(MAX_PARAMS / 3))) {
      this.sql.exec(
        `INSERT INTO outbox (queue, body, created_at) VALUES ${chunk.map(() => "(?, ?, ?)").join(", ")}`,
        ...chunk.flat(),
      );
    }
  }

  eventId(): string {
    this.eventIdCache ??= this.config()?.eventId ?? "";
    return this.eventIdCache;
  }

  /**
   * Audits a hold change through the outbox, in the caller's transaction: the entry exists iff
   * the change does. The entry id is deterministic (`key` defaults to the action), so a
   * redelivered message is appended once.
   */
  auditHold(
    action: string,
    h: Pick<HoldRow, "id" | "user_id" | "kind" | "area_id" | "quantity" | "ip_hash" | "order_id">,
    extra: Record<string, unknown> = {},
    key: string = action,
  ): void {
    const eventId = this.eventId();
    const entityId = encodeHoldId(eventId, h.id);
    const data: Record<string, unknown> = { kind: h.kind, quantity: h.quantity, ...extra };
    if (h.area_id) data.area = h.area_id;
    const body: AuditMessage = {
      id: `${entityId}:${key}`,
      action,
      actorId: h.user_id,
      eventId,
      entityType: "hold",
      entityId,
      data,
      at: Date.now(),
    };
    if (h.order_id) body.orderId = h.order_id;
    if (h.ip_hash) body.ipHash = h.ip_hash;
    this.enqueue("audit", body);
    const status = HOLD_STATUS_OF[action];
    if (status)
      this.live.queueHold({
        holdId: entityId,
        userId: h.user_id,
        status,
        expiresAt: typeof extra.expiresAt === "number" ? extra.expiresAt : 0,
      });
  }
}

/** A hold row's `seat_ids` as stored: the ids sorted, so a seat list reads the same however it was asked for. */
export function seatIdsJson(ids: string[]): string {
  return JSON.stringify([...ids].sort());
}

/** The seat ids of a hold row's `seat_ids` (none for a GA hold). */
export function seatIdsOf(json: string | null): string[] {
  return json ? (JSON.parse(json) as string[]) : [];
}
