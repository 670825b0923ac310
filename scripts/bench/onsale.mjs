// `npm run bench -- onsale` (or `node scripts/bench/onsale.mjs`): a flash-sale rehearsal on a fresh
// local `wrangler dev` (127.0.0.1). An event with far fewer seats than fans has its waiting room on;
// N fans join before the on-sale instant (the pre-queue), are shuffled at it and admitted at the
// configured rate; admitted fans hold (best available, 1–2 seats, with their admission token), check
// out, pay through the simulated provider, then leave the queue (DELETE, freeing their slot at once),
// until sell-out.
//
// Two phases, because with 200 shoppers at once and ~10 s to pay the cap, not the rate, limits
// admissions for the whole sale, so the rate could never be measured in it. First ONSALE_MEASURE_S
// at ONSALE_MEASURE_RATE with a cap no queue can reach: the fans admitted then look and leave
// (DELETE, no hold), so neither the cap nor the stock binds, and the achieved rate is measured over
// those ticks (`admissionRate`, scripts/bench/onsale-figures.mjs). Then the rate and cap are set live
// (PUT) to ONSALE_RATE / ONSALE_MAX_SHOPPING and the sale proper runs to sell-out; its figures
// (time to sell out, achieved rate) count from that PUT. `peakShopping`: the most fans whose
// admission token worked at once (admission until expiry, leave or payment), from the first
// admission under the lowered cap on; with the room's own sampled `shopping` at most. The revocation
// probe: a few fans who left (phase one) or paid (the sale) try one more hold with their old
// admission token, which must be refused (403).
//
// Who asks what, so 20,000 fans cost few requests: ONSALE_SOCKETS fans (spread over the queue)
// follow it over the WebSocket and are pushed `admitted` / `sold_out`. The others know their place
// from the published admission order (GET …/queue/fairness after the shuffle, what each fan's own
// first GET would say) and poll GET …/queue/{ticket} only once they are within ONSALE_FRONT places of
// the front, with a short backoff (half their estimated wait, 0.2–2 s); fans further back do not poll
// during the sale. After the sell-out every ticket is read back once: a ticket still `waiting` is a
// fan not told of the sell-out (as is a socket that got no `sold_out`, or a non-zero room length).
//
// Bounded: every request has a timeout and the run's deadline signal; every sleep is ≤ 2 s and ends
// at the deadline; the sale phase is capped at ONSALE_SALE_CAP_S; at ONSALE_DEADLINE_S the run stops,
// reports what it has and fails; 15 s later it exits regardless. SIGINT/SIGTERM stop the server
// (its whole process group) and exit. The server is always stopped.
//
// Prints one JSON line (stdout); exits 0 only if the event sold out and double_sold,
// fans_admitted_twice and waiting_fans_not_told_of_sellout are all 0 (and nothing errored), the
// measured rate is within 5% of the configured one over ≥ 30 s and ≥ 20 admissions with neither cap
// nor stock binding, no more fans shopped at once than the cap (by the fans' tokens and by the room's
// own figure), and no revoked admission token was accepted (with at least one refusal seen).
//
// Env: ONSALE_FANS (20000), ONSALE_SEATS_SECTIONS / ONSALE_ROWS / ONSALE_PER_ROW (1 × 20 × 50 =
// 1,000 seats), ONSALE_RATE (admissions per minute, 6000), ONSALE_MAX_SHOPPING (200),
// ONSALE_MEASURE_RATE (1200: 6,000/min would need ~100 leaves a second on two shared cores, and
// the fans' lag would bind the stock cap), ONSALE_MEASURE_S (35), ONSALE_PROBES (5 per kind),
// ONSALE_SOCKETS (200), ONSALE_FRONT (64), ONSALE_CONCURRENCY (128 requests in flight),
// ONSALE_SALE_CAP_S (150, after the measuring phase), ONSALE_DEADLINE_S (340), BENCH_PORT (8788),
// ONSALE_TMPDIR (/dev/shm when it exists: the server snapshot and its persisted state live in RAM;
// "-" keeps the system tmpdir).
import { existsSync } from "node:fs";
import { pathToFileURL } from "node:url";
import { DEV_SECRET, mintAccessToken } from "./jwt.mjs";
import { admissionRate, peakShopping } from "./onsale-figures.mjs";
import { createOnsaleEvent, insertUsers, openSaleIn } from "./onsale-setup.mjs";
import { percentile, pool, request, sleep } from "./onsale-http.mjs";
import { d1Execute, log, startServer } from "./server.mjs";
import { adminToken, client, jwtClaimsConfig } from "./setup.mjs";

const int = (/** @type {string | undefined} */ v, /** @type {number} */ d) => (v && Number(v) > 0 ? Number(v) : d);
const HARD_GRACE_MS = 15_000;
/** The room's HOLD_LAPSE_SHARE (src/objects/waiting-room.ts, not importable here): its stock margin. */
const HOLD_LAPSE_SHARE = 0.1;

/**
 * Runs the rehearsal; returns the exit code (0: sold out, invariants hold). Installs SIGINT/SIGTERM
 * handlers and the hard deadline for the life of the run.
 * @param {Partial<Record<string, number>>} [options]
 */
export async function main(options = {}) {
  const o = {
    fans: int(process.env.ONSALE_FANS, 20_000),
    sections: int(process.env.ONSALE_SEATS_SECTIONS, 1),
    rows: int(process.env.ONSALE_ROWS, 20),
    perRow: int(process.env.ONSALE_PER_ROW, 50),
    ratePerMinute: int(process.env.ONSALE_RATE, 6000),
    maxShopping: int(process.env.ONSALE_MAX_SHOPPING, 200),
    measureRate: int(process.env.ONSALE_MEASURE_RATE, 1200),
    measureS: int(process.env.ONSALE_MEASURE_S, 35),
    probes: int(process.env.ONSALE_PROBES, 5),
    tokenSeconds: 120,
    sockets: int(process.env.ONSALE_SOCKETS, 200),
    front: int(process.env.ONSALE_FRONT, 64),
    concurrency: int(process.env.ONSALE_CONCURRENCY, 128),
    // Tickets read back after the sale besides every fan who shopped: a random sample (the room's
    // own count of waiting fans covers the rest); 0 reads them all.
    readBack: int(process.env.ONSALE_READBACK, 3000),
    saleCapS: int(process.env.ONSALE_SALE_CAP_S, 150),
    deadlineS: int(process.env.ONSALE_DEADLINE_S, 340),
    port: int(process.env.BENCH_PORT, 8788),
    ...options,
  };
  const tmp = process.env.ONSALE_TMPDIR ?? (existsSync("/dev/shm") ? "/dev/shm" : "-");
  if (tmp !== "-") process.env.TMPDIR = tmp; // os.tmpdir(), read by startServer and insertUsers
  const t0 = performance.now();
  const deadline = new AbortController();
  /** @type {import("./server.mjs").Server | null} */
  let server = null;
  /** What is known so far; printed as is if the run has to stop early. */
  const result = /** @type {Record<string, unknown>} */ ({ scenario: "onsale", fans: o.fans });
  const elapsed = () => +((performance.now() - t0) / 1000).toFixed(1);
  let finished = false;

  const stopServer = async () => {
    const s = server;
    if (!s) return;
    await Promise.race([s.stop(), new Promise((r) => setTimeout(r, 8000).unref())]);
  };
  const bail = async (/** @type {string} */ why, /** @type {number} */ code) => {
    if (finished) return;
    finished = true;
    log(why);
    deadline.abort();
    await stopServer();
    process.stdout.write(`${JSON.stringify({ ...result, failed: why, elapsed_s: elapsed() })}\n`);
    process.exit(code);
  };
  const onSignal = (/** @type {NodeJS.Signals} */ sig) => void bail(`${sig}: stopping the server and exiting`, 130);
  process.on("SIGINT", onSignal);
  process.on("SIGTERM", onSignal);
  const soft = setTimeout(() => {
    log(`deadline ${o.deadlineS} s reached: stopping, reporting what there is`);
    deadline.abort();
  }, o.deadlineS * 1000);
  const hard = setTimeout(
    () => void bail(`hard deadline ${o.deadlineS + HARD_GRACE_MS / 1000} s: exiting`, 1),
    o.deadlineS * 1000 + HARD_GRACE_MS,
  );

  let code = 1;
  try {
    server = await startServer({ port: o.port, adminEmail: "onsale-admin@bench.test" });
    log(`server up after ${elapsed()} s`);
    const r = await rehearse(server, o, deadline.signal, result);
    Object.assign(result, r);
    const bad = [];
    if (deadline.signal.aborted) bad.push(`deadline ${o.deadlineS} s reached`);
    if (!r.sold_out) bad.push("not sold out");
    for (const k of ["double_sold", "fans_admitted_twice", "waiting_fans_not_told_of_sellout", "errors", "join_errors"])
      if (r[k] !== 0) bad.push(`${k} ${r[k]}`);
    if (r.tickets_checked !== result.tickets_planned)
      bad.push(`only ${r.tickets_checked} of ${result.tickets_planned} tickets read back`);
    const ar = /** @type {Record<string, any>} */ (r.admissionRate);
    if (!(ar.ratio >= 0.95 && ar.ratio <= 1.05)) bad.push(`admission rate ratio ${ar.ratio} outside 0.95–1.05`);
    if (!(ar.windowSeconds >= 30 && ar.admissions >= 20))
      bad.push(`rate window too short (${ar.windowSeconds} s, ${ar.admissions} admissions)`);
    if (ar.capBound || ar.stockBound) bad.push("the cap or the stock bound during the rate measurement");
    const ps = /** @type {Record<string, any>} */ (r.peakShopping);
    if (!(ps.peak <= ps.cap)) bad.push(`peak shopping ${ps.peak} above the cap ${ps.cap}`);
    if (!(ps.roomMax <= ps.cap)) bad.push(`the room reported ${ps.roomMax} shopping, above the cap ${ps.cap}`);
    if (r.revokedTokenAccepted !== 0) bad.push(`revokedTokenAccepted ${r.revokedTokenAccepted}`);
    const rp = /** @type {Record<string, any>} */ (r.revocationProbes);
    if (!(rp.refused > 0)) bad.push("no revocation probe was refused");
    code = bad.length ? 1 : 0;
    log(bad.length ? `FAIL: ${bad.join(", ")}` : "OK");
    if (bad.length) result.failed = bad.join(", ");
  } catch (err) {
    log(`failed: ${/** @type {Error} */ (err)?.stack ?? err}`);
    result.failed = String(/** @type {Error} */ (err)?.message ?? err).slice(0, 300);
    if (server) log(`--- wrangler log tail ---\n${server.logTail(40)}`);
    code = 1;
  } finally {
    clearTimeout(soft);
    if (!finished) {
      await stopServer();
      clearTimeout(hard);
      finished = true;
      result.elapsed_s = elapsed();
      process.stdout.write(`${JSON.stringify(result)}\n`);
      log(`onsale done in ${elapsed()} s, exit ${code}`);
    }
    process.off("SIGINT", onSignal);
    process.off("SIGTERM", onSignal);
  }
  return code;
}

/**
 * @param {import("./server.mjs").Server} server @param {Record<string, number>} o
 * @param {AbortSignal} signal the run's deadline @param {Record<string, unknown>} partial filled as phases end
 */
async function rehearse(server, o, signal, partial) {
  const base = server.base;
  const api = client(base);
  const admin = await adminToken(api, "onsale-admin@bench.test");
  const settings = { ratePerMinute: o.ratePerMinute, maxShopping: o.maxShopping, tokenSeconds: o.tokenSeconds };
  // While the rate is measured, a cap no queue can reach (at most every fan shops at once).
  const measuring = {
    ratePerMinute: o.measureRate,
    maxShopping: Math.min(1_000_000, Math.max(o.fans, o.maxShopping)),
    tokenSeconds: o.tokenSeconds,
  };
  const { eventId, seats } = await createOnsaleEvent(api, admin, { ...o, ...measuring });
  partial.seats = seats;
  log(
    `event ${eventId}: ${seats} seats (1–2 per buyer), ${o.fans} fans; ${o.measureS} s at ${o.measureRate}/min ` +
      `uncapped, then ${o.ratePerMinute}/min, max ${o.maxShopping} shopping; ${o.sockets} sockets, ` +
      `${o.concurrency} requests in flight`,
  );
  const measureAdmissions = Math.ceil((o.measureRate * (o.measureS + 2)) / 60);
  if (o.fans < measureAdmissions + 2 * seats)
    log(`warning: ${o.fans} fans may run out: ~${measureAdmissions} are admitted while measuring, then ${seats} seats`);

  const tag = Date.now().toString(36);
  const ids = Array.from({ length: o.fans }, (_, i) => `onsale-${tag}-${i}`);
  const tu = performance.now();
  const usersInserted = insertUsers(server.d1, ids).then(() =>
    log(`${ids.length} user rows inserted in ${((performance.now() - tu) / 1000).toFixed(1)} s`),
  );
  usersInserted.catch(() => {});
  const { issuer, audience } = jwtClaimsConfig();
  const fans = ids.map((id, i) => ({
    i,
    id,
    token: mintAccessToken(
      { sub: id, email: `${id}@bench.test` },
      { secret: DEV_SECRET, issuer, audience, ttlSeconds: 3600 },
    ),
    ticket: "",
    rank: 0,
    polling: false,
    shopping: false,
    // Server ms from the admission (expiresAt − token lifetime); client ms of the request that
    // stopped the token (the payment that succeeded, or the leave answered 200): onsale-figures.mjs.
    admittedAt: 0,
    expiresAt: 0,
    seenAt: 0,
    endSentAt: 0,
    endDoneAt: 0,
    left: false,
    admittedTokens: /** @type {Set<string>} */ (new Set()),
    socket: /** @type {WebSocket | null} */ (null),
    toldSoldOut: false,
  }));
  const call = (/** @type {string} */ m, /** @type {string} */ p, /** @type {any} */ opts = {}) =>
    request(base, m, p, { ...opts, signal });
  const counts = {
    paid: 0,
    seats_bought: 0,
    hold_409: 0,
    errors: 0,
    fans_admitted_twice: 0,
    admitted_seen: 0,
    polls: 0,
  };
  /** @type {string[]} */ const samples = [];
  const err = (/** @type {string} */ s) => {
    if (signal.aborted) return;
    counts.errors++;
    if (samples.length < 8) samples.push(s);
  };
  const tokenMs = o.tokenSeconds * 1000;
  // The socket sends epoch ms, the HTTP view an ISO string (with ms).
  const expiryMs = (/** @type {number | string | undefined} */ e) =>
    typeof e === "string" ? Date.parse(e) : Number(e ?? 0);
  /** Client ms when the sale's cap and rate were sent / answered (0: still measuring). */
  let capPutAt = 0;
  let capPutDoneAt = 0;
  const probe0 = () => ({ probed: 0, refused: 0, accepted: 0, other: 0 });
  const probes = { leave: probe0(), purchase: probe0() };

  // 1. The pre-queue: everyone joins before the on-sale instant (a retry on 429/5xx/network errors).
  /** @type {number[]} */ const joinMs = [];
  let joinErrors = 0;
  const tj = performance.now();
  await pool(
    fans,
    o.concurrency,
    async (f) => {
      for (let attempt = 0; attempt < 3 && !signal.aborted; attempt++) {
        const r = await call("POST", `/v1/events/${eventId}/queue`, { token: f.token });
        if (r.status === 201 || r.status === 200) {
          joinMs.push(r.ms);
          f.ticket = r.json.ticket;
          return;
        }
        if (attempt === 2 || !(r.status === 0 || r.status === 429 || r.status >= 500)) {
          joinErrors++;
          if (samples.length < 8) samples.push(`join ${r.status}: ${r.text.slice(0, 200)}`);
          return;
        }
        await sleep(200 * (attempt + 1), signal);
      }
    },
    signal,
  );
  const joinS = (performance.now() - tj) / 1000;
  Object.assign(partial, {
    join_p50_ms: +percentile(joinMs, 50).toFixed(1),
    join_p99_ms: +percentile(joinMs, 99).toFixed(1),
    join_errors: joinErrors,
    joins_per_s: Math.round(joinMs.length / joinS),
  });
  log(
    `${joinMs.length} joins in ${joinS.toFixed(1)} s (${Math.round(joinMs.length / joinS)}/s, ` +
      `p50 ${partial.join_p50_ms} ms, p99 ${partial.join_p99_ms} ms, ${joinErrors} errors)`,
  );

  // 2. Sockets for ONSALE_SOCKETS fans spread evenly over the joiners.
  const wsBase = base.replace(/^http/, "ws");
  const step = Math.max(1, Math.floor(o.fans / Math.max(1, o.sockets)));
  const socketFans = fans.filter((f) => f.ticket && f.i % step === 0).slice(0, o.sockets);
  let socketFailures = 0;
  await Promise.all(
    socketFans.map(
      (f) =>
        new Promise((resolve) => {
          const ws = new WebSocket(
            `${wsBase}/v1/events/${eventId}/queue/${f.ticket}/live?token=${encodeURIComponent(f.token)}`,
          );
          const fail = () => {
            clearTimeout(timer);
            socketFailures++;
            try {
              ws.close();
            } catch {}
            resolve(undefined);
          };
          const timer = setTimeout(fail, 10_000);
          signal.addEventListener("abort", fail, { once: true });
          ws.onopen = () => {
            clearTimeout(timer);
            signal.removeEventListener("abort", fail);
            f.socket = ws;
            resolve(undefined);
          };
          ws.onerror = () => {
            if (!f.socket) fail();
          };
          ws.onmessage = (e) => {
            let m;
            try {
              m = JSON.parse(String(e.data));
            } catch {
              return;
            }
            if (m.type === "admitted") admit(f, m.token, m.expiresAt);
            else if (m.type === "sold_out") f.toldSoldOut = true;
          };
        }),
    ),
  );
  log(`${socketFans.length - socketFailures} sockets open (${socketFailures} failed)`);
  await usersInserted;

  // 3. The sale.
  const onSaleAt = await openSaleIn(api, admin, eventId, 3000, measuring);
  log(`sale opens at ${new Date(onSaleAt).toISOString()}`);
  /** @type {number[]} */ const holdMs = [];
  let soldOutAt = 0;
  let firstAdmitAt = 0;
  let saleOver = false;
  const saleEnd = new AbortController();
  const saleSignal = AbortSignal.any([signal, saleEnd.signal]);
  /** @type {Promise<void>[]} */ const shoppers = [];

  function admit(
    /** @type {typeof fans[number]} */ f,
    /** @type {string} */ token,
    /** @type {number | string} */ expiry,
  ) {
    const expiresAt = expiryMs(expiry);
    f.admittedTokens.add(token);
    if (f.admittedTokens.size === 2) counts.fans_admitted_twice++;
    if (!f.admittedAt && expiresAt > 0) {
      f.expiresAt = expiresAt;
      f.admittedAt = expiresAt - tokenMs;
      f.seenAt = Date.now();
    }
    if (f.shopping || f.left) return;
    f.shopping = true;
    counts.admitted_seen++;
    // By the admission's own time: a fan admitted while measuring but seen after the PUT still
    // only looks, so the measuring phase sells nothing.
    const looking = !capPutAt || (f.admittedAt > 0 && f.admittedAt < capPutAt);
    shoppers.push(looking ? look(f, token) : shop(f, token));
  }

  /** The token stopped working somewhere between `sent` and now; the first stop counts. */
  function stopped(/** @type {typeof fans[number]} */ f, /** @type {number} */ sent) {
    if (f.endSentAt) return;
    f.endSentAt = sent;
    f.endDoneAt = Date.now();
  }

  async function leave(/** @type {typeof fans[number]} */ f) {
    const sent = Date.now();
    const d = await call("DELETE", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
    if (d.status === 200) stopped(f, sent);
    else err(`leave ${d.status}: ${d.text.slice(0, 200)}`);
    f.left = true;
    return d.status === 200;
  }

  /** Measuring phase: the fan looks and leaves, so neither the cap nor the stock binds. */
  async function look(/** @type {typeof fans[number]} */ f, /** @type {string} */ token) {
    if ((await leave(f)) && probes.leave.probed < o.probes) await probe(f, token, "leave");
  }

  /**
   * One hold with a token the room or a purchase revoked: it must be refused (403). One that gets
   * through is released at once, so the probe takes no seat from the sale.
   */
  async function probe(
    /** @type {typeof fans[number]} */ f,
    /** @type {string} */ token,
    /** @type {"leave" | "purchase"} */ kind,
  ) {
    const p = probes[kind];
    p.probed++;
    const h = await call("POST", `/v1/events/${eventId}/holds`, {
      token: f.token,
      body: { tier: "std", quantity: 1 },
      headers: { "X-Admission-Token": token },
    });
    if (h.status === 403) p.refused++;
    else if (h.status === 201) {
      p.accepted++;
      const d = await call("DELETE", `/v1/holds/${encodeURIComponent(h.json.holdId)}`, { token: f.token });
      if (d.status !== 204) err(`releasing a probe's hold ${d.status}: ${d.text.slice(0, 200)}`);
    } else {
      p.other++;
      if (samples.length < 8) samples.push(`revocation probe after ${kind} ${h.status}: ${h.text.slice(0, 160)}`);
    }
  }

  async function shop(/** @type {typeof fans[number]} */ f, /** @type {string} */ token) {
    let quantity = Math.random() < 0.5 ? 1 : 2;
    for (;;) {
      const h = await call("POST", `/v1/events/${eventId}/holds`, {
        token: f.token,
        body: { tier: "std", quantity },
        headers: { "X-Admission-Token": token },
      });
      holdMs.push(h.ms);
      if (h.status === 201) {
        const c = await call("POST", `/v1/holds/${encodeURIComponent(h.json.holdId)}/checkout`, {
          token: f.token,
          headers: { "Idempotency-Key": crypto.randomUUID() },
        });
        const url = c.json?.payment?.paymentUrl;
        if (c.status !== 201 || !url) err(`checkout ${c.status}: ${c.text.slice(0, 200)}`);
        else {
          const sent = Date.now();
          const p = await call("POST", url, { token: f.token, body: { card: "4242 4242 4242 4242" } });
          if (p.status === 200 && p.json.result === "succeeded") {
            counts.paid++;
            counts.seats_bought += quantity;
            stopped(f, sent);
            // Before leaving, so only the purchase can have revoked the token.
            if (probes.purchase.probed < o.probes) await probe(f, token, "purchase");
          } else err(`pay ${p.status}: ${p.text.slice(0, 200)}`);
        }
      } else if (h.status === 409) {
        counts.hold_409++;
        if (quantity === 2) {
          quantity = 1;
          continue;
        } // not two left together: take one
      } else err(`hold ${h.status}: ${h.text.slice(0, 200)}`);
      break;
    }
    // Done shopping (bought, or nothing left): free the slot at once.
    await leave(f);
  }

  async function poll(/** @type {typeof fans[number]} */ f) {
    while (!saleSignal.aborted && !f.shopping && !f.left) {
      const r = await call("GET", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
      counts.polls++;
      if (saleSignal.aborted) return;
      if (r.status !== 200) {
        err(`poll ${r.status}: ${r.text.slice(0, 120)}`);
        await sleep(1000, saleSignal);
        continue;
      }
      if (r.json.admission) return admit(f, r.json.admission.token, r.json.admission.expiresAt);
      if (r.json.state !== "waiting") return;
      const wait = r.json.estimatedWaitSeconds ?? 1;
      await sleep(Math.min(2000, Math.max(200, wait * 500)) * (0.8 + Math.random() * 0.4), saleSignal);
    }
  }

  // The published order (after the shuffle) tells each fan its place without a request per fan.
  await sleep(Math.max(0, onSaleAt - Date.now()), signal);
  /** @type {Map<string, number>} */ const rankOf = new Map();
  while (!signal.aborted && Date.now() < onSaleAt + 30_000) {
    const fr = await call("GET", `/v1/events/${eventId}/queue/fairness`);
    if (fr.status === 200 && fr.json.revealed) {
      fr.json.order.forEach((/** @type {string} */ t, /** @type {number} */ i) => {
        rankOf.set(t, i + 1);
      });
      break;
    }
    await sleep(250, signal);
  }
  const byRank = fans
    .filter((f) => f.ticket)
    .map((f) => {
      f.rank = rankOf.get(f.ticket) ?? Number.MAX_SAFE_INTEGER;
      return f;
    })
    .sort((a, b) => a.rank - b.rank);
  log(`shuffle revealed ${((Date.now() - onSaleAt) / 1000).toFixed(1)} s after the start (${rankOf.size} ranked)`);

  /**
   * The room's figures every 250 ms. `sent`: client ms the request left (the figures are from no
   * earlier); `headroom`: what the stock would still let in (the room's own margin for lapsing holds).
   * @type {{
   *   t: number, sent: number, admitted: number, shopping: number, length: number, maxShopping: number,
   *   headroom: number | null,
   * }[]}
   */
  const timeline = [];
  let admitted = 0;
  let admittedAtCap = 0;
  let monitorTimeouts = 0;
  const saleUntil = onSaleAt + (o.measureS + 10 + o.saleCapS) * 1000;
  const monitor = (async () => {
    while (!signal.aborted && Date.now() < saleUntil) {
      const sent = Date.now();
      const r = await call("GET", `/v1/admin/events/${eventId}/queue`, { token: admin, timeoutMs: 5000 });
      if (r.status === 200) {
        const s = r.json;
        timeline.push({
          t: Date.now() - onSaleAt,
          sent,
          admitted: s.admitted,
          shopping: s.shopping,
          length: s.length,
          maxShopping: s.maxShopping,
          headroom: s.stock ? s.stock.available + Math.ceil(s.stock.held * HOLD_LAPSE_SHARE) - s.shopping : null,
        });
        if (s.admitted > 0 && !firstAdmitAt) firstAdmitAt = Date.now();
        admitted = s.admitted;
        if (s.soldOut) {
          soldOutAt = Date.now();
          break;
        }
      } else if (r.status === 0) {
        // The monitor's own poll timed out on a saturated machine: not an answer from the
        // system, so it is counted apart (and reported) rather than as a server error.
        monitorTimeouts++;
      } else err(`admin stats ${r.status}`);
      await sleep(250, signal);
    }
    saleOver = true;
    saleEnd.abort();
  })();
  /** @type {Promise<void>[]} */ const pollers = [];
  let next = 0;
  while (!saleOver && !signal.aborted) {
    if (!capPutAt && firstAdmitAt && Date.now() >= firstAdmitAt + o.measureS * 1000) {
      capPutAt = Date.now();
      admittedAtCap = admitted;
      const r = await call("PUT", `/v1/admin/events/${eventId}/queue`, {
        token: admin,
        body: { enabled: true, ...settings },
      });
      capPutDoneAt = Date.now();
      if (r.status !== 200) err(`lowering the cap ${r.status}: ${r.text.slice(0, 200)}`);
      log(`measured ${o.measureS} s; now ${o.ratePerMinute}/min, max ${o.maxShopping} shopping (${admitted} admitted)`);
    }
    while (next < byRank.length && byRank[next].rank <= admitted + o.front) {
      const f = byRank[next++];
      if (!f.socket) pollers.push(poll(f));
    }
    await sleep(100, saleSignal);
  }
  await monitor;
  const saleFrom = capPutDoneAt || onSaleAt;
  log(
    soldOutAt
      ? `sold out ${((soldOutAt - saleFrom) / 1000).toFixed(1)} s after the sale's cap and rate were set`
      : `not sold out within ${o.saleCapS} s`,
  );
  await Promise.all(pollers);
  // Purchases in flight finish (each request is bounded); then sold_out pushes have had time to land.
  await Promise.race([
    Promise.all(shoppers),
    sleep(2000, signal)
      .then(() => sleep(2000, signal))
      .then(() => sleep(2000, signal)),
  ]);
  await sleep(1000, signal);

  // The sale's own figures count from the PUT that set its cap and rate (the measuring phase is apart).
  const admittedS = Math.max(1e-3, ((soldOutAt || Date.now()) - saleFrom) / 1000);
  const saleTimeline = timeline.filter((x) => x.sent >= saleFrom);
  let peak = 0;
  for (let i = 0, j = 0; i < saleTimeline.length; i++) {
    while (saleTimeline[i].t - saleTimeline[j].t > 5000) j++;
    if (saleTimeline[i].t - saleTimeline[j].t >= 2000)
      peak = Math.max(
        peak,
        ((saleTimeline[i].admitted - saleTimeline[j].admitted) / ((saleTimeline[i].t - saleTimeline[j].t) / 1000)) * 60,
      );
  }
  Object.assign(partial, {
    admission_rate_configured_per_min: o.ratePerMinute,
    admission_rate_achieved_per_min: Math.round(((admitted - admittedAtCap) / admittedS) * 60),
    admission_rate_peak_5s_per_min: Math.round(peak),
    admitted,
    max_shopping: o.maxShopping,
    sold_out: soldOutAt > 0,
    time_to_sell_out_s: soldOutAt ? +((soldOutAt - saleFrom) / 1000).toFixed(1) : null,
    holds: holdMs.length,
    hold_p50_ms: +percentile(holdMs, 50).toFixed(1),
    hold_p99_ms: +percentile(holdMs, 99).toFixed(1),
    orders_paid: counts.paid,
    seats_bought: counts.seats_bought,
    polls_during_sale: counts.polls,
    monitor_timeouts: monitorTimeouts,
  });

  // 4. Who was left waiting without being told: every fan who shopped and a random sample of the
  // rest read back (a `waiting` one was not told), sockets that never got `sold_out`, and the
  // room's own count of waiting fans (which covers every ticket).
  const states = /** @type {Record<string, number>} */ ({});
  let checked = 0;
  let waitingAfter = 0;
  const ts = performance.now();
  const withTicket = fans.filter((f) => f.ticket);
  // Admitted (by rank) but never seen so, e.g. in the last ticks before the sell-out: read back
  // first, so their tokens count in peakShopping.
  const unseen = withTicket.filter((f) => !f.left && !f.admittedAt && f.rank <= admitted);
  const rest = withTicket.filter((f) => !f.left && !(f.rank <= admitted && !f.admittedAt));
  for (let i = rest.length - 1; i > 0; i--) {
    const j = Math.floor(Math.random() * (i + 1));
    [rest[i], rest[j]] = [rest[j], rest[i]];
  }
  const toCheck =
    o.readBack > 0 ? [...withTicket.filter((f) => f.left), ...unseen, ...rest.slice(0, o.readBack)] : withTicket;
  partial.tickets_planned = toCheck.length;
  await pool(
    toCheck,
    o.concurrency,
    async (f) => {
      const r = await call("GET", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
      if (r.status !== 200) return err(`read-back ${r.status}: ${r.text.slice(0, 120)}`);
      checked++;
      if (r.json.admission && !f.admittedAt) {
        f.expiresAt = expiryMs(r.json.admission.expiresAt);
        f.admittedAt = f.expiresAt - tokenMs;
        f.seenAt = Date.now();
      }
      const st = r.json.state;
      states[st] = (states[st] ?? 0) + 1;
      if (st === "waiting") waitingAfter++;
      // A fan who shopped and left must not be admitted again.
      if (f.left && (st === "admitted" || r.json.admission)) counts.fans_admitted_twice++;
    },
    signal,
  );
  log(`${checked} tickets read back in ${((performance.now() - ts) / 1000).toFixed(1)} s`);
  let socketsNotTold = 0;
  for (const f of socketFans) if (f.socket && !f.shopping && !f.toldSoldOut) socketsNotTold++;
  for (const f of socketFans) {
    try {
      f.socket?.close();
    } catch {}
  }
  const room = await call("GET", `/v1/admin/events/${eventId}/queue`, { token: admin, timeoutMs: 5000 });
  const roomLength = room.status === 200 ? room.json.length : -1;
  const roomAdmitted = room.status === 200 ? room.json.admitted : -1;
  const notTold = soldOutAt ? waitingAfter + socketsNotTold + Math.max(0, roomLength) : null;

  // 5. No seat sold twice, and the seat map agrees with the tickets.
  let dupes = -1,
    tickets = -1,
    sold = -1;
  if (!signal.aborted) {
    const [[d], [t]] = await d1Execute(
      server.d1,
      [
        `SELECT COUNT(*) AS n FROM (SELECT place FROM tickets
            WHERE event_id = '${eventId}' AND status IN ('valid','used') GROUP BY place HAVING COUNT(*) > 1)`,
        `SELECT COUNT(*) AS n FROM tickets WHERE event_id = '${eventId}' AND status IN ('valid','used')`,
      ].join(";\n"),
    );
    dupes = Number(d?.n);
    tickets = Number(t?.n);
    const map = await call("GET", `/v1/events/${eventId}/seats`, { timeoutMs: 10_000 });
    if (map.status === 200) sold = Object.values(map.json.seats).filter((s) => s === "s").length;
  }
  for (const s of samples) log(`error sample: ${s}`);
  if (!soldOutAt) log(`--- wrangler log tail ---\n${server.logTail(40)}`);

  // 6. The admission figures (scripts/bench/onsale-figures.mjs).
  const measured = timeline.filter((x) => x.sent < (capPutAt || Number.POSITIVE_INFINITY) && x.admitted > 0);
  const perTick = Math.ceil(o.measureRate / 60);
  const [m0, m1] = [measured[0], measured[measured.length - 1]];
  const rateFigure = {
    ...admissionRate(fans, capPutAt || Number.POSITIVE_INFINITY, o.measureRate),
    // The room's sampled `admitted` over the same phase: a cross-check, off by up to a tick's batch.
    roomPerMinute:
      m1 && m1.sent > m0.sent ? Math.round(((m1.admitted - m0.admitted) / (m1.sent - m0.sent)) * 60_000) : 0,
    roomShoppingMax: Math.max(0, ...measured.map((x) => x.shopping)),
    capBound: measured.some((x) => x.maxShopping - x.shopping < perTick),
    stockBound: measured.some((x) => x.headroom != null && x.headroom < perTick),
  };
  // From the first admission under the sale's cap: before it, fans admitted while measuring may
  // still be shopping above the new cap, which lowering a cap allows (it evicts nobody).
  const capFrom = Math.min(
    capPutDoneAt ? Number.POSITIVE_INFINITY : 0,
    ...fans.filter((f) => f.admittedAt > capPutDoneAt).map((f) => f.admittedAt),
  );
  const peakFigure = {
    ...peakShopping(fans, capFrom),
    cap: o.maxShopping,
    roomMax: Math.max(0, ...timeline.filter((x) => x.sent >= capFrom).map((x) => x.shopping)),
    admittedNeverSeen: fans.filter((f) => f.ticket && f.rank <= admitted && !f.admittedAt).length,
  };
  const revocation = {
    probed: probes.leave.probed + probes.purchase.probed,
    refused: probes.leave.refused + probes.purchase.refused,
    accepted: probes.leave.accepted + probes.purchase.accepted,
    other: probes.leave.other + probes.purchase.other,
    afterLeave: probes.leave,
    afterPurchase: probes.purchase,
  };
  log(
    `admission rate ${rateFigure.achievedPerMinute}/min of ${o.measureRate} (ratio ${rateFigure.ratio}, ` +
      `${rateFigure.windowSeconds} s, ${rateFigure.admissions} admissions); peak shopping ` +
      `${peakFigure.peak} of ${o.maxShopping} (room ${peakFigure.roomMax}); revoked tokens accepted ` +
      `${revocation.accepted} of ${revocation.probed}`,
  );
  return {
    scenario: "onsale",
    fans: o.fans,
    seats,
    sockets: socketFans.length - socketFailures,
    join_p50_ms: partial.join_p50_ms,
    join_p99_ms: partial.join_p99_ms,
    join_errors: joinErrors,
    joins_per_s: partial.joins_per_s,
    admission_rate_configured_per_min: o.ratePerMinute,
    admission_rate_achieved_per_min: partial.admission_rate_achieved_per_min,
    admission_rate_peak_5s_per_min: partial.admission_rate_peak_5s_per_min,
    admitted: roomAdmitted >= 0 ? roomAdmitted : admitted,
    max_shopping: o.maxShopping,
    sold_out: soldOutAt > 0,
    time_to_sell_out_s: partial.time_to_sell_out_s,
    holds: holdMs.length,
    hold_p50_ms: partial.hold_p50_ms,
    hold_p99_ms: partial.hold_p99_ms,
    hold_409: counts.hold_409,
    orders_paid: counts.paid,
    seats_bought: counts.seats_bought,
    valid_tickets: tickets,
    seats_sold_on_map: sold,
    polls_during_sale: counts.polls,
    tickets_checked: checked,
    ticket_states_after: states,
    room_waiting_after: roomLength,
    sockets_not_told: socketsNotTold,
    errors: counts.errors,
    double_sold: dupes < 0 || sold < 0 ? null : dupes + Math.abs(sold - tickets),
    fans_admitted_twice: counts.fans_admitted_twice,
    waiting_fans_not_told_of_sellout: notTold,
    admissionRate: rateFigure,
    peakShopping: peakFigure,
    revokedTokenAccepted: revocation.accepted,
    revocationProbes: revocation,
  };
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) process.exit(await main());
