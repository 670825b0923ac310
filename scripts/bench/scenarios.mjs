// The load scenarios. Each one is a pool of `concurrency` async loops sharing a request budget
// and a time cap. Accounting: `requests` counts EVERY HTTP request of the scenario, holds
// (POST /v1/events/{id}/holds) and releases (DELETE /v1/holds/{id}) alike; both are timed and
// feed p50/p99, and both count against the request budget. The budget gates starting a new
// operation; the release that follows a successful hold always runs, so a scenario can overshoot
// its budget by at most `concurrency` requests. The split is reported as the extra keys `holds`
// and `releases`.
import { Stats } from "./stats.mjs";

/**
 * Client-side record of every successful hold, for the invariant check.
 * `uncertain` marks a hold whose release got no clean answer (network error / unexpected status):
 * it may or may not be live, so the check leaves its seats out of the drift counts.
 * @typedef {{ seats: string[], fan: number, released: boolean, uncertain: boolean }} HoldRecord
 */
export class Ledger {
  constructor() {
    /** @type {Map<string, HoldRecord>} */
    this.holds = new Map();
  }
  /** @returns {HoldRecord[]} */
  live() {
    return [...this.holds.values()].filter((h) => !h.released);
  }
}

/**
 * @typedef {{ base: string, eventId: string, seatIds: string[], tokens: string[], ledger: Ledger, concurrency: number, timeCapMs: number }} Ctx
 */

const REQUEST_TIMEOUT_MS = 15_000;
let fanCursor = 0;
/** Round-robin over the fans so the per-user hold limiter (60 per 10 s) never binds. */
const nextFan = (/** @type {Ctx} */ ctx) => (fanCursor = (fanCursor + 1) % ctx.tokens.length);
const randInt = (/** @type {number} */ lo, /** @type {number} */ hi) => lo + Math.floor(Math.random() * (hi - lo + 1));
const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));

/**
 * `n` distinct random elements of `from`.
 * @param {string[]} from @param {number} n
 */
function pick(from, n) {
  const out = new Set();
  while (out.size < n) out.add(from[Math.floor(Math.random() * from.length)]);
  return [...out];
}

/**
 * One timed request; the body is read inside the timing.
 * @param {Stats} stats @param {"hold" | "release"} kind @param {string} url @param {RequestInit} init
 */
async function timed(stats, kind, url, init) {
  stats.issued++;
  const t0 = performance.now();
  let status = 0;
  let text = "";
  let detail;
  try {
    const res = await fetch(url, { ...init, signal: AbortSignal.timeout(REQUEST_TIMEOUT_MS) });
    status = res.status;
    text = await res.text();
  } catch (err) {
    status = 0;
    detail = String(/** @type {Error} */ (err)?.cause ?? err);
  }
  stats.record(kind, performance.now() - t0, status, detail ?? text);
  return { status, text };
}

/**
 * Tries to hold `seats` as the next fan; records a success in the ledger.
 * @param {Ctx} ctx @param {Stats} stats @param {string[]} seats
 * @returns {Promise<string | null>} the hold id, or null
 */
async function hold(ctx, stats, seats) {
  const fan = nextFan(ctx);
  const { status, text } = await timed(stats, "hold", `${ctx.base}/v1/events/${ctx.eventId}/holds`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ctx.tokens[fan]}` },
    body: JSON.stringify({ seats }),
  });
  if (status !== 201) return null;
  const body = JSON.parse(text);
  ctx.ledger.holds.set(body.holdId, { seats: body.seats.map((/** @type {{id: string}} */ s) => s.id), fan, released: false, uncertain: false });
  return body.holdId;
}

/** @param {Ctx} ctx @param {Stats} stats @param {string} holdId */
async function release(ctx, stats, holdId) {
  const rec = /** @type {HoldRecord} */ (ctx.ledger.holds.get(holdId));
  const { status } = await timed(stats, "release", `${ctx.base}/v1/holds/${encodeURIComponent(holdId)}`, {
    method: "DELETE",
    headers: { authorization: `Bearer ${ctx.tokens[rec.fan]}` },
  });
  if (status === 204) rec.released = true;
  else rec.uncertain = true;
}

/**
 * Runs `op` in `concurrency` loops until `budget` requests have been issued or the time cap passes.
 * @param {Ctx} ctx @param {Stats} stats @param {number} budget @param {() => Promise<void>} op
 */
async function pool(ctx, stats, budget, op) {
  const until = performance.now() + ctx.timeCapMs;
  const loop = async () => {
    while (stats.issued < budget && performance.now() < until) await op();
  };
  await Promise.all(Array.from({ length: ctx.concurrency }, loop));
  stats.finish();
  return stats;
}

/**
 * spread: 1–4 random seats anywhere in the house; every second successful hold is released.
 * @param {Ctx} ctx @param {number} requests
 */
export async function spread(ctx, requests) {
  const stats = new Stats("spread", ctx.concurrency);
  let wins = 0;
  return pool(ctx, stats, requests, async () => {
    const id = await hold(ctx, stats, pick(ctx.seatIds, randInt(1, 4)));
    if (id && wins++ % 2 === 1) await release(ctx, stats, id);
  });
}

/**
 * hot: everyone fights over the same 50 seats (1–2 per request). A winner keeps its seats for
 * about three of its own round trips (0.5–1.5 × 3 × the hold's latency, at most 500 ms) and then
 * releases them, so the fight goes on and most hold attempts meet a 409 whatever the machine's
 * speed. That think time is part of the scenario's elapsed time, so its rps is not comparable
 * with spread's or churn's.
 * @param {Ctx} ctx @param {number} requests @param {string[]} hotSeats
 */
export async function hot(ctx, requests, hotSeats) {
  const stats = new Stats("hot", ctx.concurrency);
  return pool(ctx, stats, requests, async () => {
    const t = performance.now();
    const id = await hold(ctx, stats, pick(hotSeats, randInt(1, 2)));
    if (id) {
      await sleep(Math.min(500, 3 * (performance.now() - t)) * (0.5 + Math.random()));
      await release(ctx, stats, id);
    }
  });
}

/**
 * churn: hold 1–2 random seats, release at once.
 * @param {Ctx} ctx @param {number} requests
 */
export async function churn(ctx, requests) {
  const stats = new Stats("churn", ctx.concurrency);
  return pool(ctx, stats, requests, async () => {
    const id = await hold(ctx, stats, pick(ctx.seatIds, randInt(1, 2)));
    if (id) await release(ctx, stats, id);
  });
}
