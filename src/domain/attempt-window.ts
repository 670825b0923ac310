/** Hold attempts a fan may make on one event per window: the budget the old `HOLD_LIMITER` had. */
export const HOLD_ATTEMPTS = { limit: 60, periodMs: 10_000 } as const;

/** Windows kept before the ones that have ended are swept out. */
const SWEEP_AT = 5_000;

/**
 * Fixed-window attempt counts per key, in memory: the same rule as a `simple` Workers rate limit
 * (at most `limit` attempts in each `periodMs` window that starts with a key's first attempt).
 * Kept by the event's own object, which sees every hold attempt on its event in order on one
 * thread, so the count is exact for that event and costs a map lookup instead of a call out of the
 * object. Counts live as long as the object does; one that is evicted starts counting afresh,
 * as a rate limiter's counters may.
 */
export class AttemptWindow {
  private readonly windows = new Map<string, { start: number; count: number }>();
  private sweptAt = 0;

  constructor(
    private readonly limit: number,
    private readonly periodMs: number,
  ) {}

  /** Counts one attempt for `key` at `now`; false when it is over the window's budget (not counted). */
  take(key: string, now: number): boolean {
    this.sweep(now);
    const w = this.windows.get(key);
    if (!w || now - w.start >= this.periodMs) {
      this.windows.set(key, { start: now, count: 1 });
      return true;
    }
    if (w.count >= this.limit) return false;
    w.count++;
    return true;
  }

  /** Keys with a window open; ended windows may still be counted until the next sweep. */
  get size(): number {
    return this.windows.size;
  }

  /** Drops ended windows once the map is large, at most once a period, so memory stays bounded by the rush. */
  private sweep(now: number): void {
    if (this.windows.size < SWEEP_AT || now - this.sweptAt < this.periodMs) return;
    this.sweptAt = now;
    for (const [key, w] of this.windows) if (now - w.start >= this.periodMs) this.windows.delete(key);
  }
}
