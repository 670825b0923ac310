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
import { log } from "./server.mjs";
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
 * @typedef {{
 *   base: string, eventId: string, seatIds: string[], tokens: string[], ledger: Ledger, concurrency: number,
 *   timeCapMs: number, pay?: import("./payments.mjs").Payments,
 * }} Ctx
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
 * @param {Stats} stats @param {"hold" | "release" | "request"} kind @param {string} url @param {RequestInit} init
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
 * @param {(body: any, tResponse: number, tSent: number) => void} [onWin] sees a 201's body, when it arrived and when
 *   its request was sent
 * @returns {Promise<string | null>} the hold id, or null
 */
async function hold(ctx, stats, seats, onWin) {
  const fan = nextFan(ctx);
  const tSent = performance.now();
  const { status, text } = await timed(stats, "hold", `${ctx.base}/v1/events/${ctx.eventId}/holds`, {
    method: "POST",
    headers: { "content-type": "application/json", authorization: `Bearer ${ctx.tokens[fan]}` },
    body: JSON.stringify({ seats }),
  });
  if (status !== 201) return null;
  const tResponse = performance.now();
  const body = JSON.parse(text);
  onWin?.(body, tResponse, tSent);
  ctx.ledger.holds.set(body.holdId, {
    seats: body.seats.map((/** @type {{id: string}} */ s) => s.id),
    fan,
    released: false,
    uncertain: false,
  });
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

/**
 * floor: the anonymous `GET /v1/health` at the same concurrency: no object, no SQL, no token,
 * only the HTTP path and the request chain (routing, middleware, validation, the log line). Its
 * product ÷ baseline ratio is the ceiling the hold path's ratio meets before a hold does any work.
 * @param {Ctx} ctx @param {number} requests
 */
export async function floor(ctx, requests) {
  const stats = new Stats("floor", ctx.concurrency);
  return pool(ctx, stats, requests, async () => {
    await timed(stats, "request", `${ctx.base}/v1/health`, {});
  });
}

/**
 * one_client: a single fan, one request at a time: hold 1 random seat, release it. Its p50 is the
 * hold path's latency with no queueing (`hold_p50_ms` for the holds alone).
 * @param {Ctx} ctx @param {number} requests
 */
export async function oneClient(ctx, requests) {
  const stats = new Stats("one_client", 1);
  return pool({ ...ctx, concurrency: 1 }, stats, requests, async () => {
    const t = performance.now();
    const id = await hold(ctx, stats, pick(ctx.seatIds, 1));
    stats.step("hold", performance.now() - t);
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
 * pay as `ctx.pay` says (scripts/bench/payments.mjs) — about 10% with the decline card, which must
 * release the seats at once. After paying, the order is read back (untimed) and must be `paid` with one
 * valid ticket per seat, or `failed` with none after a decline; anything else is an error.
 *
 * Accounting: one request = the whole hold → checkout → pay sequence, timed end to end for
 * p50/p99; a 409 on the hold is a conflict and ends the sequence; any other failure of any step is
 * one error. Per-step p50s are extra keys (`hold_p50_ms`, `checkout_p50_ms`, `pay_p50_ms`,
 * `order_p50_ms`), as are `paid`, `declined` and the number of seats bought. The buyers are real
 * user rows (orders reference users), one token each in `buyers`.
 * @param {Ctx} ctx @param {number} purchases budget @param {string[]} buyers @param {number} concurrency
 */
/**
 * One paid purchase in this many is followed until the ledger (D1) lists it as paid. Each probe polls
 * the order list every LAG_POLL_MS: that is the bench's own load on the server, not a purchase, so
 * probes stay few (about 20 a run) and do not eat into the purchases/s they sit beside.
 */
const LAG_SAMPLE_EVERY = 16;
const LAG_POLL_MS = 100;
const LAG_GIVE_UP_MS = 30_000;

/**
 * Ledger lag: from the moment the payment answered (the object has sold) until the fan's order
 * list, which reads D1, shows the order paid. Null when it never did within the bound.
 * @param {{ base: string }} ctx @param {Record<string, string>} auth @param {string} orderId
 */
async function ledgerLag(ctx, auth, orderId) {
  const t0 = performance.now();
  while (performance.now() - t0 < LAG_GIVE_UP_MS) {
    const r = await call(`${ctx.base}/v1/orders?limit=20`, { headers: auth });
    const items = r.status === 200 ? (parse(r.text).items ?? []) : [];
    if (items.some((/** @type {any} */ o) => o.id === orderId && o.status === "paid")) return performance.now() - t0;
    await new Promise((res) => setTimeout(res, LAG_POLL_MS));
  }
  return null;
}

export async function purchase(ctx, purchases, buyers, concurrency) {
  const stats = new Stats("purchase", concurrency);
  const snap = parse(
    (await call(`${ctx.base}/v1/events/${ctx.eventId}/seats`, { headers: { "cache-control": "no-cache" } })).text,
  );
  /** @type {string[]} */
  const free = Object.entries(snap.seats ?? {})
    .filter(([, st]) => st === "a")
    .map(([id]) => id);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [free[i], free[j]] = [free[j], free[i]];
  }
  stats.count("paid", 0);
  stats.count("declined", 0);
  stats.count("seats_bought", 0);
  let buyer = 0;
  /** @param {string} what @param {number} t0 @param {{ status: number, detail: string }} r */
  const fail = (what, t0, r) =>
    stats.record(
      "purchase",
      performance.now() - t0,
      r.status === 409 ? 599 : r.status || 0,
      `${what} → ${r.status || "network error"}: ${r.detail}`,
    );

  const one = async () => {
    const n = Math.min(randInt(1, 2), free.length);
    const seats = free.splice(free.length - n, n);
    const b = buyer++ % buyers.length;
    const auth = { authorization: `Bearer ${buyers[b]}` };
    stats.issued++;
    const t0 = performance.now();

    const h = await call(`${ctx.base}/v1/events/${ctx.eventId}/holds`, {
      method: "POST",
      headers: { "content-type": "application/json", ...auth },
      body: JSON.stringify({ seats }),
    });
    stats.holds++;
    stats.step("hold", h.ms);
    if (h.status === 409) return stats.record("purchase", performance.now() - t0, 409);
    if (h.status !== 201) return fail("hold", t0, h);
    const { holdId } = parse(h.text);
    /** @type {HoldRecord} */
    const rec = { seats, fan: -1, released: false, uncertain: false };
    ctx.ledger.holds.set(holdId, rec);

    const c = await call(`${ctx.base}/v1/holds/${encodeURIComponent(holdId)}/checkout`, {
      method: "POST",
      headers: { "Idempotency-Key": randomUUID(), ...auth },
    });
    stats.step("checkout", c.ms);
    const order = parse(c.text);
    if (c.status !== 201 || !order.payment?.reference || !ctx.pay) {
      fail("checkout", t0, c);
      // Give the seats back so the run does not leave an unexplained hold behind.
      const r = await call(`${ctx.base}/v1/holds/${encodeURIComponent(holdId)}`, { method: "DELETE", headers: auth });
      stats.releases++;
      if (r.status === 204) rec.released = true;
      else rec.uncertain = true;
      return;
    }

    const decline = Math.random() < DECLINE_SHARE;
    const payment = ctx.pay.request(order, decline ? DECLINE_CARD : GOOD_CARD, auth);
    const p = await call(payment.url, payment.init);
    stats.step("pay", p.ms);
    const elapsed = performance.now() - t0;
    const paid = parse(p.text);
    const webhookOk = paid.webhook?.status >= 200 && paid.webhook?.status < 300;
    if (p.status !== 200 || paid.result !== (decline ? "declined" : "succeeded") || !webhookOk) {
      rec.uncertain = true; // the hold may be confirmed, released or still held
      return stats.record(
        "purchase",
        elapsed,
        p.status === 200 ? 598 : p.status,
        `pay → ${p.status}: result ${paid.result}, webhook ${JSON.stringify(paid.webhook)?.slice(0, 200)}; ${p.detail}`,
      );
    }
    // Paid: the hold became the order's sold seats. Declined: the seats went back. Either way no
    // live hold is left.
    rec.released = true;

    const o = await call(`${ctx.base}/v1/orders/${encodeURIComponent(order.orderId)}`, { headers: auth });
    stats.step("order", o.ms);
    const got = parse(o.text);
    const tickets = Array.isArray(got.tickets) ? got.tickets : [];
    const places = new Set(
      tickets.filter((/** @type {any} */ t) => t.status === "valid").map((/** @type {any} */ t) => t.place),
    );
    const right = decline
      ? got.status === "failed" && tickets.length === 0
      : got.status === "paid" && tickets.length === seats.length && seats.every((s) => places.has(s));
    if (o.status !== 200 || !right) {
      return stats.record(
        "purchase",
        elapsed,
        597,
        `order ${order.orderId} after ${decline ? "decline" : "payment"} → ${o.status}: status ${got.status}, ` +
          `${tickets.length} tickets for ${seats.length} seats; ${o.detail.slice(0, 200)}`,
      );
    }
    stats.record("purchase", elapsed, 200);
    if (decline) stats.count("declined");
    else {
      stats.count("paid");
      stats.count("seats_bought", seats.length);
      if ((stats.extra.paid ?? 0) % LAG_SAMPLE_EVERY === 1) probes.push(ledgerLag(ctx, auth, order.orderId));
    }
  };
  /** @type {Promise<number | null>[]} */
  const probes = [];

  const until = performance.now() + ctx.timeCapMs;
  const loop = async () => {
    while (stats.issued < purchases && performance.now() < until && free.length > 0) await one();
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  const lags = /** @type {number[]} */ ((await Promise.all(probes)).filter((v) => v != null)).sort((a, b) => a - b);
  const at = (/** @type {number} */ q) =>
    Math.round(lags[Math.min(lags.length - 1, Math.floor(lags.length * q))] ?? -1);
  // How far D1 (the ledger) trailed the object: paid in the object → listed as paid from D1.
  stats.count("ledger_lag_samples", lags.length);
  stats.count("ledger_lag_lost", probes.length - lags.length);
  stats.count("ledger_lag_p50_ms", at(0.5));
  stats.count("ledger_lag_p99_ms", at(0.99));
  stats.count("ledger_lag_max_ms", at(1));
  stats.finish();
  return stats;
}

/** `p`-th percentile (nearest rank) of `l`; 0 for an empty list. @param {ArrayLike<number>} l @param {number} p */
function percentile(l, p) {
  const sorted = Float64Array.from(l).sort();
  return sorted.length ? sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil((p / 100) * sorted.length) - 1))] : 0;
}

const WS_WAVE = 100;
const WS_CONNECT_TIMEOUT_MS = 10_000;
const FANOUT_QUIESCE_MS = 3_000;

/**
 * One live seat-map client: follows the version, asks for a resync on a gap, and notes when it
 * first saw each change version (into the shared `arrivals`).
 */
class LiveClient {
  /**
   * @param {string} url @param {number} version the version it connects with
   * @param {Map<number, number[]>} arrivals
   */
  constructor(url, version, arrivals) {
    this.last = version;
    this.gaps = 0;
    this.resyncing = false;
    this.open = false;
    this.dropped = false;
    this.closing = false;
    this.arrivals = arrivals;
    this.ws = new WebSocket(`${url}?version=${version}`);
    /** @type {Promise<boolean>} whether it opened within the connect timeout */
    this.opened = new Promise((resolve) => {
      const timer = setTimeout(() => {
        resolve(false);
        try {
          this.ws.close();
        } catch {}
      }, WS_CONNECT_TIMEOUT_MS);
      this.ws.addEventListener("open", () => {
        clearTimeout(timer);
        this.open = true;
        resolve(true);
      });
      this.ws.addEventListener("error", () => {
        clearTimeout(timer);
        resolve(false);
      });
    });
    /** @type {Promise<void>} */
    this.closed = new Promise((resolve) =>
      this.ws.addEventListener("close", () => {
        if (this.open && !this.closing) this.dropped = true;
        resolve();
      }),
    );
    this.ws.addEventListener("message", (ev) => this.onMessage(ev.data));
  }

  /** @param {unknown} data */
  onMessage(data) {
    const now = performance.now();
    if (typeof data !== "string") return;
    /** @type {any} */
    let msg;
    try {
      msg = JSON.parse(data);
    } catch {
      return;
    } // "pong"
    if (msg.type === "snapshot") {
      this.last = msg.version;
      this.resyncing = false;
      return;
    }
    if (msg.type !== "delta") return;
    /** @type {{ version: number }[]} */
    const fresh = msg.changes.filter((/** @type {{ version: number }} */ c) => c.version > this.last);
    for (const c of fresh) {
      let l = this.arrivals.get(c.version);
      if (!l) {
        l = [];
        this.arrivals.set(c.version, l);
      }
      l.push(now);
    }
    if (fresh.length === 0) {
      // Nothing new (the connect reply when nothing changed carries the version only).
      if (msg.changes.length === 0 && msg.version > this.last && !this.resyncing) this.last = msg.version;
      return;
    }
    if (fresh[0].version !== this.last + 1) {
      // A gap: keep the version we have and ask for what we missed; deltas that race the answer
      // are seen (arrival noted) but do not move `last`.
      if (!this.resyncing) {
        this.gaps++;
        this.resyncing = true;
        this.ws.send(JSON.stringify({ type: "resync", version: this.last }));
      }
      return;
    }
    this.resyncing = false;
    this.last = Math.max(this.last, msg.version, fresh[fresh.length - 1].version);
  }

  close() {
    this.closing = true;
    try {
      this.ws.close(1000, "bench done");
    } catch {}
  }
}

/**
 * fanout: `clients` WebSocket clients on the event's live seat map (connected in waves of 100
 * with `?version=<current>`, so the first message is a small delta and not the ~300 KB snapshot)
 * while `holds` holds (1–2 free seats each, released as soon as they succeed) run at `concurrency`.
 * For every successful hold, the delay from its HTTP response to each client's arrival of the
 * delta with the hold's `version` (negative when the delta beats the response), and from its request
 * (an upper bound on commit → arrival); p50/p99 over all
 * (client, hold) pairs. After the stream and up to 3 s of quiet, every client must be on the
 * object's version. `requests`, `p50_ms` and `p99_ms` are the hold stream's HTTP requests. The
 * stream's time cap is 1.5 × the scenario cap.
 * @param {Ctx} ctx @param {number} holds budget @param {number} clients @param {number} concurrency
 */
export async function fanout(ctx, holds, clients, concurrency) {
  const readVersion = async () => {
    const r = await call(`${ctx.base}/v1/events/${ctx.eventId}/seats`, { headers: { "cache-control": "no-cache" } });
    if (r.status !== 200) throw new Error(`GET seats → ${r.status}: ${r.detail.slice(0, 200)}`);
    return parse(r.text);
  };
  const snap = await readVersion();
  /** @type {number} */
  const v0 = snap.version;
  /** @type {string[]} */
  const free = Object.entries(snap.seats ?? {})
    .filter(([, st]) => st === "a")
    .map(([id]) => id);
  for (let i = free.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [free[i], free[j]] = [free[j], free[i]];
  }

  /** @type {Map<number, number[]>} change version → arrival times, one per client that saw it */
  const arrivals = new Map();
  const url = `${ctx.base.replace(/^http/, "ws")}/v1/events/${encodeURIComponent(ctx.eventId)}/live`;
  /** @type {LiveClient[]} */
  const live = [];
  let connectFailures = 0;
  const tc = performance.now();
  for (let i = 0; i < clients; i += WS_WAVE) {
    const wave = Array.from({ length: Math.min(WS_WAVE, clients - i) }, () => new LiveClient(url, v0, arrivals));
    const ok = await Promise.all(wave.map((c) => c.opened));
    ok.forEach((o, k) => {
      if (o) live.push(wave[k]);
      else connectFailures++;
    });
  }
  const connectS = (performance.now() - tc) / 1000;

  const stats = new Stats("fanout", concurrency);
  /** @type {Map<number, number>} hold version → when its response arrived */
  const holdVersions = new Map();
  /** @type {Map<number, number>} hold version → when its request was sent */
  const holdSent = new Map();
  let started = 0;
  // 1.5 × the usual cap: with 1,000 sockets each change costs the object 1,000 sends, so holds are
  // slow here (1–2 s each at concurrency 8 on a loaded 2-core box: 50–100 holds in 24 s, not 200).
  // Not more, to keep the whole bench under 3 minutes.
  const until = performance.now() + 1.5 * ctx.timeCapMs;
  const loop = async () => {
    while (started < holds && performance.now() < until && free.length > 0) {
      started++;
      const n = Math.min(randInt(1, 2), free.length);
      const id = await hold(ctx, stats, free.splice(free.length - n, n), (body, t, sent) => {
        holdVersions.set(body.version, t);
        holdSent.set(body.version, sent);
      });
      if (id) await release(ctx, stats, id);
    }
  };
  await Promise.all(Array.from({ length: concurrency }, loop));
  stats.finish();

  // Quiescence: every client on the object's version, or 3 s.
  const final = (await readVersion()).version;
  const quietUntil = performance.now() + FANOUT_QUIESCE_MS;
  while (performance.now() < quietUntil && live.some((c) => c.last !== final)) await sleep(100);
  const after = (await readVersion()).version;
  if (after !== final) log(`fanout: the object moved from version ${final} to ${after} after the stream`);
  const onFinal = live.filter((c) => c.last === after).length;

  /** @type {number[]} */
  const delays = [];
  /** @type {number[]} the same deliveries from the hold's request: an upper bound on commit → arrival */
  const sinceSent = [];
  for (const [v, t] of holdVersions) {
    const sent = /** @type {number} */ (holdSent.get(v));
    for (const a of arrivals.get(v) ?? []) {
      delays.push(a - t);
      sinceSent.push(a - sent);
    }
  }
  const expected = holdVersions.size * live.length;
  if (delays.length !== expected) log(`fanout: ${delays.length} (client, hold) deliveries seen of ${expected}`);

  for (const c of live) c.close();
  await Promise.race([Promise.all(live.map((c) => c.closed)), sleep(3000)]);

  const r1 = (/** @type {number} */ v) => Math.round(v * 10) / 10;
  const base = stats.summary.bind(stats);
  const fan = {
    clients: live.length,
    connect_failures: connectFailures,
    delta_p50_ms: r1(percentile(delays, 50)),
    delta_p99_ms: r1(percentile(delays, 99)),
    delta_since_request_p50_ms: r1(percentile(sinceSent, 50)),
    delta_since_request_p99_ms: r1(percentile(sinceSent, 99)),
    gaps: live.reduce((n, c) => n + c.gaps, 0),
    clients_on_final_version: onFinal,
    clients_behind: live.length - onFinal,
  };
  const extra = {
    clients_wanted: clients,
    dropped: live.filter((c) => c.dropped).length,
    connect_s: r1(connectS),
    deliveries: delays.length,
    deliveries_expected: expected,
    final_version: after,
  };
  // The fanout keys right after the latency ones, then the usual extras.
  stats.summary = () => {
    const { scenario, concurrency: conc, requests, ok, conflicts, errors, rps, p50_ms, p99_ms, ...rest } = base();
    return {
      scenario,
      concurrency: conc,
      requests,
      ok,
      conflicts,
      errors,
      rps,
      p50_ms,
      p99_ms,
      ...fan,
      ...rest,
      ...extra,
    };
  };
  return stats;
}
