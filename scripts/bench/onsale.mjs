// `npm run bench -- onsale` (or `node scripts/bench/onsale.mjs`): a flash-sale rehearsal on a fresh
// local `wrangler dev`. An event with fewer seats than fans has its waiting room on; N fans join
// before the on-sale instant (the pre-queue), are shuffled at it and admitted at the configured
// rate; admitted fans hold (best available, 1–2 seats, with their admission token), check out and
// pay through the simulated provider, then leave the queue (freeing their slot), until sell-out.
//
// Far fewer sockets than fans: ONSALE_SOCKETS fans follow the queue over its WebSocket; the rest
// poll GET …/queue/{ticket} with a backoff of half their estimated wait (2–30 s, jittered), which
// is what a browser without a socket would do. Bounded: ONSALE_TIME_CAP_S for the sale phase.
//
// Prints one JSON line (stdout): join p50/p99, admission rate achieved vs configured, time to sell
// out, hold p99 while the queue drains, and the invariants double_sold, fans_admitted_twice,
// waiting_fans_not_told_of_sellout (all must be 0; the exit code says so).
//
// Env: ONSALE_FANS (20000), ONSALE_SEATS_SECTIONS / ONSALE_ROWS / ONSALE_PER_ROW (2 × 20 × 50 =
// 2,000 seats), ONSALE_RATE (fans per minute, 3000), ONSALE_MAX_SHOPPING (400), ONSALE_SOCKETS
// (500), ONSALE_SWEEP (1000 pollers read back after the sell-out), ONSALE_CONCURRENCY (64 requests in flight), ONSALE_TIME_CAP_S (150), BENCH_PORT (8788).
import { pathToFileURL } from "node:url";
import { DEV_SECRET, mintAccessToken } from "./jwt.mjs";
import { createOnsaleEvent, insertUsers, openSaleIn } from "./onsale-setup.mjs";
import { Limiter, percentile, request } from "./onsale-http.mjs";
import { d1Execute, log, startServer } from "./server.mjs";
import { adminToken, client, jwtClaimsConfig } from "./setup.mjs";

const int = (/** @type {string | undefined} */ v, /** @type {number} */ d) => (v && Number(v) > 0 ? Number(v) : d);

/** @param {Partial<Record<string, number>>} [options] */
export async function runOnsale(options = {}) {
  const o = {
    fans: int(process.env.ONSALE_FANS, 20_000), sections: int(process.env.ONSALE_SEATS_SECTIONS, 2), rows: int(process.env.ONSALE_ROWS, 20), perRow: int(process.env.ONSALE_PER_ROW, 50),
    ratePerMinute: int(process.env.ONSALE_RATE, 3000), maxShopping: int(process.env.ONSALE_MAX_SHOPPING, 400), tokenSeconds: 300,
    sockets: int(process.env.ONSALE_SOCKETS, 500), sweep: int(process.env.ONSALE_SWEEP, 1000), concurrency: int(process.env.ONSALE_CONCURRENCY, 64), timeCapS: int(process.env.ONSALE_TIME_CAP_S, 150), port: int(process.env.BENCH_PORT, 8788),
    ...options,
  };
  const t0 = performance.now();
  const server = await startServer({ port: o.port, adminEmail: "onsale-admin@bench.test" });
  try {
    return await rehearse(server, o);
  } finally {
    await server.stop();
    log(`onsale done in ${((performance.now() - t0) / 1000).toFixed(1)} s`);
  }
}

/** @param {import("./server.mjs").Server} server @param {Record<string, number>} o */
async function rehearse(server, o) {
  const base = server.base;
  const api = client(base);
  const admin = await adminToken(api, "onsale-admin@bench.test");
  const settings = { ratePerMinute: o.ratePerMinute, maxShopping: o.maxShopping, tokenSeconds: o.tokenSeconds };
  const { eventId, seats } = await createOnsaleEvent(api, admin, { ...o, ...settings });
  log(`event ${eventId}: ${seats} seats, ${o.fans} fans, ${o.ratePerMinute}/min, max ${o.maxShopping} shopping, ${o.sockets} sockets`);

  const tag = Date.now().toString(36);
  const ids = Array.from({ length: o.fans }, (_, i) => `onsale-${tag}-${i}`);
  const usersInserted = insertUsers(server.d1, ids);
  usersInserted.catch(() => {});
  const { issuer, audience } = jwtClaimsConfig();
  const fans = ids.map((id) => ({ id, token: mintAccessToken({ sub: id, email: `${id}@bench.test` }, { secret: DEV_SECRET, issuer, audience, ttlSeconds: 3600 }), ticket: "", state: "waiting", tokens: new Set(), shopping: false, socket: /** @type {WebSocket | null} */ (null), toldSoldOut: false }));
  const http = new Limiter(o.concurrency);
  const call = (/** @type {string} */ m, /** @type {string} */ p, /** @type {any} */ opts = {}) => http.run(() => request(base, m, p, opts));

  // 1. The pre-queue: everyone joins before the on-sale instant.
  const joinMs = [];
  let joinErrors = 0;
  const tj = performance.now();
  await Promise.all(fans.map(async (f) => {
    const r = await call("POST", `/v1/events/${eventId}/queue`, { token: f.token });
    if (r.status !== 201) return void joinErrors++;
    joinMs.push(r.ms);
    f.ticket = r.json.ticket;
  }));
  log(`${o.fans} joins in ${((performance.now() - tj) / 1000).toFixed(1)} s (${joinErrors} errors)`);

  // 2. Sockets for the first ONSALE_SOCKETS fans.
  const wsBase = base.replace(/^http/, "ws");
  let socketFailures = 0;
  await Promise.all(fans.slice(0, o.sockets).map((f) => new Promise((resolve) => {
    const ws = new WebSocket(`${wsBase}/v1/events/${eventId}/queue/${f.ticket}/live?token=${encodeURIComponent(f.token)}`);
    const timer = setTimeout(() => (socketFailures++, resolve(undefined)), 10_000);
    ws.onopen = () => (clearTimeout(timer), (f.socket = ws), resolve(undefined));
    ws.onerror = () => (clearTimeout(timer), socketFailures++, resolve(undefined));
    ws.onmessage = (e) => {
      const m = JSON.parse(String(e.data));
      if (m.type === "admitted") admit(f, m.token);
      else if (m.type === "sold_out") f.toldSoldOut = true;
    };
  })));
  await usersInserted;

  // 3. The sale.
  const onSaleAt = await openSaleIn(api, admin, eventId, 3000, settings);
  log(`sale opens at ${new Date(onSaleAt).toISOString()}`);
  const holdMs = [];
  const counts = { paid: 0, seats_bought: 0, sold_out_answers: 0, errors: 0, fans_admitted_twice: 0, admitted_seen: 0 };
  /** @type {string[]} */ const samples = [];
  const err = (/** @type {string} */ s) => (counts.errors++, samples.length < 5 && samples.push(s));
  let soldOutAt = 0;
  let stop = false;

  function admit(/** @type {typeof fans[number]} */ f, /** @type {string} */ token) {
    if (!f.tokens.has(token)) f.tokens.add(token);
    if (f.tokens.size > 1) counts.fans_admitted_twice++;
    if (f.shopping) return;
    f.shopping = true;
    counts.admitted_seen++;
    void shop(f, token);
  }

  async function shop(/** @type {typeof fans[number]} */ f, /** @type {string} */ token) {
    const quantity = 1 + (f.id.length % 2 === 0 ? 1 : 0) * (Math.random() < 0.5 ? 1 : 0);
    const h = await call("POST", `/v1/events/${eventId}/holds`, { token: f.token, body: { tier: "std", quantity }, headers: { "X-Admission-Token": token } });
    holdMs.push(h.ms);
    if (h.status === 201) {
      const c = await call("POST", `/v1/holds/${encodeURIComponent(h.json.holdId)}/checkout`, { token: f.token, headers: { "Idempotency-Key": crypto.randomUUID() } });
      const url = c.json?.payment?.paymentUrl;
      if (c.status !== 201 || !url) err(`checkout ${c.status}: ${c.text.slice(0, 200)}`);
      else {
        const p = await call("POST", url, { body: { card: "4242 4242 4242 4242" } });
        if (p.status === 200 && p.json.result === "succeeded") (counts.paid++, (counts.seats_bought += quantity));
        else err(`pay ${p.status}: ${p.text.slice(0, 200)}`);
      }
    } else if (h.status === 409) counts.sold_out_answers++;
    else err(`hold ${h.status}: ${h.text.slice(0, 200)}`);
    // Done shopping (bought or nothing left): free the slot at once.
    await call("DELETE", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
    f.state = "done";
  }

  const sleep = (/** @type {number} */ ms) => new Promise((r) => setTimeout(r, ms));
  async function poll(/** @type {typeof fans[number]} */ f) {
    await sleep(Math.max(0, onSaleAt - Date.now()) + Math.random() * 30_000);
    while (!stop && !f.shopping && f.state === "waiting") {
      const r = await call("GET", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
      if (r.status !== 200) { err(`poll ${r.status}`); await sleep(5000); continue; }
      if (r.json.admission) return admit(f, r.json.admission.token);
      if (r.json.state !== "waiting") return void (f.state = r.json.state);
      const wait = r.json.estimatedWaitSeconds ?? 10;
      await sleep((Math.min(60, Math.max(3, wait / 2)) + Math.random()) * 1000);
    }
  }

  const timeline = [];
  const monitor = (async () => {
    const until = onSaleAt + o.timeCapS * 1000;
    while (!stop && Date.now() < until) {
      await sleep(1000);
      const s = (await api("GET", `/v1/admin/events/${eventId}/queue`, undefined, admin)).json;
      timeline.push({ t: Date.now() - onSaleAt, admitted: s.admitted, shopping: s.shopping, length: s.length });
      if (s.soldOut) { soldOutAt = Date.now(); break; }
    }
    stop = true;
  })();
  const pollers = fans.slice(o.sockets).map(poll);
  await monitor;
  log(soldOutAt ? `sold out ${((soldOutAt - onSaleAt) / 1000).toFixed(1)} s after the start` : `not sold out within ${o.timeCapS} s`);
  await Promise.all(pollers);
  await sleep(3000); // let purchases in flight and sold_out pushes land

  // 4. Who was left waiting without being told: sockets without `sold_out`, fans the room still
  // counts as waiting (a poller's next GET says sold_out unless its ticket is still waiting), and
  // a client-side sample of ONSALE_SWEEP pollers read back once.
  let notTold = 0;
  for (const [i, f] of fans.entries()) if (i < o.sockets && f.socket && !f.shopping && !f.toldSoldOut) notTold++;
  const room = (await api("GET", `/v1/admin/events/${eventId}/queue`, undefined, admin)).json;
  if (soldOutAt) notTold += room.length;
  const idle = fans.slice(o.sockets).filter((f) => !f.shopping);
  const sample = idle.sort(() => Math.random() - 0.5).slice(0, o.sweep);
  let sampledWaiting = 0;
  await Promise.all(sample.map(async (f) => {
    const r = await call("GET", `/v1/events/${eventId}/queue/${f.ticket}`, { token: f.token });
    if (r.json.state === "waiting") sampledWaiting++;
  }));
  if (soldOutAt) notTold += sampledWaiting;
  for (const f of fans) f.socket?.close();

  // 5. No seat sold twice, and the seat map agrees with the tickets.
  const [[dupes], [tickets]] = await d1Execute(server.d1, [
    `SELECT COUNT(*) AS n FROM (SELECT place FROM tickets WHERE event_id = '${eventId}' AND status IN ('valid','used') GROUP BY place HAVING COUNT(*) > 1)`,
    `SELECT COUNT(*) AS n FROM tickets WHERE event_id = '${eventId}' AND status IN ('valid','used')`,
  ].join(";\n"));
  const map = (await api("GET", `/v1/events/${eventId}/seats`)).json;
  const sold = Object.values(map.seats).filter((s) => s === "s").length;
  const last = timeline[timeline.length - 1] ?? { admitted: 0 };
  let peak = 0;
  for (let i = 5; i < timeline.length; i++) peak = Math.max(peak, ((timeline[i].admitted - timeline[i - 5].admitted) / ((timeline[i].t - timeline[i - 5].t) / 1000)) * 60);
  const elapsed = ((soldOutAt || Date.now()) - onSaleAt) / 1000;
  const result = {
    scenario: "onsale", fans: o.fans, seats, sockets: o.sockets - socketFailures, pollers: o.fans - o.sockets,
    join_p50_ms: +percentile(joinMs, 50).toFixed(1), join_p99_ms: +percentile(joinMs, 99).toFixed(1), join_errors: joinErrors,
    admission_rate_configured_per_min: o.ratePerMinute, admission_rate_peak_5s_per_min: Math.round(peak), admission_rate_mean_per_min: Math.round((last.admitted / Math.max(elapsed, 1e-3)) * 60),
    admitted: last.admitted, max_shopping: o.maxShopping, sold_out: soldOutAt > 0, time_to_sell_out_s: soldOutAt ? +elapsed.toFixed(1) : null,
    holds: holdMs.length, hold_p50_ms: +percentile(holdMs, 50).toFixed(1), hold_p99_ms: +percentile(holdMs, 99).toFixed(1),
    paid_orders: counts.paid, seats_bought: counts.seats_bought, seats_sold_on_map: sold, valid_tickets: Number(tickets?.n), hold_409_sold_out: counts.sold_out_answers, errors: counts.errors,
    room_waiting_after: room.length, sampled_pollers: sample.length,
    double_sold: Number(dupes?.n) + Math.abs(sold - Number(tickets?.n)), fans_admitted_twice: counts.fans_admitted_twice, waiting_fans_not_told_of_sellout: notTold,
  };
  for (const s of samples) log(`error sample: ${s}`);
  if (!soldOutAt) log(`--- wrangler log tail ---\n${server.logTail(40)}`);
  return result;
}

if (import.meta.url === pathToFileURL(process.argv[1] ?? "").href) {
  const t = performance.now();
  try {
    const r = await runOnsale();
    process.stdout.write(`${JSON.stringify(r)}\n`);
    const bad = r.double_sold || r.fans_admitted_twice || r.waiting_fans_not_told_of_sellout || r.errors || r.join_errors || !r.sold_out;
    log(bad ? "FAIL" : "OK");
    log(`wall ${((performance.now() - t) / 1000).toFixed(1)} s`);
    process.exit(bad ? 1 : 0);
  } catch (e) {
    log(`failed: ${/** @type {Error} */ (e)?.stack ?? e}`);
    process.exit(1);
  }
}
