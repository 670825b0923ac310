import { log } from "../../observability/log";
import { restockWatched, setRestockWatch } from "./admission";
import type { LiveChannel } from "./live-channel";
import { InventoryOutbox } from "./outbox";
import { LIVE, Pending } from "./rows";
import type { InventoryStore } from "./store";

/** After a failed outbox send, try again this much later (the alarm carries the retry). */
const OUTBOX_RETRY_MS = 30_000;

/**
 * What follows every committed change of the inventory: sockets get the deltas, the outbox
 * starts shipping, a sleeping waiting room hears of returned places, and the alarm moves to the
 * earliest live deadline (no storage write when it is already there, the common case on the
 * hold path; no read either unless a hold got a deadline before the armed one). The shell runs
 * each RPC's module call through `run`.
 */
export class AfterCommit {
  readonly outbox: InventoryOutbox;
  /** The alarm time this instance last set (undefined: unknown, e.g. after eviction or an alarm run). */
  armedAt: number | null | undefined;
  /** When the alarm must fire to retry a failed outbox send (null: nothing to retry). */
  private retryAt: number | null = null;
  /** The waiting room asked to hear of returned places (undefined: not read yet). */
  private restockWatch: boolean | undefined;
  private restockTelling = false;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
    private readonly s: InventoryStore,
    private readonly live: LiveChannel,
  ) {
    this.outbox = new InventoryOutbox(
      s.sql,
      env,
      ctx,
      () => this.armRetry(),
      () => {
        this.retryAt = null;
      },
    );
  }

  /**
   * The alarm: releases every expired hold in one transaction and re-arms; early or repeated runs
   * are harmless. It is also the outbox's retry, so it waits for the send and a failure re-arms it.
   */
  async alarm(now: number): Promise<void> {
    this.armedAt = undefined; // the runtime cleared the alarm that just fired
    const expired = await this.run(() =>
      this.s.tx(() => {
        const p = new Pending();
        const n = this.s.expireDue(now, p, true);
        this.s.commit(p);
        return n;
      }),
    );
    // The alarm is also the outbox's retry: rows a failed send or an eviction left behind go now.
    await this.outbox.start();
    log("info", "inventory alarm", { eventId: this.s.eventId(), expired, durationMs: Date.now() - now });
  }

  /** Runs one module call, then the after-commit step. */
  async run<T>(change: () => T): Promise<T> {
    const result = change();
    await this.follow();
    return result;
  }

  private async follow(): Promise<void> {
    // The earliest deadline is read again only when no alarm is known, or a hold got a deadline
    // before the armed one; an alarm that is early is harmless (it re-arms).
    const fresh = this.s.takeNewDeadline();
    const stale = this.armedAt === undefined || (fresh !== null && (this.armedAt === null || fresh < this.armedAt));
    const next = stale ? this.nextAlarm() : undefined;
    this.live.flush(() => this.s.soldOut());
    // A change that wrote no outbox row (a lost race, a read-only call) starts no flush.
    const pace = this.s.takeToShip();
    if (pace) void this.outbox.start(pace);
    await this.tellRestock();
    if (next === undefined || next === this.armedAt) return;
    if (next == null) await this.ctx.storage.deleteAlarm();
    else await this.ctx.storage.setAlarm(next);
    this.armedAt = next;
  }

  /** When the alarm should fire: the earliest live deadline, or the outbox's retry if sooner. */
  private nextAlarm(): number | null {
    const row = this.s.sql
      .exec<{ d: number | null }>(`SELECT MIN(deadline) AS d FROM holds WHERE status IN ${LIVE}`)
      .one();
    this.s.noteDeadlineFloor(row.d ?? null);
    return this.retryAt != null ? Math.min(row.d ?? Infinity, this.retryAt) : (row.d ?? null);
  }

  /** Makes the alarm fire soon enough to retry the outbox (or a lost restock notice). */
  private async armRetry(): Promise<void> {
    const at = Date.now() + OUTBOX_RETRY_MS;
    this.retryAt = at;
    if (this.armedAt == null || this.armedAt > at) {
      await this.ctx.storage.setAlarm(at);
      this.armedAt = at;
    }
  }

  /** The room's wish to hear of returned places, as `watchRestock` sets it. */
  watch(soldOut: boolean): void {
    setRestockWatch(this.s.sql, soldOut);
    this.restockWatch = soldOut;
  }

  /**
   * After a sell-out the waiting room sleeps; once places are back (a refund, an unblock, a
   * lapsed checkout) it is told, once, before the change that freed them answers, so a fan who
   * was told "sold out" is waiting again by the time the refund returns. Costs nothing on the hold
   * path unless the room is watching.
   */
  private async tellRestock(): Promise<void> {
    this.restockWatch ??= restockWatched(this.s.sql);
    if (!this.restockWatch || this.restockTelling || this.s.soldOut()) return;
    this.restockTelling = true;
    try {
      await this.env.WAITING_ROOM.getByName(this.s.eventId()).restocked();
      setRestockWatch(this.s.sql, false);
      this.restockWatch = false;
    } catch (err) {
      log("error", "waiting room not told of returned places", { error: String(err) });
      await this.armRetry();
    } finally {
      this.restockTelling = false;
    }
  }

  /** Releases holds past their deadline, if any, so what is read next is current. */
  async settleDue(now: number): Promise<void> {
    if (!this.s.mayHaveDue(now)) return;
    const due = this.s.sql
      .exec<{ n: number }>(`SELECT COUNT(*) AS n FROM holds WHERE status IN ${LIVE} AND deadline <= ?`, now)
      .one().n;
    if (due === 0) return;
    await this.run(() =>
      this.s.tx(() => {
        const p = new Pending();
        this.s.expireDue(now, p);
        this.s.commit(p);
      }),
    );
  }
}
