import { describe, expect, it } from "vitest";
// @ts-expect-error: a plain ESM script of the bench, typed by its JSDoc only
import { compare } from "../../scripts/bench/ratios.mjs";

const run = (spread: number, hot: number, p50: number, deltaP99?: number) => [
  { scenario: "spread", rps: spread },
  { scenario: "hot", rps: hot },
  { scenario: "one_client", hold_p50_ms: p50 },
  ...(deltaP99 === undefined ? [] : [{ scenario: "fanout", delta_p99_ms: deltaP99 }]),
];

describe("the bench's product ÷ baseline gate", () => {
  it("passes at the targets and names every miss below them", () => {
    const base = run(300, 400, 8);
    expect(compare(run(240, 320, 10, 249), base).misses).toEqual([]);
    const { line, misses } = compare(run(125, 159, 13.7, 332), base);
    expect(line).toMatchObject({ pass: false, spread_rps: { ratio: 0.42 }, hot_rps: { ratio: 0.4 } });
    expect(misses).toHaveLength(4);
    expect(misses.join("; ")).toMatch(/spread ratio 0\.42.*hot ratio 0\.4.*one-client p50 ratio 1\.71.*fanout/);
  });

  it("counts a scenario that did not run as a miss, not a pass", () => {
    expect(compare(run(300, 400, 8), []).misses).toHaveLength(4);
  });
});
