import { DurableObject } from "cloudflare:workers";
import { pickBestAvailable, type PickRow } from "../domain/best-available";
import { allSeats } from "../domain/layout";
import { resolveSeatTiers } from "../domain/pricing";
import { encodeHoldId } from "../domain/hold-ids";
import type { AuditMessage } from "../queues/audit-messages";
import type { PaymentMessage } from "../queues/payment-messages";
import { ClientMessageSchema, type ServerMessage } from "../live/protocol";
import { log } from "../observability/log";
import { METRIC, count } from "../observability/metrics";
import {
  isRevoked,
  liveOrderAdmission,
  orderAdmission,
  restockWatched,
  revoke,
  setRestockWatch,
  tagHold,
  type Admission,
} from "./inventory-admission";
import { repriceInventory } from "./inventory-pricing";
import { CHANGE_LOG_LIMIT, migrate } from "./inventory-schema";
import { LiveChannel, safeSend, type HoldNotice, type SocketState } from "./live-channel";
import type {
  BlockResult,
  Change,
  ChangesResult,
  GetHoldResult,
  HeldSeat,
  HoldChangeResult,
  HoldInput,
  HoldKind,
  HoldResult,
  HoldStatus,
  HoldView,
  InitializeInput,
  InitializeResult,
  InventoryConfig,
  InventoryConfigInput,
  InventoryCounts,
  InventoryFailure,
  InventoryErrorCode,
  HoldLine,
  ReacquireInput,
  ReacquireResult,
  RepriceInput,
  RepriceResult,
  ReturnInput,
  ReturnResult,
  SeatCode,
  SeatStatus,
  Snapshot,
} from "./inventory-types";

type SeatRow = {
  id: string;
  section: string;
  row_label: string;
  row_index: number;
  pos: number;
  tier: string | null;
  price: number;
  accessible: number;
  aisle_after: number;
  status: SeatStatus;
  hold_id: string | null;
};
type AreaRow = { id: string; tier: string | null; price: number; capacity: number; held: number; sold: number };
type HoldRow = {
  id: string;
  user_id: string;
  status: HoldStatus;
  kind: HoldKind;
  area_id: string | null;
  quantity: number;
  amount: number;
  currency: string;
  deadline: number;
  extended: number;
  order_id: string | null;
  created_at: number;
  returned: number;
  ip_hash: string | null;
  admission_ticket: string | null;
  admission_exp: number | null;
};
/** Why a hold ended without a sale. */
type EndedBy = "owner" | "payment" | "expiry";
/** The queues the object's outbox feeds. */
type OutboxQueue = "payments" | "audit";
type OutboxBody = { payments: PaymentMessage; audit: AuditMessage };

const CODE: Record<SeatStatus, SeatCode> = { available: "a", held: "h", sold: "s", blocked: "b" };
const LIVE = `('active','checking_out')`;
/** Why a hold may not happen now (sales closed, or the waiting room wants an admission), or null. */
function saleProblem(config: InventoryConfig, admitted: boolean, now: number): InventoryFailure | null {
  const s = config.sale;
  if (!s) return null;
  const open =
    s.status === "on_sale" &&
    (s.salesStartAt == null || now >= s.salesStartAt) &&
    (s.salesEndAt == null || now < s.salesEndAt) &&
    now < s.endsAt;
  if (!open) return fail("not_on_sale", "The event is not on sale");
  if (s.queueEnabled && !admitted) {
    return fail(
      "admission_required",
      "This event sells through its waiting room: join with POST /v1/events/{id}/queue " +
        "and send the admission token as X-Admission-Token",
    );
  }
  return null;
}

/** Audited hold actions and the status a fan following that hold is told about. */
const HOLD_STATUS_OF: Record<string, HoldNotice["status"]> = {
  "hold.created": "active",
  "hold.checkout": "checking_out",
  "hold.confirmed": "confirmed",
  "hold.reacquired": "confirmed",
  "hold.released": "released",
  "hold.expired": "expired",
};

/** Bound parameters per statement stay at or under this. */
const MAX_PARAMS = 100;
/** After a failed outbox send, try again this much later (the alarm carries the retry). */
const OUTBOX_RETRY_MS = 30_000;
/** Rows per outbox read, and the most a Queues sendBatch accepts. */
const OUTBOX_BATCH = 100;

function fail(code: InventoryErrorCode, detail: string, conflicts?: string[]): InventoryFailure {
  return conflicts ? { ok: false, code, detail, conflicts } : { ok: false, code, detail };
}

function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Seat and area changes collected during one transaction, written as one change entry. */
class Pending {
  seats: Record<string, SeatCode> = {};
  areas: Record<string, number> = {};
  seat(id: string, status: SeatStatus) {
    this.seats[id] = CODE[status];
  }
  get empty() {
    return Object.keys(this.seats).length === 0 && Object.keys(this.areas).length === 0;
  }
}

/**
 * One per event: the truth about every seat and GA area. Every check-and-write happens in one
 * synchronous SQLite transaction, and every state change bumps the version and appends a delta
 * to the change log in that same transaction.
 */
export class EventInventory extends DurableObject<Env> {
  private sql: SqlStorage;
  /** The alarm time this instance last set (undefined: unknown, e.g. after eviction or an alarm run). */
  private armedAt: number | null | undefined;
  /** The running outbox flush, if any; holds made meanwhile ride along on its next pass. */
  private flushing: Promise<boolean> | null = null;
  private flushAgain = false;
  /** When the alarm must fire to retry a failed outbox send (null: nothing to retry). */
  private retryAt: number | null = null;
  private eventIdCache: string | undefined;
  private readonly live: LiveChannel;
  /** The waiting room asked to hear of returned places (undefined: not read yet). */
  private restockWatch: boolean | undefined;
  private restockTelling = false;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.live = new LiveChannel(ctx);
    void ctx.blockConcurrencyWhile(async () => {
      migrate(this.sql);
    });
  }

  // ---------------------------------------------------------------- helpers

  private config(): InventoryConfig | null {
    const row = this.sql.exec<{ json: string }>(`SELECT json FROM config WHERE id = 1`).toArray()[0];
    return row ? (JSON.parse(row.json) as InventoryConfig) : null;
  }

  private version(): number {
    return this.sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'version'`).one().value;
  }

  /** Bumps the version and appends the delta (if any); call inside the transaction. */
  private commit(p: Pending): number {
    if (p.empty) return this.version();
    const v = this.version() + 1;
    this.sql.exec(`UPDATE meta SET value = ? WHERE key = 'version'`, v);
    const change: Change = { version: v };
    if (Object.keys(p.seats).length) change.seats = p.seats;
    if (Object.keys(p.areas).length) change.areas = p.areas;
    this.sql.exec(`INSERT INTO changes (version, json) VALUES (?, ?)`, v, JSON.stringify(change));
    this.sql.exec(`DELETE FROM changes WHERE version <= ?`, v - CHANGE_LOG_LIMIT);
    this.live.queueChange(change);
    return v;
  }

  /**
   * Every write goes through here: one synchronous SQLite transaction. What the live channel
   * queued during a transaction that threw is dropped with it, so sockets never see a change
   * that was rolled back.
   */
  private tx<T>(fn: () => T): T {
    try {
      return this.ctx.storage.transactionSync(fn);
    } catch (err) {
      this.live.discard();
      throw err;
    }
  }

  /** No seat available and no GA place left. */
  private soldOut(): boolean {
    const seat = this.sql.exec(`SELECT 1 FROM seats WHERE status = 'available' LIMIT 1`).toArray().length > 0;
    const place = this.sql.exec(`SELECT 1 FROM areas WHERE capacity - held - sold > 0 LIMIT 1`).toArray().length > 0;
    return !seat && !place;
  }

  private areaRemaining(id: string): number {
    const a = this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, id).toArray()[0];
    return a ? a.capacity - a.held - a.sold : 0;
  }

  private getHoldRow(holdId: string): HoldRow | undefined {
    return this.sql.exec<HoldRow>(`SELECT * FROM holds WHERE id = ?`, holdId).toArray()[0];
  }

  private holdSeatIds(holdId: string): string[] {
    return this.sql
      .exec<{ seat_id: string }>(`SELECT seat_id FROM hold_seats WHERE hold_id = ?`, holdId)
      .toArray()
      .map((r) => r.seat_id);
  }

  /**
   * Returns a live hold's seats or GA places to the pool. Inside a transaction. `endedBy` records
   * why ('owner' released it, its 'payment' failed, or 'expiry'), for the rules of a late payment.
   */
  private releaseRow(h: HoldRow, status: "released" | "expired", p: Pending, endedBy: EndedBy): void {
    if (h.kind === "seats") {
      const ids = this.sql
        .exec<{ id: string }>(`SELECT id FROM seats WHERE hold_id = ? AND status = 'held'`, h.id)
        .toArray()
        .map((r) => r.id);
      this.sql.exec(
        `UPDATE seats SET status = 'available', hold_id = NULL WHERE hold_id = ? AND status = 'held'`,
        h.id,
      );
      for (const id of ids) p.seat(id, "available");
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
    }
    this.auditHold(status === "expired" ? "hold.expired" : "hold.released", h, { previous: h.status });
  }

  /** Writes a message for `queue` into the outbox; call inside the transaction that causes it. */
  private enqueue<Q extends OutboxQueue>(queue: Q, message: OutboxBody[Q]): void {
    this.sql.exec(
      `INSERT INTO outbox (queue, body, created_at) VALUES (?, ?, ?)`,
      queue,
      JSON.stringify(message),
      Date.now(),
    );
  }

  private eventId(): string {
    this.eventIdCache ??= this.config()?.eventId ?? "";
    return this.eventIdCache;
  }

  /**
   * Audits a hold change through the outbox, in the caller's transaction: the entry exists iff
   * the change does. The entry id is deterministic (`key` defaults to the action), so a
   * redelivered message is appended once.
   */
  private auditHold(
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

  /**
   * Ships outbox rows to their queues (payments or audit), one sendBatch per queue and page, then
   * deletes what was sent. At-least-once: a crash between send and delete sends again, and the
   * consumers are idempotent. A failed send leaves its rows for the alarm. One SELECT when the
   * outbox is empty. Returns false when a send failed.
   */
  private async flushOutbox(): Promise<boolean> {
    const rows = this.sql
      .exec<{ id: number; queue: OutboxQueue; body: string }>(
        `SELECT id, queue, body FROM outbox ORDER BY id LIMIT ${OUTBOX_BATCH}`,
      )
      .toArray();
    if (!rows.length) return true;
    let ok = true;
    for (const queue of ["payments", "audit"] as const) {
      const list = rows.filter((r) => r.queue === queue);
      if (!list.length) continue;
      try {
        await (queue === "audit" ? this.env.AUDIT : this.env.PAYMENTS).sendBatch(
          list.map((r) => ({ body: JSON.parse(r.body) as unknown, contentType: "json" as const })),
        );
      } catch (err) {
        log("error", "inventory outbox send failed", { queue, rows: list.length, error: String(err) });
        ok = false;
        continue;
      }
      const ids = list.map((r) => r.id);
      this.sql.exec(`DELETE FROM outbox WHERE id IN (${ids.map(() => "?").join(",")})`, ...ids);
    }
    return ok && rows.length === OUTBOX_BATCH ? this.flushOutbox() : ok;
  }

  /**
   * Starts shipping the outbox without holding up the caller's response. One flush at a time:
   * changes made while a send is in flight are picked up by one more pass, so a burst of holds
   * goes out in a few sendBatch calls instead of one per hold. A failure arms the alarm to retry.
   */
  private startFlush(): Promise<boolean> {
    if (this.flushing) {
      this.flushAgain = true;
      return this.flushing;
    }
    const run = async (): Promise<boolean> => {
      let ok: boolean;
      do {
        this.flushAgain = false;
        ok = await this.flushOutbox();
      } while (ok && this.flushAgain);
      return ok;
    };
    const p = run().then(
      async (ok) => {
        this.flushing = null;
        if (ok) this.retryAt = null;
        else await this.armRetry();
        return ok;
      },
      async (err: unknown) => {
        this.flushing = null;
        log("error", "inventory outbox flush crashed", { error: String(err) });
        await this.armRetry();
        return false;
      },
    );
    this.flushing = p;
    this.ctx.waitUntil(p);
    return p;
  }

  /**
   * After a sell-out the waiting room sleeps; once places are back (a refund, an unblock, a
   * lapsed checkout) it is told, once. Costs nothing on the hold path unless the room is watching.
   */
  private tellRestock(): void {
    this.restockWatch ??= restockWatched(this.sql);
    if (!this.restockWatch || this.restockTelling || this.soldOut()) return;
    this.restockTelling = true;
    const told = this.env.WAITING_ROOM.getByName(this.eventId())
      .restocked()
      .then(
        () => {
          setRestockWatch(this.sql, false);
          this.restockWatch = false;
        },
        async (err: unknown) => {
          log("error", "waiting room not told of returned places", { error: String(err) });
          await this.armRetry();
        },
      )
      .finally(() => {
        this.restockTelling = false;
      });
    this.ctx.waitUntil(told);
  }

  /** Makes the alarm fire soon enough to retry the outbox. */
  private async armRetry(): Promise<void> {
    const at = Date.now() + OUTBOX_RETRY_MS;
    this.retryAt = at;
    if (this.armedAt == null || this.armedAt > at) {
      await this.ctx.storage.setAlarm(at);
      this.armedAt = at;
    }
  }

  /** Expires every live hold whose deadline has passed. Inside a transaction. */
  private expireDue(now: number, p: Pending): number {
    const due = this.sql.exec<HoldRow>(`SELECT * FROM holds WHERE status IN ${LIVE} AND deadline <= ?`, now).toArray();
    for (const h of due) this.releaseRow(h, "expired", p, "expiry");
    if (due.length) count(this.env, METRIC.holdExpired, [this.eventId()], due.length);
    return due.length;
  }

  /** Arms the alarm at the earliest live deadline, or clears it when nothing is live. */
  private async rearm(): Promise<void> {
    const row = this.sql
      .exec<{ d: number | null }>(`SELECT MIN(deadline) AS d FROM holds WHERE status IN ${LIVE}`)
      .one();
    let next = row.d ?? null;
    if (this.retryAt != null) next = Math.min(next ?? Infinity, this.retryAt);
    this.live.flush(() => this.soldOut());
    void this.startFlush();
    this.tellRestock();
    if (next === this.armedAt) return; // already armed there: skip a storage write on the hold path
    if (next == null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    this.armedAt = next;
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
    const released = this.sql
      .exec(`SELECT 1 FROM holds WHERE order_id = ? AND ended_by = 'owner' LIMIT 1`, orderId)
      .toArray().length;
    if (released) return fail("invalid_state", "the fan released these seats before paying");
    // A checkout begun within an admission may still buy its seats when the payment lands late.
    const closed = saleProblem(config, orderAdmission(this.sql, orderId) != null, now);
    if (closed) return closed;
    const quantity = input.area ? input.area.quantity : new Set(input.seats ?? []).size;
    if (config.maxSeatsPerUser != null && this.userCount(userId) + quantity > config.maxSeatsPerUser) {
      return fail("limit_exceeded", `at most ${config.maxSeatsPerUser} per user for this event`);
    }
    return null;
  }

  private userCount(userId: string): number {
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

  private loadSeats(ids: string[]): Map<string, SeatRow> {
    const out = new Map<string, SeatRow>();
    for (const part of chunks(ids, MAX_PARAMS)) {
      const q = `SELECT * FROM seats WHERE id IN (${part.map(() => "?").join(",")})`;
      for (const r of this.sql.exec<SeatRow>(q, ...part)) out.set(r.id, r);
    }
    return out;
  }

  /** Seats for a tier request, chosen by best-available over the rows that hold the tier. */
  private pickTierSeats(tier: string, quantity: number, accessible: boolean, allowSplit: boolean): string[] | null {
    const seats = this.sql
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

  private holdLines(h: HoldRow): HoldLine[] {
    if (h.kind === "area") {
      const a = h.area_id
        ? this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, h.area_id).toArray()[0]
        : undefined;
      return a ? [{ seatId: null, areaId: a.id, tier: a.tier ?? "", price: a.price, quantity: h.quantity }] : [];
    }
    return [...this.loadSeats(this.holdSeatIds(h.id)).values()].map((s) => ({
      seatId: s.id,
      areaId: null,
      tier: s.tier ?? "",
      price: s.price,
      quantity: 1,
    }));
  }

  private toView(h: HoldRow, now: number): HoldView {
    const live = h.status === "active" || h.status === "checking_out";
    const view: HoldView = {
      id: h.id,
      userId: h.user_id,
      status: live && h.deadline <= now ? "expired" : h.status,
      kind: h.kind,
      seats: h.kind === "seats" ? this.holdSeatIds(h.id) : [],
      amount: h.amount,
      currency: h.currency,
      expiresAt: h.deadline,
      extended: h.extended === 1,
      orderId: h.order_id,
      createdAt: h.created_at,
      lines: this.holdLines(h),
    };
    if (h.kind === "area" && h.area_id) view.area = { id: h.area_id, quantity: h.quantity };
    return view;
  }

  // ---------------------------------------------------------------- RPC

  /**
   * Loads the layout and prices. Idempotent: may be repeated (e.g. after a layout edit) as long
   * as nothing is held or sold; otherwise `in_use`.
   */
  async initialize(input: InitializeInput): Promise<InitializeResult> {
    const now = Date.now();
    const { layout, tiers, eventId } = input;
    const res = resolveSeatTiers(layout, tiers);
    const price = new Map(tiers.map((t) => [t.key, t.amount]));
    const config: InventoryConfig = {
      eventId,
      holdSeconds: input.config.holdSeconds,
      paymentWindowSeconds: input.config.paymentWindowSeconds ?? 600,
      maxSeatsPerOrder: input.config.maxSeatsPerOrder,
      maxSeatsPerUser: input.config.maxSeatsPerUser ?? null,
      currency: input.config.currency,
      ...(input.config.sale ? { sale: input.config.sale } : {}),
    };
    const result = this.tx((): InitializeResult => {
      const p = new Pending();
      this.expireDue(now, p);
      const busy = this.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM holds WHERE status IN ('active','checking_out','confirmed')`)
        .one().n;
      const sold = this.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM seats WHERE status IN ('held','sold')`)
        .one().n;
      const areaBusy = this.sql
        .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM areas WHERE held > 0 OR sold > 0`)
        .one().n;
      if (busy + sold + areaBusy > 0) {
        this.commit(p);
        return fail("in_use", "seats are held or sold; the inventory cannot be reloaded");
      }
      this.sql.exec(`DELETE FROM seats`);
      this.sql.exec(`DELETE FROM areas`);
      this.sql.exec(`DELETE FROM hold_seats`);
      this.sql.exec(`DELETE FROM holds`);
      this.sql.exec(`DELETE FROM changes`);
      const cols = 10;
      const perStmt = Math.floor(MAX_PARAMS / cols);
      const rows: unknown[][] = [];
      let pos = 0;
      for (const { seat, section, row, rowIndex } of allSeats(layout)) {
        const tier = res.seatTier.get(seat.id) ?? null;
        rows.push([
          seat.id,
          section.id,
          row.label,
          rowIndex,
          pos++,
          tier,
          tier ? (price.get(tier) ?? 0) : 0,
          seat.accessible ? 1 : 0,
          seat.aisleAfter ? 1 : 0,
          "available",
        ]);
      }
      for (const part of chunks(rows, perStmt)) {
        const q =
          "INSERT INTO seats (id, section, row_label, row_index, pos, tier, price, accessible, aisle_after, status) " +
          `VALUES ${part.map(() => "(?,?,?,?,?,?,?,?,?,?)").join(",")}`;
        this.sql.exec(q, ...(part.flat() as SqlStorageValue[]));
      }
      for (const a of layout.areas) {
        const tier = res.areaTier.get(a.id) ?? null;
        this.sql.exec(
          `INSERT INTO areas (id, tier, price, capacity) VALUES (?, ?, ?, ?)`,
          a.id,
          tier,
          tier ? (price.get(tier) ?? 0) : 0,
          a.capacity,
        );
      }
      this.sql.exec(
        `INSERT INTO config (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json`,
        JSON.stringify(config),
      );
      // A reload invalidates every delta: bump the version with an empty log so clients resync.
      const v = this.version() + 1;
      this.sql.exec(`UPDATE meta SET value = ? WHERE key = 'version'`, v);
      return {
        ok: true,
        seats: rows.length,
        areas: layout.areas.length,
        unpricedSeats: res.unpricedSeats,
        unpricedAreas: res.unpricedAreas,
        version: v,
      };
    });
    await this.rearm();
    // A reload has no deltas: everyone watching gets the new map whole.
    if (result.ok && this.live.size > 0) this.live.broadcast({ type: "snapshot", ...(await this.snapshot()) });
    return result;
  }

  /**
   * New hold time and limits from an organizer's edit; they apply to holds made from now on
   * (existing holds keep their deadlines). The payment window is kept unless given.
   */
  async configure(input: InventoryConfigInput): Promise<{ ok: boolean }> {
    const current = this.config();
    if (!current) return { ok: false };
    const next: InventoryConfig = {
      ...current,
      holdSeconds: input.holdSeconds,
      maxSeatsPerOrder: input.maxSeatsPerOrder,
      maxSeatsPerUser: input.maxSeatsPerUser ?? null,
      paymentWindowSeconds: input.paymentWindowSeconds ?? current.paymentWindowSeconds,
      ...(input.sale ? { sale: input.sale } : {}),
    };
    this.sql.exec(`UPDATE config SET json = ? WHERE id = 1`, JSON.stringify(next));
    return { ok: true };
  }

  /**
   * New tier prices (and keys) for a published event: seats, areas and active holds take them in
   * one transaction, so a hold and its checkout charge what the event page shows. `in_use` once
   * anything has sold. Repeating it is harmless. The seat map carries no prices, so no version bump.
   */
  async reprice(input: RepriceInput, now: number = Date.now()): Promise<RepriceResult> {
    if (!this.config()) return fail("not_found", "inventory is not initialized");
    const result = this.tx((): RepriceResult => {
      const p = new Pending();
      // Holds past their deadline are released first, so they are not re-priced as if still active.
      this.expireDue(now, p);
      const r = repriceInventory(this.sql, input.layout, input.tiers);
      this.commit(p);
      return r;
    });
    await this.rearm();
    return result;
  }

  /**
   * Holds explicit seats, a best-available pick in a tier, or a GA quantity, all or nothing.
   * Failures: `seats_unavailable` (with conflicts), `unknown_seats`, `sold_out`, `limit_exceeded`.
   */
  async hold(input: HoldInput, now: number = Date.now()): Promise<HoldResult> {
    const config = this.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    const { userId, request } = input;
    const ipHash = input.ipHash ?? null;
    // A signature cannot say that the fan has left the queue or spent the slot: revocations
    // live here, so the hold path asks no one else.
    if (input.admission && isRevoked(this.sql, input.admission.ticket))
      return fail("admission_revoked", "The admission token was given back or used up; join the queue again");
    const admission: Admission | null =
      input.admission ?? (input.orderId ? liveOrderAdmission(this.sql, input.orderId, now) : null);
    // The object knows its sales window and waiting-room switch, so the hold path reads no D1.
    const closed = saleProblem(config, admission != null || (input.admitted ?? false), now);
    if (closed) return closed;
    // Expiry, check and write all happen in this ONE synchronous transaction with no await in
    // between: this is what makes two fans unable to win the same seat.
    const result = this.tx((): HoldResult => {
      const p = new Pending();
      this.expireDue(now, p);
      const done = (r: HoldResult): HoldResult => {
        const v = this.commit(p);
        return r.ok ? { ...r, version: v } : r;
      };
      const quantity = "seats" in request ? new Set(request.seats).size : request.quantity;
      if (!Number.isInteger(quantity) || quantity < 1)
        return done(fail("invalid_state", "quantity must be a positive integer"));
      if (quantity > config.maxSeatsPerOrder)
        return done(fail("limit_exceeded", `at most ${config.maxSeatsPerOrder} per order`));
      if (config.maxSeatsPerUser != null && this.userCount(userId) + quantity > config.maxSeatsPerUser) {
        return done(fail("limit_exceeded", `at most ${config.maxSeatsPerUser} per user for this event`));
      }
      const holdId = crypto.randomUUID();
      const deadline = now + config.holdSeconds * 1000;

      if ("area" in request) {
        const area = this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, request.area).toArray()[0];
        if (!area) return done(fail("not_found", `no area "${request.area}"`));
        const remaining = area.capacity - area.held - area.sold;
        if (remaining < quantity) return done(fail("sold_out", `only ${remaining} left in "${area.id}"`));
        this.sql.exec(`UPDATE areas SET held = held + ? WHERE id = ?`, quantity, area.id);
        const amount = area.price * quantity;
        this.sql.exec(
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
        if (admission) tagHold(this.sql, holdId, admission);
        this.auditHold(
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
      const found = this.loadSeats(ids);
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
      this.sql.exec(
        `INSERT INTO holds (id, user_id, status, kind, quantity, amount, currency, deadline, created_at, ip_hash)
         VALUES (?, ?, 'active', 'seats', ?, ?, ?, ?, ?, ?)`,
        holdId,
        userId,
        ids.length,
        amount,
        config.currency,
        deadline,
        now,
        ipHash,
      );
      if (admission) tagHold(this.sql, holdId, admission);
      this.auditHold(
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
      for (const part of chunks(ids, MAX_PARAMS - 1)) {
        this.sql.exec(
          `UPDATE seats SET status = 'held', hold_id = ? WHERE id IN (${part.map(() => "?").join(",")})`,
          holdId,
          ...part,
        );
      }
      for (const part of chunks(ids, Math.floor(MAX_PARAMS / 2))) {
        this.sql.exec(
          `INSERT INTO hold_seats (hold_id, seat_id) VALUES ${part.map(() => "(?,?)").join(",")}`,
          ...part.flatMap((id) => [holdId, id]),
        );
      }
      for (const id of ids) p.seat(id, "held");
      return done({ ok: true, holdId, seats, amount, currency: config.currency, expiresAt: deadline, version: 0 });
    });
    await this.rearm();
    return result;
  }

  /** Reads a hold. A live hold past its deadline reads as `expired` even before the alarm runs. */
  async getHold(holdId: string, now: number = Date.now()): Promise<GetHoldResult> {
    const h = this.getHoldRow(holdId);
    if (!h) return fail("not_found", `no hold "${holdId}"`);
    return { ok: true, hold: this.toView(h, now) };
  }

  /** The owner gives a live hold back. `not_owner` for anyone else. */
  async release(holdId: string, userId: string, now: number = Date.now()): Promise<HoldChangeResult> {
    return this.changeHold(now, (p) => {
      const h = this.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.user_id !== userId) r = fail("not_owner", "the hold belongs to another user");
      else if (h.status !== "active" && h.status !== "checking_out") r = fail("invalid_state", `hold is ${h.status}`);
      else {
        this.releaseRow(h, "released", p, "owner");
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
  async beginCheckout(
    holdId: string,
    userId: string,
    orderId?: string,
    now: number = Date.now(),
  ): Promise<HoldChangeResult> {
    const config = this.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    return this.changeHold(now, () => {
      const h = this.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.user_id !== userId) r = fail("not_owner", "the hold belongs to another user");
      else if (h.status === "checking_out")
        r = { ok: true, holdId, status: h.status, expiresAt: h.deadline, version: 0 };
      else if (h.status !== "active") r = fail("invalid_state", `hold is ${h.status}`);
      else {
        const deadline = h.extended ? h.deadline : h.deadline + config.paymentWindowSeconds * 1000;
        this.sql.exec(
          `UPDATE holds SET status = 'checking_out', deadline = ?, extended = 1, order_id = COALESCE(?, order_id)
           WHERE id = ?`,
          deadline,
          orderId ?? null,
          holdId,
        );
        this.auditHold("hold.checkout", { ...h, order_id: orderId ?? h.order_id }, { expiresAt: deadline });
        r = { ok: true, holdId, status: "checking_out", expiresAt: deadline, version: 0 };
      }
      return r;
    });
  }

  /**
   * Payment succeeded: the hold's seats (or GA places) become sold. Idempotent for the same
   * orderId; a hold already released or expired answers `invalid_state` (use `reacquire`).
   */
  async confirm(holdId: string, orderId: string, now: number = Date.now()): Promise<HoldChangeResult> {
    return this.changeHold(now, (p) => {
      const h = this.getHoldRow(holdId);
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
          const ids = this.holdSeatIds(holdId);
          this.sql.exec(`UPDATE seats SET status = 'sold' WHERE hold_id = ? AND status = 'held'`, holdId);
          for (const id of ids) p.seat(id, "sold");
        } else if (h.area_id) {
          this.sql.exec(
            `UPDATE areas SET held = MAX(0, held - ?), sold = sold + ? WHERE id = ?`,
            h.quantity,
            h.quantity,
            h.area_id,
          );
          p.areas[h.area_id] = this.areaRemaining(h.area_id);
        }
        this.sql.exec(`UPDATE holds SET status = 'confirmed', order_id = ? WHERE id = ?`, orderId, holdId);
        // The purchase spends the shopping slot: its token stops working in this same transaction.
        if (h.admission_ticket) revoke(this.sql, h.admission_ticket, h.admission_exp ?? now, now);
        this.auditHold("hold.confirmed", { ...h, order_id: orderId });
        r = { ok: true, holdId, status: "confirmed", expiresAt: h.deadline, version: 0 };
      }
      return r;
    });
  }

  /** Payment failed or was cancelled: release the hold at once, whoever asks. */
  async abandon(holdId: string, now: number = Date.now()): Promise<HoldChangeResult> {
    return this.changeHold(now, (p) => {
      const h = this.getHoldRow(holdId);
      let r: HoldChangeResult;
      if (!h) r = fail("not_found", `no hold "${holdId}"`);
      else if (h.status === "released" || h.status === "expired")
        r = { ok: true, holdId, status: h.status, expiresAt: h.deadline, version: 0 };
      else if (h.status === "confirmed") r = fail("invalid_state", "hold is confirmed");
      else {
        this.releaseRow(h, "released", p, "payment");
        r = { ok: true, holdId, status: "released", expiresAt: h.deadline, version: 0 };
      }
      return r;
    });
  }

  /**
   * A payment that succeeded after its hold expired: sell the same seats (or GA places) if they
   * are all still available, else `seats_unavailable` with conflicts (or `sold_out` for GA).
   * Idempotent for the same orderId.
   */
  async reacquire(
    input: ReacquireInput,
    orderId: string,
    userId: string,
    now: number = Date.now(),
  ): Promise<ReacquireResult> {
    const config = this.config();
    if (!config) return fail("not_found", "inventory is not initialized");
    const result = this.tx((): ReacquireResult => {
      const p = new Pending();
      this.expireDue(now, p);
      const done = (r: ReacquireResult): ReacquireResult => {
        const v = this.commit(p);
        return r.ok ? { ...r, version: v } : r;
      };
      const prior = this.sql
        .exec<HoldRow>(`SELECT * FROM holds WHERE order_id = ? AND status = 'confirmed'`, orderId)
        .toArray()[0];
      if (prior) {
        const ids = this.holdSeatIds(prior.id);
        const seats = [...this.loadSeats(ids).values()].map((s) => ({ id: s.id, tier: s.tier ?? "", price: s.price }));
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
        const a = orderAdmission(this.sql, orderId);
        if (a) revoke(this.sql, a.ticket, a.expiresAt, now);
      };
      const holdId = crypto.randomUUID();
      if (input.area) {
        const area = this.sql.exec<AreaRow>(`SELECT * FROM areas WHERE id = ?`, input.area.id).toArray()[0];
        if (!area) return done(fail("not_found", `no area "${input.area.id}"`));
        const q = input.area.quantity;
        const remaining = area.capacity - area.held - area.sold;
        if (remaining < q) return done(fail("sold_out", `only ${remaining} left in "${area.id}"`));
        this.sql.exec(`UPDATE areas SET sold = sold + ? WHERE id = ?`, q, area.id);
        const amount = area.price * q;
        this.sql.exec(
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
        this.auditHold(
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
      const found = this.loadSeats(ids);
      const unknown = ids.filter((id) => !found.has(id));
      if (unknown.length)
        return done(fail("unknown_seats", `${unknown.length} seat id(s) are not in this event`, unknown));
      const conflicts = ids.filter((id) => found.get(id)!.status !== "available");
      if (conflicts.length)
        return done(fail("seats_unavailable", `${conflicts.length} seat(s) are no longer available`, conflicts));
      const seats = ids.map((id) => ({ id, tier: found.get(id)!.tier ?? "", price: found.get(id)!.price }));
      const amount = seats.reduce((n, s) => n + s.price, 0);
      this.sql.exec(
        `INSERT INTO holds (id, user_id, status, kind, quantity, amount, currency, deadline, order_id, created_at)
         VALUES (?, ?, 'confirmed', 'seats', ?, ?, ?, ?, ?, ?)`,
        holdId,
        userId,
        ids.length,
        amount,
        config.currency,
        now,
        orderId,
        now,
      );
      this.auditHold(
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
      for (const part of chunks(ids, MAX_PARAMS - 1)) {
        this.sql.exec(
          `UPDATE seats SET status = 'sold', hold_id = ? WHERE id IN (${part.map(() => "?").join(",")})`,
          holdId,
          ...part,
        );
      }
      for (const part of chunks(ids, Math.floor(MAX_PARAMS / 2))) {
        this.sql.exec(
          `INSERT INTO hold_seats (hold_id, seat_id) VALUES ${part.map(() => "(?,?)").join(",")}`,
          ...part.flatMap((id) => [holdId, id]),
        );
      }
      for (const id of ids) p.seat(id, "sold");
      spend();
      return done({ ok: true, holdId, seats, amount, currency: config.currency, version: 0 });
    });
    await this.rearm();
    return result;
  }

  /**
   * A refund gives sold seats (or GA places) of `orderId` back to sale. Only seats this order
   * bought are touched, and each `refundId` applies once, so a retried refund is harmless.
   */
  async returnToSale(input: ReturnInput, now: number = Date.now()): Promise<ReturnResult> {
    const result = this.tx((): ReturnResult => {
      const p = new Pending();
      this.expireDue(now, p);
      if (this.sql.exec(`SELECT 1 FROM returns WHERE id = ?`, input.refundId).toArray().length) {
        return { ok: true, returned: [], areaPlaces: 0, version: this.commit(p) };
      }
      const holds = this.sql
        .exec<HoldRow>(`SELECT * FROM holds WHERE order_id = ? AND status = 'confirmed'`, input.orderId)
        .toArray();
      if (!holds.length) {
        this.commit(p);
        return fail("not_found", `no confirmed sale for order "${input.orderId}"`);
      }
      const returned: string[] = [];
      // What each of the order's holds gave back, for its audit entry.
      const back = new Map<string, { seats: string[]; places: number }>();
      for (const id of new Set(input.seats ?? [])) {
        const s = this.sql.exec<SeatRow>(`SELECT * FROM seats WHERE id = ?`, id).toArray()[0];
        const owner = s && holds.find((h) => h.id === s.hold_id);
        if (s?.status !== "sold" || !owner) continue;
        this.sql.exec(`UPDATE seats SET status = 'available', hold_id = NULL WHERE id = ?`, id);
        this.sql.exec(`UPDATE holds SET returned = returned + 1 WHERE id = ?`, owner.id);
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
          this.sql.exec(`UPDATE areas SET sold = MAX(0, sold - ?) WHERE id = ?`, areaPlaces, owner.area_id);
          this.sql.exec(`UPDATE holds SET returned = returned + ? WHERE id = ?`, areaPlaces, owner.id);
          p.areas[input.area.id] = this.areaRemaining(input.area.id);
          const b = back.get(owner.id) ?? { seats: [], places: 0 };
          b.places += areaPlaces;
          back.set(owner.id, b);
        }
      }
      for (const [holdId, b] of back) {
        const h = holds.find((x) => x.id === holdId)!;
        this.auditHold(
          "hold.returned",
          h,
          { refundId: input.refundId, seats: b.seats, areaPlaces: b.places },
          `returned:${input.refundId}`,
        );
      }
      this.sql.exec(
        `INSERT INTO returns (id, order_id, created_at) VALUES (?, ?, ?)`,
        input.refundId,
        input.orderId,
        now,
      );
      return { ok: true, returned, areaPlaces, version: this.commit(p) };
    });
    await this.rearm();
    return result;
  }

  /**
   * The waiting room revokes a ticket's admission (the fan left): holds with its token are refused
   * from now on, though the signature stays valid until `until`.
   */
  async revokeAdmission(ticket: string, until: number, now: number = Date.now()): Promise<{ ok: true }> {
    revoke(this.sql, ticket, until, now);
    return { ok: true };
  }

  /**
   * The waiting room sold out and sleeps: it asks to be told (`restocked`) when places come back.
   * Answers whether the event is still sold out, so a return that raced the room's own read is
   * not missed.
   */
  async watchRestock(): Promise<boolean> {
    setRestockWatch(this.sql, true);
    this.restockWatch = true;
    const soldOut = this.soldOut();
    if (!soldOut) {
      setRestockWatch(this.sql, false);
      this.restockWatch = false;
    }
    return soldOut;
  }

  /** Organizer holds seats back. Held or sold seats cannot be blocked (`seats_unavailable`). */
  async block(seatIds: string[], now: number = Date.now()): Promise<BlockResult> {
    return this.setBlocked(seatIds, true, now);
  }

  /** Organizer returns blocked seats to sale; seats in other states are left alone. */
  async unblock(seatIds: string[], now: number = Date.now()): Promise<BlockResult> {
    return this.setBlocked(seatIds, false, now);
  }

  private async setBlocked(seatIds: string[], block: boolean, now: number): Promise<BlockResult> {
    const result = this.tx((): BlockResult => {
      const p = new Pending();
      this.expireDue(now, p);
      const ids = [...new Set(seatIds)];
      const found = this.loadSeats(ids);
      const done = (r: BlockResult): BlockResult => {
        const v = this.commit(p);
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
        this.sql.exec(`UPDATE seats SET status = '${to}' WHERE id IN (${part.map(() => "?").join(",")})`, ...part);
      }
      for (const id of changed) p.seat(id, to);
      return done({ ok: true, changed, version: 0 });
    });
    await this.rearm();
    return result;
  }

  /**
   * The shape every hold-state change shares: expire what is due, decide and write in one
   * synchronous transaction (no await inside, so no other call interleaves), stamp the new
   * version on success, then re-arm the alarm.
   */
  private async changeHold(now: number, decide: (p: Pending) => HoldChangeResult): Promise<HoldChangeResult> {
    const result = this.tx((): HoldChangeResult => {
      const p = new Pending();
      this.expireDue(now, p);
      const r = decide(p);
      const v = this.commit(p);
      return r.ok ? { ...r, version: v } : r;
    });
    await this.rearm();
    return result;
  }

  /** Releases every expired hold in one transaction and re-arms; early or repeated runs are harmless. */
  override async alarm(): Promise<void> {
    const now = Date.now();
    this.armedAt = undefined; // the runtime cleared the alarm that just fired
    let expired = 0;
    this.tx(() => {
      const p = new Pending();
      expired = this.expireDue(now, p);
      this.commit(p);
    });
    await this.rearm();
    // The alarm is also the outbox's retry: wait for the send so a failure re-arms it.
    if (this.flushing) await this.flushing;
    log("info", "inventory alarm", { eventId: this.eventId(), expired, durationMs: Date.now() - now });
  }

  /** Releases holds past their deadline, if any, so what is read next is current. */
  private async settleDue(now: number): Promise<void> {
    const due = this.sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM holds WHERE status IN ${LIVE} AND deadline <= ?`, now)
      .one().n;
    if (due === 0) return;
    this.tx(() => {
      const p = new Pending();
      this.expireDue(now, p);
      this.commit(p);
    });
    await this.rearm();
  }

  /** The current version alone: lets a client's If-None-Match be answered without the map. */
  async currentVersion(now: number = Date.now()): Promise<number> {
    await this.settleDue(now);
    return this.version();
  }

  /** The whole map, compact: one SELECT over the seats. Expired holds are released first. */
  async snapshot(now: number = Date.now()): Promise<Snapshot> {
    await this.settleDue(now);
    const seats: Record<string, SeatCode> = {};
    for (const r of this.sql.exec<{ id: string; status: SeatStatus }>(`SELECT id, status FROM seats`))
      seats[r.id] = CODE[r.status];
    const areas: Record<string, number> = {};
    for (const a of this.sql.exec<AreaRow>(`SELECT * FROM areas`)) areas[a.id] = a.capacity - a.held - a.sold;
    return { version: this.version(), seats, areas };
  }

  /** Deltas after `version`, or `{resync: true}` when the log no longer reaches back that far. */
  async changesSince(version: number): Promise<ChangesResult> {
    const current = this.version();
    if (version >= current) return { version: current, changes: [] };
    const min = this.sql.exec<{ v: number | null }>(`SELECT MIN(version) AS v FROM changes`).one().v;
    if (min == null || min > version + 1) return { resync: true, version: current };
    const changes = this.sql
      .exec<{ json: string }>(`SELECT json FROM changes WHERE version > ? ORDER BY version`, version)
      .toArray()
      .map((r) => JSON.parse(r.json) as Change);
    return { version: current, changes };
  }

  /** Counts per tier and state, plus every GA area. */
  async inventory(): Promise<InventoryCounts> {
    const tiers: InventoryCounts["tiers"] = {};
    for (const r of this.sql.exec<{ tier: string | null; status: SeatStatus; n: number }>(
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
    const areas = this.sql
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
    return { version: this.version(), tiers, areas };
  }

  // ---------------------------------------------------------------- live sockets

  /**
   * The WebSocket upgrade for `GET /v1/events/{id}/live` (the Worker authenticates and forwards).
   * The first message is the deltas after `?version=` when the log still reaches, else a snapshot.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket upgrade", { status: 426 });
    const raw = new URL(request.url).searchParams.get("version");
    const version = raw != null && /^\d+$/.test(raw) ? Number(raw) : null;
    return this.live.accept(request.headers.get("X-Live-User"), await this.catchUp(version));
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
    const reply = (m: ServerMessage) => safeSend(ws, JSON.stringify(m));
    let parsed: unknown;
    try {
      parsed = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
    } catch {
      return reply({ type: "error", code: "malformed", message: "messages are JSON objects" });
    }
    const msg = ClientMessageSchema.safeParse(parsed);
    if (!msg.success)
      return reply({
        type: "error",
        code: "malformed",
        message: 'expected {type:"resync", version} or {type:"watch_hold", holdId}',
      });
    if (msg.data.type === "resync") return reply(await this.catchUp(msg.data.version));
    const state = ws.deserializeAttachment() as SocketState | null;
    const holdId = msg.data.holdId.includes("~")
      ? msg.data.holdId.slice(msg.data.holdId.indexOf("~") + 1)
      : msg.data.holdId;
    const h = this.getHoldRow(holdId);
    if (!h) return reply({ type: "error", code: "not_found", message: "no such hold" });
    if (!state?.userId || state.userId !== h.user_id)
      return reply({
        type: "error",
        code: "forbidden",
        message: "you can follow only your own holds (connect with ?token=)",
      });
    const publicId = encodeHoldId(this.eventId(), h.id);
    this.live.follow(ws, publicId);
    const view = this.toView(h, Date.now());
    reply({ type: "hold", holdId: publicId, status: view.status, expiresAt: view.expiresAt, serverTime: Date.now() });
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }
}
