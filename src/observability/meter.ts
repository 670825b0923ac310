/**
 * Counts of the binding calls one unit of work made: a request, a queue batch or a cron run.
 * `d1` is statements, `d1Writes` those of them that may change a row (anything but a read), and
 * `d1RoundTrips` is calls to D1 (a `batch` of ten is ten statements, one round trip); `rpc` is
 * Durable Object stub calls (RPC methods and `fetch`).
 */
export type BindingCounts = { d1: number; d1Writes: number; d1RoundTrips: number; rpc: number };

/** A source's totals; `runs` is how many requests, batches or cron runs they add up. */
export type SourceTotals = BindingCounts & { runs: number };

/**
 * Totals per source (`request POST /v1/holds/:holdId/checkout`, `queue notifications`, `cron`)
 * since this isolate started. A Worker has no process-wide memory, so in production these are one
 * isolate's view; under `wrangler dev` (one isolate) they are the whole server's, which is what
 * the bench reads.
 */
const totals = new Map<string, SourceTotals>();
const startedAt = Date.now();

/** The counters of one unit of work; the metered bindings (src/observability/metered-env.ts) bump them. */
export class Meter implements BindingCounts {
  d1 = 0;
  d1Writes = 0;
  d1RoundTrips = 0;
  rpc = 0;
  private sink: BindingCounts | null = null;

  constructor(source?: string) {
    if (source) this.attribute(source);
  }

  /** One D1 round trip that ran `statements` statements, `writes` of them writes. */
  d1Trip(statements: number, writes: number): void {
    this.d1 += statements;
    this.d1Writes += writes;
    this.d1RoundTrips += 1;
    if (this.sink) {
      this.sink.d1 += statements;
      this.sink.d1Writes += writes;
      this.sink.d1RoundTrips += 1;
    }
  }

  /** One Durable Object call. */
  rpcCall(): void {
    this.rpc += 1;
    if (this.sink) this.sink.rpc += 1;
  }

  /**
   * Adds what was counted so far to `source`'s totals and sends later counts there too. A request
   * learns its route only after routing, and `waitUntil` work (outbox shipping) may run after its
   * log line: both still land in the totals.
   */
  attribute(source: string): void {
    if (this.sink) return;
    let sink = totals.get(source);
    if (!sink) {
      sink = { d1: 0, d1Writes: 0, d1RoundTrips: 0, rpc: 0, runs: 0 };
      totals.set(source, sink);
    }
    sink.runs += 1;
    sink.d1 += this.d1;
    sink.d1Writes += this.d1Writes;
    sink.d1RoundTrips += this.d1RoundTrips;
    sink.rpc += this.rpc;
    this.sink = sink;
  }

  /** The fields every request, queue-batch and cron log line carries. */
  fields(): BindingCounts {
    return { d1: this.d1, d1Writes: this.d1Writes, d1RoundTrips: this.d1RoundTrips, rpc: this.rpc };
  }
}

/** A copy of the totals per source, and when counting started (epoch ms). */
export function meterTotals(): { since: number; sources: Record<string, SourceTotals> } {
  const sources: Record<string, SourceTotals> = {};
  for (const [k, v] of totals) sources[k] = { ...v };
  return { since: startedAt, sources };
}
