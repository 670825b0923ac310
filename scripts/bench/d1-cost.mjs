// What a purchase costs in D1, every consumer included: the server counts D1 statements, D1 round
// trips and Durable Object calls per source (request route, queue, cron) on its bindings, and
// serves the totals at GET /v1/admin/metrics/bindings (operator token or admin). The bench takes
// them once the server is quiet before the purchase scenario and again once the queues it fed have
// drained, and divides the difference by the purchases made.

const PATH = "/v1/admin/metrics/bindings";
/** The totals request itself is counted too (its auth may read D1): it is left out of every sum. */
const SELF = `request GET ${PATH}`;
/** The purchase scenario's ledger-lag probe polls the fans' order lists: a measurement, not a purchase. */
export const LAG_PROBE = "request GET /v1/orders";
export const CHECKOUT = "request POST /v1/holds/:holdId/checkout";
/**
 * The fan's look at the order after paying is not part of the purchase (hold, checkout, payment,
 * webhook and every consumer they feed): it is reported on its own line. Its only D1 read is the
 * session check of personal-data routes, one per account per isolate per minute.
 */
export const ORDER_READ = "request GET /v1/orders/:id";
export const WEBHOOK = "request POST /v1/webhooks/stripe";

/** @typedef {{ runs: number, d1: number, d1Writes: number, d1RoundTrips: number, rpc: number }} Counts */
/** @typedef {Record<string, Counts>} Sources */

/** @param {string} base @param {string} token @returns {Promise<Sources>} */
export async function bindingTotals(base, token) {
  const res = await fetch(base + PATH, { headers: { authorization: `Bearer ${token}` } });
  if (!res.ok) throw new Error(`GET ${PATH} → ${res.status}: ${(await res.text()).slice(0, 300)}`);
  const { sources } = /** @type {{ sources: Sources }} */ (await res.json());
  delete sources[SELF];
  delete sources[LAG_PROBE];
  return sources;
}

/**
 * The totals once nothing has moved for three polls a second apart: queue consumers run in
 * batches a couple of seconds after the requests that fed them, and an outbox ships after its
 * response. Gives up waiting after `timeoutMs` and returns what it has.
 * @param {string} base @param {string} token @param {number} [timeoutMs]
 */
export async function settledTotals(base, token, timeoutMs = 45_000) {
  const until = Date.now() + timeoutMs;
  let last = JSON.stringify(await bindingTotals(base, token));
  let quiet = 0;
  while (quiet < 3 && Date.now() < until) {
    await new Promise((r) => setTimeout(r, 1000));
    const now = JSON.stringify(await bindingTotals(base, token));
    quiet = now === last ? quiet + 1 : 0;
    last = now;
  }
  return /** @type {Sources} */ (JSON.parse(last));
}

/** @param {Sources} before @param {Sources} after @returns {Sources} what each source added */
function delta(before, after) {
  /** @type {Sources} */
  const out = {};
  for (const [k, a] of Object.entries(after)) {
    const b = before[k] ?? { runs: 0, d1: 0, d1Writes: 0, d1RoundTrips: 0, rpc: 0 };
    const d = {
      runs: a.runs - b.runs,
      d1: a.d1 - b.d1,
      d1Writes: (a.d1Writes ?? 0) - (b.d1Writes ?? 0),
      d1RoundTrips: a.d1RoundTrips - b.d1RoundTrips,
      rpc: a.rpc - b.rpc,
    };
    if (d.runs || d.d1 || d.d1RoundTrips || d.rpc) out[k] = d;
  }
  return out;
}

const r2 = (/** @type {number} */ v) => Math.round(v * 100) / 100;

/**
 * The D1 cost per purchase between two totals, and per checkout and webhook request.
 * @param {Sources} before @param {Sources} after @param {number} purchases completed purchases
 */
export function purchaseCost(before, after, purchases) {
  const sources = delta(before, after);
  const all = Object.entries(sources)
    .filter(([k]) => k !== ORDER_READ)
    .map(([, v]) => v);
  const sum = (/** @type {keyof Counts} */ k) => all.reduce((n, s) => n + s[k], 0);
  const per = (/** @type {number} */ v) => (purchases > 0 ? r2(v / purchases) : 0);
  const perRun = (/** @type {string} */ k) => {
    const s = sources[k];
    // Means per request, but writes as a total: the target is none, and a mean would round one away.
    return s?.runs
      ? {
          requests: s.runs,
          d1: r2(s.d1 / s.runs),
          d1WritesTotal: s.d1Writes,
          d1RoundTrips: r2(s.d1RoundTrips / s.runs),
          rpc: r2(s.rpc / s.runs),
        }
      : null;
  };
  return {
    scenario: "purchase_d1",
    purchases,
    d1_per_purchase: per(sum("d1")),
    d1_round_trips_per_purchase: per(sum("d1RoundTrips")),
    rpc_per_purchase: per(sum("rpc")),
    checkout: perRun(CHECKOUT),
    webhook: perRun(WEBHOOK),
    order_read: perRun(ORDER_READ),
    by_source: sources,
  };
}

/** @param {ReturnType<typeof purchaseCost>} cost @returns {string[]} the human lines */
export function describeCost(cost) {
  const sync = (/** @type {string} */ name, /** @type {ReturnType<typeof purchaseCost>["checkout"]} */ c) =>
    c
      ? `${name}: ${c.d1} D1 statements, ${c.d1RoundTrips} round trips, ${c.rpc} object calls in the request ` +
        `(mean of ${c.requests}); ${c.d1WritesTotal} D1 writes in all`
      : `${name}: no requests counted`;
  return [
    `d1 per purchase: ${cost.d1_per_purchase} statements, ${cost.d1_round_trips_per_purchase} round trips ` +
      `(amortized over ${cost.purchases} purchases, all consumers included)`,
    sync("checkout", cost.checkout),
    sync("webhook", cost.webhook),
    `${sync("order page after paying (not counted above)", cost.order_read)}: the session check of personal data`,
    ...Object.entries(cost.by_source).map(
      ([k, s]) =>
        `  ${k}: ${s.runs} runs, ${s.d1} statements (${s.d1Writes} writes), ${s.d1RoundTrips} round trips, ` +
        `${s.rpc} object calls`,
    ),
  ];
}
