// The product against the bare baseline, from one bench run: spread and hot requests per second as
// product ÷ baseline (target ≥ 0.8), one client's hold p50 as product ÷ baseline (target ≤ 1.25),
// and the fan-out delta p99 (target < 250 ms). A miss fails the run, so a regression shows.

export const TARGETS = { spread: 0.8, hot: 0.8, oneClientP50: 1.25, fanoutDeltaP99Ms: 250 };

const r2 = (/** @type {number} */ v) => Math.round(v * 100) / 100;

/**
 * @param {Record<string, any>[]} product the product's scenario lines
 * @param {Record<string, any>[]} baseline the baseline's scenario lines (same scenario names)
 * @returns {{ line: Record<string, unknown>, misses: string[] }}
 */
export function compare(product, baseline) {
  const of = (/** @type {Record<string, any>[]} */ list, /** @type {string} */ name) =>
    list.find((r) => r.scenario === name);
  const ratio = (/** @type {string} */ name, /** @type {string} */ key) => {
    const p = of(product, name)?.[key];
    const b = of(baseline, name)?.[key];
    return typeof p === "number" && typeof b === "number" && b > 0 ? r2(p / b) : null;
  };
  const spread = ratio("spread", "rps");
  const hot = ratio("hot", "rps");
  const oneClient = ratio("one_client", "hold_p50_ms");
  const deltaP99 = of(product, "fanout")?.delta_p99_ms ?? null;
  const misses = [];
  if (spread === null || spread < TARGETS.spread) misses.push(`spread ratio ${spread} < ${TARGETS.spread}`);
  if (hot === null || hot < TARGETS.hot) misses.push(`hot ratio ${hot} < ${TARGETS.hot}`);
  if (oneClient === null || oneClient > TARGETS.oneClientP50)
    misses.push(`one-client p50 ratio ${oneClient} > ${TARGETS.oneClientP50}`);
  if (deltaP99 === null || deltaP99 >= TARGETS.fanoutDeltaP99Ms)
    misses.push(`fanout delta p99 ${deltaP99} ms ≥ ${TARGETS.fanoutDeltaP99Ms} ms`);
  const pair = (/** @type {string} */ name, /** @type {string} */ key) => ({
    product: of(product, name)?.[key] ?? null,
    baseline: of(baseline, name)?.[key] ?? null,
  });
  return {
    line: {
      check: "baseline_ratios",
      spread_rps: { ...pair("spread", "rps"), ratio: spread, target: TARGETS.spread },
      hot_rps: { ...pair("hot", "rps"), ratio: hot, target: TARGETS.hot },
      one_client_hold_p50_ms: { ...pair("one_client", "hold_p50_ms"), ratio: oneClient, target: TARGETS.oneClientP50 },
      fanout_delta_p99_ms: { product: deltaP99, target: TARGETS.fanoutDeltaP99Ms },
      // Not a target: from the hold's request instead of its response, an upper bound that also counts
      // the hold's own queueing behind 1,000 sends per change.
      fanout_delta_since_request_p99_ms: of(product, "fanout")?.delta_since_request_p99_ms ?? null,
      // Not a target: the request chain alone (scenarios.mjs `floor`), the most a hold's ratio can reach.
      floor_rps: { ...pair("floor", "rps"), ratio: ratio("floor", "rps") },
      pass: misses.length === 0,
    },
    misses,
  };
}
