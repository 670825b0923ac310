// Per-scenario counters and latency summary. Every HTTP request of a scenario is recorded here.

export class Stats {
  /** @param {string} scenario @param {number} concurrency */
  constructor(scenario, concurrency) {
    this.scenario = scenario;
    this.concurrency = concurrency;
    /** @type {number[]} */
    this.latencies = [];
    /** requests started (the budget gate); `latencies.length` is requests finished */
    this.issued = 0;
    this.ok = 0;
    this.conflicts = 0;
    this.errors = 0;
    this.rateLimited = 0;
    this.holds = 0;
    this.releases = 0;
    /** @type {string[]} a few error samples for stderr */
    this.samples = [];
    /** @type {Record<string, number>} scenario-specific counters, appended to the JSON line */
    this.extra = {};
    /** @type {Map<string, number[]>} per-step latencies of multi-request operations (reported as `<step>_p50_ms`) */
    this.steps = new Map();
    this.started = performance.now();
    this.ended = this.started;
  }

  /**
   * @param {"hold" | "release" | "purchase" | "request"} kind
   * @param {number} ms wall time of the request
   * @param {number} status HTTP status, 0 for a network error
   * @param {string} [detail]
   */
  record(kind, ms, status, detail) {
    this.latencies.push(ms);
    if (kind === "hold") this.holds++;
    else if (kind === "release") this.releases++;
    if (status >= 200 && status < 300) this.ok++;
    else if (status === 409) this.conflicts++;
    else if (status === 429) this.rateLimited++;
    else {
      this.errors++;
      if (this.samples.length < 5)
        this.samples.push(`${kind} → ${status || "network error"}${detail ? `: ${detail.slice(0, 300)}` : ""}`);
    }
  }

  /** @param {string} key @param {number} [by] */
  count(key, by = 1) {
    this.extra[key] = (this.extra[key] ?? 0) + by;
  }

  /** @param {string} step @param {number} ms */
  step(step, ms) {
    const l = this.steps.get(step) ?? [];
    l.push(ms);
    this.steps.set(step, l);
  }

  finish() {
    this.ended = performance.now();
  }

  /**
   * One scenario's slices as one: requests, counters and latencies added up, and the elapsed time
   * the sum of the slices' own (the gaps between them, when the other server ran, left out).
   * @param {Stats[]} slices
   */
  static merge(slices) {
    const first = slices[0];
    if (!first) throw new Error("no slices to merge");
    const out = new Stats(first.scenario, first.concurrency);
    let elapsed = 0;
    for (const s of slices) {
      out.latencies.push(...s.latencies);
      out.issued += s.issued;
      out.ok += s.ok;
      out.conflicts += s.conflicts;
      out.errors += s.errors;
      out.rateLimited += s.rateLimited;
      out.holds += s.holds;
      out.releases += s.releases;
      for (const m of s.samples) if (out.samples.length < 5) out.samples.push(m);
      for (const [k, v] of Object.entries(s.extra)) out.count(k, v);
      for (const [k, l] of s.steps) for (const ms of l) out.step(k, ms);
      elapsed += s.ended - s.started;
    }
    out.started = 0;
    out.ended = elapsed;
    out.extra.slices = slices.length;
    return out;
  }

  /** The JSON line: the required keys first, extras after. */
  summary() {
    const pctOf = (/** @type {number[]} */ l, /** @type {number} */ p) => {
      const sorted = Float64Array.from(l).sort();
      return sorted.length
        ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))]
        : 0;
    };
    const pct = (/** @type {number} */ p) => pctOf(this.latencies, p);
    const r1 = (/** @type {number} */ v) => Math.round(v * 10) / 10;
    const seconds = (this.ended - this.started) / 1000;
    const requests = this.latencies.length;
    return {
      scenario: this.scenario,
      concurrency: this.concurrency,
      requests,
      ok: this.ok,
      conflicts: this.conflicts,
      errors: this.errors,
      rps: seconds > 0 ? Math.round(requests / seconds) : 0,
      p50_ms: r1(pct(50)),
      p99_ms: r1(pct(99)),
      rate_limited: this.rateLimited,
      holds: this.holds,
      releases: this.releases,
      elapsed_s: r1(seconds),
      ...this.extra,
      ...Object.fromEntries([...this.steps].map(([k, l]) => [`${k}_p50_ms`, r1(pctOf(l, 50))])),
    };
  }
}
