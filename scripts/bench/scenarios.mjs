// The load scenarios. Each one is a pool of `concurrency` async loops sharing a request budget
// and a time cap. Accounting: `requests` counts EVERY HTTP request of the scenario, holds
// (POST /v1/events/{id}/holds) and releases (DELETE /v1/holds/{id}) alike; both are timed and
// feed p50/p99, and both count against the request budget. The budget gates starting a new
// operation; the release that follows a successful hold always runs, so a scenario can overshoot
// its budget by at most `concurrency` requests. The split is reported as the extra keys `holds`
// and `releases`.
//
// `purchase` is the exception: one "request" there is the whole hold → checkout → pay sequence
// (see `purchase` below).
import { randomUUID } from "node:crypto";
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
 * One request, body read inside the timing; never throws (status 0 on a network error).
 * @param {string} url @param {RequestInit} init
 * @returns {Promise<{ status: number, text: string, ms: number, detail: string }>}
 */
async function call(url, init) {
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
  return { status, text, ms: performance.now() - t0, detail: detail ?? text };
}

/**
 * One timed request recorded in `stats`.
 * @param {Stats} stats @param {"hold" | "release"} kind @param {string} url @param {RequestInit} init
 */
async function timed(stats, kind, url, init) {
  stats.issued++;
  const { status, text, ms, detail } = await call(url, init);
  stats.record(kind, ms, status, detail);
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

const GOOD_CARD = "4242 4242 4242 4242";
const DECLINE_CARD = "4000 0000 0000 0002";
const DECLINE_SHARE = 0.1;

/** @param {string} s */
const parse = (s) => {
  try {
    return JSON.parse(s);
  } catch {
    return {};
  }
};

/**
 * purchase: hold 1–2 seats that the seat map shows free (each loop takes them from one shuffled
 * pool, so loops do not fight each other), check out (`Idempotency-Key`, the buyer's token), and
 * pay through the simulated provider's page — about 10% with the decline card, which must release
 * the seats at once. After paying, the order is read back (untimed) and must be `paid` with one
 * valid ticket per seat, or `failed` with none after a decline; anything else is an error.
 *
 * Accounting: one request = the whole hold → checkout → pay sequence, timed end to end for
 * p50/p99; a 409 on the hold is a conflict and ends the sequence; any other failure of any step is
 * one error. Per-step p50s are extra keys (`hold_p50_ms`, `checkout_p50_ms`, `pay_p50_ms`,
 * `order_p50_ms`), as are `paid`, `declined` and the number of seats bought. The buyers are real
 * user rows (orders reference users), one token each in `buyers`.
 * @param {Ctx} ctx @param {number} purchases budget @param {string[]} buyers @param {number} concurrency
 */
export async function purchase(ctx, purchases, buyers, concurrency) {
  const stats = new Stats("purchase", concurrency);
  const snap = parse((await call(`${ctx.base}/v1/events/${ctx.eventId}/seats`, { headers: { "cache-control": "no-cache" } })).text);
  /** @type {string[]} */
  const free = Object.entries(snap.seats ?? {}).filter(([, st]) => st === "a").map(([id]) => id);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [free[i], free[j]] = [free[j], free[i]];
  }
  stats.count("paid", 0);
  stats.count("declined", 0);
  stats.count("seats_bought", 0);
  let buyer = 0;
  /** @param {string} what @param {number} t0 @param {{ status: number, detail: string }} r */
  const fail = (what, t0, r) => stats.record("purchase", performance.now() - t0, r.status === 409 ? 599 : r.status || 0, `${what} → ${r.status || "network error"}: ${r.detail}`);

  const one = async () => {
    const n = Math.min(randInt(1, 2), free.length);
    const seats = free.splice(free.length - n, n);
    const b = buyer++ % buyers.length;
    const auth = { authorization: `Bearer ${buyers[b]}` };
    stats.issued++;
    const t0 = performance.now();

    const h = await call(`${ctx.base}/v1/events/${ctx.eventId}/holds`, { method: "POST", headers: { "content-type": "application/json", ...auth }, body: JSON.stringify({ seats }) });
    stats.holds++;
    stats.step("hold", h.ms);
    if (h.status === 409) return stats.record("purchase", performance.now() - t0, 409);
    if (h.status !== 201) return fail("hold", t0, h);
    const { holdId } = parse(h.text);
    /** @type {HoldRecord} */
    const rec = { seats, fan: -1, released: false, uncertain: false };
    ctx.ledger.holds.set(holdId, rec);

    const c = await call(`${ctx.base}/v1/holds/${encodeURIComponent(holdId)}/checkout`, { method: "POST", headers: { "Idempotency-Key": randomUUID(), ...auth } });
    stats.step("checkout", c.ms);
    const order = parse(c.text);
    if (c.status !== 201 || !order.payment?.paymentUrl) {
      fail("checkout", t0, c);
      // Give the seats back so the run does not leave an unexplained hold behind.
      const r = await call(`${ctx.base}/v1/holds/${encodeURIComponent(holdId)}`, { method: "DELETE", headers: auth });
      stats.releases++;
      if (r.status === 204) rec.released = true;
      else rec.uncertain = true;
      return;
    }

    const decline = Math.random() < DECLINE_SHARE;
    const p = await call(`${ctx.base}${order.payment.paymentUrl}`, { method: "POST", headers: { "content-type": "application/json" }, body: JSON.stringify({ card: decline ? DECLINE_CARD : GOOD_CARD }) });
    stats.step("pay", p.ms);
    const elapsed = performance.now() - t0;
    const paid = parse(p.text);
    const webhookOk = paid.webhook?.status >= 200 && paid.webhook?.status < 300;
    if (p.status !== 200 || paid.result !== (decline ? "declined" : "succeeded") || !webhookOk) {
      rec.uncertain = true; // the hold may be confirmed, released or still held
      return stats.record("purchase", elapsed, p.status === 200 ? 598 : p.status, `pay → ${p.status}: result ${paid.result}, webhook ${JSON.stringify(paid.webhook)?.slice(0, 200)}; ${p.detail}`);
    }
    // Paid: the hold became the order's sold seats. Declined: the seats went back. Either way no
    // live hold is left.
    rec.released = true;

    const o = await call(`${ctx.base}/v1/orders/${encodeURIComponent(order.orderId)}`, { headers: auth });
    stats.step("order", o.ms);
    const got = parse(o.text);
    const tickets = Array.isArray(got.tickets) ? got.tickets : [];
    const places = new Set(tickets.filter((/** @type {any} */ t) => t.status === "valid").map((/** @type {any} */ t) => t.place));
    const right = decline
      ? got.status === "failed" && tickets.length === 0
      : got.status === "paid" && tickets.length === seats.length && seats.every((s) => places.has(s));
    if (o.status !== 200 || !right) {
      return stats.record("purchase", elapsed, 597, `order ${order.orderId} after ${decline ? "decline" : "payment"} → ${o.status}: status ${got.status}, ${tickets.length} tickets for ${seats.length} seats; ${o.detail.slice(0, 200)}`);
    }
    stats.record("purchase", elapsed, 200);
    if (decline) stats.count("declined");
    else {
      stats.count("paid");
      stats.count("seats_bought", seats.length);
    }
  };

  const until = performance.now() + ctx.timeCapMs;
  const loop = async () => {
    while (stats.issued < purchases && performance.now() < until && free.length > 0) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  stats.finish();
  return stats;
}
