import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { AttemptWindow } from "../../src/domain/attempt-window";

describe("AttemptWindow", () => {
  it("allows the budget in a window, refuses the next attempt, and opens a new window after the period", () => {
    const w = new AttemptWindow(3, 10_000);
    expect([1, 2, 3].map((t) => w.take("fan", t))).toEqual([true, true, true]);
    expect(w.take("fan", 9_999)).toBe(false);
    expect(w.take("other", 9_999)).toBe(true);
    expect(w.take("fan", 10_001)).toBe(true);
  });

  it("never lets more than the budget through in any window, over random attempt sequences", () => {
    fc.assert(
      fc.property(
        fc.array(fc.record({ fan: fc.integer({ min: 0, max: 3 }), gap: fc.integer({ min: 0, max: 700 }) }), {
          maxLength: 400,
        }),
        (attempts) => {
          const w = new AttemptWindow(5, 2_000);
          const allowed = new Map<number, number[]>();
          let now = 0;
          for (const a of attempts) {
            now += a.gap;
            if (w.take(String(a.fan), now)) allowed.set(a.fan, [...(allowed.get(a.fan) ?? []), now]);
          }
          // A window starts at a key's first allowed attempt: the sixth after it is at least a period later.
          for (const times of allowed.values())
            for (let i = 5; i < times.length; i++) expect(times[i]! - times[i - 5]!).toBeGreaterThanOrEqual(2_000);
        },
      ),
    );
  });

  it("sweeps ended windows once many keys are open, so memory follows the rush", () => {
    const w = new AttemptWindow(1, 1_000);
    for (let i = 0; i < 6_000; i++) w.take(`fan-${i}`, 0);
    expect(w.size).toBe(6_000);
    w.take("late", 1_000);
    expect(w.size).toBe(1);
  });
});
