import { log } from "../../observability/log";
import type { OutboxQueue } from "./rows";

/** Rows per outbox read, and the most a Queues sendBatch accepts. */
const OUTBOX_BATCH = 100;

/**
 * How long a flush waits before it reads the outbox: the changes of a burst (a fan's hold and
 * release, a checkout and its intent, many fans at once) then ship in one pass, and the shipping
 * runs after their answers instead of between them. Measured with `npm run bench -- ab`: at one
 * client a hold answers about 9% sooner and a release about 21% sooner with it. Queue consumers
 * see a change this much later, far inside the ledger's lag.
 */
export const OUTBOX_LINGER_MS = 25;

/**
 * Audit entries alone ship at most this often per object. In an on-sale every hold and release
 * writes one, and each pass (read, sendBatch, delete) costs the object's one thread about the
 * same whether it carries one entry or a hundred: one pass per change made audit the largest
 * share of a hold after the rate limit (`docs/performance.md`). An entry after a quiet spell still
 * leaves after the short linger; ledger and payments rows always do (pacing the ledger too was
 * measured: its lag grew by about 150 ms for no purchase throughput that showed above the noise).
 */
export const PACED_INTERVAL_MS = 250;

/** How soon what a change wrote must leave: `paced` (within the interval) or `soon` (after the linger). */
export type ShipPace = "paced" | "soon";

/** A sendBatch carries at most 256 KB; pages stay well under it. */
const BATCH_BYTES = 200_000;

/** Splits rows into pages that each fit one sendBatch. */
function bySize<T extends { body: string }>(rows: T[]): T[][] {
  const pages: T[][] = [];
  let page: T[] = [];
  let bytes = 0;
  for (const r of rows) {
    if (page.length && bytes + r.body.length > BATCH_BYTES) {
      pages.push(page);
      page = [];
      bytes = 0;
    }
    page.push(r);
    bytes += r.body.length;
  }
  if (page.length) pages.push(page);
  return pages;
}

/**
 * Ships the object's outbox (rows written in the same transaction as the change that causes
 * them) to the ledger, payments and audit queues, after the response. One flush at a time, after
 * a linger: changes made meanwhile, or while a send is in flight, ride along on the same or one
 * more pass, so a burst of holds goes out in a few sendBatch calls instead of one per hold. A
 * failed send leaves its rows; `onFailure` arms the alarm that retries.
 */
export class InventoryOutbox {
  private flushing: Promise<boolean> | null = null;
  private flushAgain = false;
  /** Rows that must leave after the short linger are waiting (ledger, payments). */
  private urgent = false;
  /** When the last pass read the outbox. */
  private lastPassAt = Number.NEGATIVE_INFINITY;
  /** The linger in progress: when it ends, and how to end it sooner. */
  private wake: { at: number; timer: ReturnType<typeof setTimeout>; resolve: () => void } | null = null;

  constructor(
    private readonly sql: SqlStorage,
    private readonly env: Env,
    private readonly ctx: DurableObjectState,
    private readonly onFailure: () => Promise<void>,
    private readonly onSuccess: () => void,
    private readonly pacedIntervalMs = PACED_INTERVAL_MS,
  ) {}

  /** The flush in flight, if any (the alarm waits for it, so a failure re-arms it). */
  get inFlight(): Promise<boolean> | null {
    return this.flushing;
  }

  /**
   * Ships outbox rows to their queues, one sendBatch per queue and page, then deletes what was
   * sent. At-least-once: a crash between send and delete sends again, and the consumers are
   * idempotent. One SELECT when the outbox is empty. Returns false when a send failed.
   */
  private async flushOnce(): Promise<boolean> {
    const rows = this.sql
      .exec<{ id: number; queue: OutboxQueue; body: string }>(
        `SELECT id, queue, body FROM outbox ORDER BY id LIMIT ${OUTBOX_BATCH}`,
      )
      .toArray();
    if (!rows.length) return true;
    let ok = true;
    const sent: number[] = [];
    // The ledger first: a payments message may be about rows the ledger is about to write.
    for (const queue of ["ledger", "payments", "audit"] as const) {
      for (const list of bySize(rows.filter((r) => r.queue === queue))) {
        try {
          await this.binding(queue).sendBatch(
            list.map((r) => ({ body: JSON.parse(r.body) as unknown, contentType: "json" as const })),
          );
        } catch (err) {
          log("error", "inventory outbox send failed", { queue, rows: list.length, error: String(err) });
          ok = false;
          continue;
        }
        for (const r of list) sent.push(r.id);
      }
    }
    // One DELETE for every row sent (a crash before it sends them again: the consumers are idempotent).
    if (sent.length) this.sql.exec(`DELETE FROM outbox WHERE id IN (${sent.map(() => "?").join(",")})`, ...sent);
    return ok && rows.length === OUTBOX_BATCH ? this.flushOnce() : ok;
  }

  /** Waits the linger: short for `soon` rows or after a quiet spell, else until the paced interval is up. */
  private linger(): Promise<void> {
    const soon = Date.now() + OUTBOX_LINGER_MS;
    const at = this.urgent ? soon : Math.max(soon, this.lastPassAt + this.pacedIntervalMs);
    return new Promise((resolve) => this.wakeAt(at, resolve));
  }

  /** Ends a paced linger at the short linger from now, when `soon` rows are waiting. */
  private hurry(): void {
    const w = this.wake;
    const at = Date.now() + OUTBOX_LINGER_MS;
    if (!w || !this.urgent || at >= w.at) return;
    clearTimeout(w.timer);
    this.wakeAt(at, w.resolve);
  }

  private wakeAt(at: number, resolve: () => void): void {
    const timer = setTimeout(
      () => {
        this.wake = null;
        resolve();
      },
      Math.max(0, at - Date.now()),
    );
    this.wake = { at, timer, resolve };
  }

  private binding(queue: OutboxQueue): Queue {
    return queue === "audit" ? this.env.AUDIT : queue === "ledger" ? this.env.LEDGER : this.env.PAYMENTS;
  }

  /**
   * Starts shipping without holding up the caller; joins the flush in flight if there is one.
   * `soon` rows (or a retry) end a longer paced linger early.
   */
  start(pace: ShipPace = "soon"): Promise<boolean> {
    if (pace === "soon") this.urgent = true;
    if (this.flushing) {
      this.flushAgain = true;
      this.hurry();
      return this.flushing;
    }
    const run = async (): Promise<boolean> => {
      let ok: boolean;
      do {
        await this.linger();
        // Whatever arrives from here on rides the next pass (one more, after its own linger).
        this.flushAgain = false;
        this.urgent = false;
        this.lastPassAt = Date.now();
        ok = await this.flushOnce();
      } while (ok && this.flushAgain);
      return ok;
    };
    const p = run().then(
      async (ok) => {
        this.flushing = null;
        if (ok) this.onSuccess();
        else await this.onFailure();
        return ok;
      },
      async (err: unknown) => {
        this.flushing = null;
        log("error", "inventory outbox flush crashed", { error: String(err) });
        await this.onFailure();
        return false;
      },
    );
    this.flushing = p;
    this.ctx.waitUntil(p);
    return p;
  }
}
