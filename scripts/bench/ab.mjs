// `npm run bench -- ab <file> <old text> <new text>`: what one piece of code costs the hold path,
// measured by taking it out. Server A runs the tree as it is; server B the same tree with <old
// text> in <file> replaced by <new text> (the file is restored as soon as B's snapshot is taken).
// One client alternates hold-then-release between A and B (AB, BA, AB, ...), so machine noise
// lands on both alike, and the run prints both p50s and B ÷ A. With no arguments both servers run
// the same tree: an A/A run shows the noise floor (about ±3% here). Env: AB_REQUESTS (400).
// AB_PATH=purchase measures the purchase path instead: each turn is one whole purchase (hold,
// checkout, the payment as scripts/bench/payments.mjs makes it, the fan's order read) by a buyer whose
// user row exists, and the line has each step's p50 and the whole purchase's.
import { readFileSync, writeFileSync } from "node:fs";
import { DEV_SECRET, mintAccessToken } from "./jwt.mjs";
import { startPayments } from "./payments.mjs";
import { d1Execute, log, startServer } from "./server.mjs";
import { adminToken, client, createBenchEvent, jwtClaimsConfig } from "./setup.mjs";

const ADMIN = "bench-admin@bench.test";

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)] ?? 0;

/**
 * Starts B from the patched tree and puts the file back at once, whatever happens.
 * @param {string} file @param {string} from @param {string} to @param {() => Promise<any>} start
 */
async function withPatch(file, from, to, start) {
  const original = readFileSync(file, "utf8");
  if (!original.includes(from)) throw new Error(`${file} does not contain the text to replace`);
  writeFileSync(file, original.replace(from, to));
  try {
    return await start();
  } finally {
    writeFileSync(file, original);
  }
}

/**
 * One hold of one seat, then its release.
 * @param {{ base: string, eventId: string }} side @param {string} seat @param {Record<string, string>} auth
 */
async function holdTurn(side, seat, auth) {
  let t = performance.now();
  const h = await fetch(`${side.base}/v1/events/${side.eventId}/holds`, {
    method: "POST",
    headers: { ...auth, "content-type": "application/json" },
    body: JSON.stringify({ seats: [seat] }),
  });
  const { holdId } = await h.json();
  const hold = performance.now() - t;
  if (h.status !== 201) throw new Error(`hold on ${side.base} → ${h.status}`);
  t = performance.now();
  const r = await fetch(`${side.base}/v1/holds/${encodeURIComponent(holdId)}`, { method: "DELETE", headers: auth });
  await r.text();
  return { hold, release: performance.now() - t };
}

/**
 * One whole purchase of one seat, as the bench's purchase scenario makes it.
 * @param {{ base: string, eventId: string, pay: import("./payments.mjs").Payments }} side
 * @param {string} seat @param {Record<string, string>} auth
 */
async function purchaseTurn(side, seat, auth) {
  const t0 = performance.now();
  /** @type {Record<string, number>} */
  const ms = {};
  const step = async (/** @type {string} */ name, /** @type {string} */ path, /** @type {RequestInit} */ init) => {
    const t = performance.now();
    const res = await fetch(path.startsWith("http") ? path : `${side.base}${path}`, init);
    const body = await res.json().catch(() => ({}));
    ms[name] = performance.now() - t;
    if (!res.ok) throw new Error(`${name} on ${side.base} → ${res.status}: ${JSON.stringify(body).slice(0, 300)}`);
    return body;
  };
  const json = { ...auth, "content-type": "application/json" };
  const { holdId } = await step("hold", `/v1/events/${side.eventId}/holds`, {
    method: "POST",
    headers: json,
    body: JSON.stringify({ seats: [seat] }),
  });
  const order = await step("checkout", `/v1/holds/${encodeURIComponent(holdId)}/checkout`, {
    method: "POST",
    headers: { ...auth, "Idempotency-Key": crypto.randomUUID() },
  });
  const payment = side.pay.request(order, "4242 4242 4242 4242", auth);
  const paid = await step("pay", payment.url, payment.init);
  if (paid.result !== "succeeded") throw new Error(`pay on ${side.base}: ${JSON.stringify(paid).slice(0, 300)}`);
  await step("order", `/v1/orders/${encodeURIComponent(order.orderId)}`, { headers: auth });
  ms.purchase = performance.now() - t0;
  return ms;
}

/**
 * Buyers with user rows on both servers (the ledger's orders reference users), as fan headers.
 * @param {import("./server.mjs").Server[]} servers @param {string} issuer @param {string} audience
 */
async function insertBuyers(servers, issuer, audience) {
  const now = Date.now();
  const ids = Array.from({ length: 200 }, (_, n) => `ab-buyer-${now.toString(36)}-${n}`);
  const values = ids.map((id) => `('${id}', '${id}@bench.test', 'fan', 0, 0, ${now}, ${now})`).join(", ");
  for (const s of servers) {
    await d1Execute(
      s.d1,
      `INSERT INTO users (id, email, role, notify_email, notify_sms, created_at, updated_at) VALUES ${values}`,
    );
  }
  return ids.map((id) => {
    const token = mintAccessToken({ sub: id, email: `${id}@bench.test` }, { secret: DEV_SECRET, issuer, audience });
    return { authorization: `Bearer ${token}` };
  });
}

export async function main() {
  const [file, from, to] = process.argv.slice(3);
  if (file && (from === undefined || to === undefined)) {
    log("usage: npm run bench -- ab <file> <old text> <new text>");
    return 2;
  }
  const requests = Number(process.env.AB_REQUESTS) || 400;
  /** @type {import("./server.mjs").Server[]} */
  const servers = [];
  /** @type {import("./payments.mjs").Payments[]} */
  const payments = [];
  try {
    for (const port of [8801, 8802])
      payments.push(await startPayments({ workerBase: `http://127.0.0.1:${port}`, stripePort: port + 10 }));
    servers.push(await startServer({ port: 8801, adminEmail: ADMIN, vars: payments[0].vars }));
    const startB = () => startServer({ port: 8802, adminEmail: ADMIN, vars: payments[1].vars });
    servers.push(file ? await withPatch(file, from, to, startB) : await startB());
    const { issuer, audience } = jwtClaimsConfig();
    // Fans take turns, so none meets the per-fan hold rate limit (60 per 10 s).
    const fans = Array.from({ length: 200 }, (_, n) => {
      const token = mintAccessToken(
        { sub: `ab-fan-${n}`, email: `ab-fan-${n}@bench.test` },
        { secret: DEV_SECRET, issuer, audience },
      );
      return { authorization: `Bearer ${token}` };
    });
    const purchase = process.env.AB_PATH === "purchase";
    const buyers = purchase ? await insertBuyers(servers, issuer, audience) : [];
    const sides = [];
    for (const [n, s] of servers.entries()) {
      const api = client(s.base);
      sides.push({
        base: s.base,
        pay: payments[n],
        ...(await createBenchEvent(api, await adminToken(api, ADMIN))),
        /** @type {Record<string, number[]>} */
        steps: {},
      });
    }
    for (let i = 0; i < requests; i++) {
      for (const side of i % 2 ? [sides[1], sides[0]] : sides) {
        const seat = side.seatIds[(i * 13) % side.seatIds.length];
        const timed = purchase
          ? await purchaseTurn(side, seat, buyers[i % buyers.length])
          : await holdTurn(side, seat, fans[i % fans.length]);
        for (const [step, ms] of Object.entries(timed)) {
          side.steps[step] ??= [];
          side.steps[step].push(ms);
        }
      }
    }
    const [a, b] = sides;
    const p50 = (/** @type {number[]} */ xs) => Math.round(quantile(xs, 0.5) * 100) / 100;
    /** @type {Record<string, unknown>} */
    const line = {
      check: "ab",
      path: purchase ? "purchase" : "hold",
      patch: file ? { file, from, to } : null,
      requests,
    };
    for (const step of Object.keys(a.steps)) {
      const [pa, pb] = [p50(a.steps[step]), p50(b.steps[step] ?? [])];
      line[`${step}_p50_ms`] = { a: pa, b: pb, b_over_a: Math.round((pb / pa) * 1000) / 1000 };
    }
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } finally {
    for (const s of servers) await s.stop();
    for (const p of payments) await p.stop();
  }
}
