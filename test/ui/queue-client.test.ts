import { describe, expect, it } from "vitest";
import { commitmentOf, fairOrder, newSeed } from "../../src/domain/admission";
import { verifyShuffle, worthSaying } from "../../src/ui/client/queue-rules";

describe("queue page: what the screen reader hears (worthSaying)", () => {
  it("says the first place, and nothing when the place is unchanged", () => {
    expect(worthSaying(null, 480, 0, 0)).toBe(true);
    expect(worthSaying(480, 480, 0, 60_000)).toBe(false);
  });

  it("keeps quiet for 30 s unless a mark (100, 50, 10, 5, 1) is crossed", () => {
    expect(worthSaying(480, 470, 0, 29_999)).toBe(false);
    expect(worthSaying(480, 470, 0, 30_000)).toBe(true);
    for (const [from, to] of [
      [101, 100],
      [120, 60],
      [51, 49],
      [11, 10],
      [6, 5],
      [2, 1],
    ])
      expect(worthSaying(from!, to!, 0, 1000), `${from} → ${to}`).toBe(true);
    expect(worthSaying(99, 60, 0, 1000)).toBe(false);
    expect(worthSaying(4, 3, 0, 1000)).toBe(false);
  });
});

describe("queue page: the browser's own check of the shuffle (verifyShuffle)", () => {
  const ids = Array.from({ length: 25 }, (_, i) => `qt_${String(i).padStart(4, "0")}`);

  it("agrees with the server's draw and commitment", async () => {
    const seed = newSeed();
    const f = { commitment: await commitmentOf(seed), algorithm: "", revealed: true, onSaleAt: null, seed };
    const order = await fairOrder(seed, ids);
    expect(await verifyShuffle({ ...f, order })).toEqual({ commitment: true, order: true });
  });

  it("catches a swapped order and a seed that is not the committed one", async () => {
    const seed = newSeed();
    const order = await fairOrder(seed, ids);
    const swapped = [order[1]!, order[0]!, ...order.slice(2)];
    const f = { commitment: await commitmentOf(seed), algorithm: "", revealed: true, onSaleAt: null, seed };
    expect(await verifyShuffle({ ...f, order: swapped })).toEqual({ commitment: true, order: false });
    expect(await verifyShuffle({ ...f, commitment: await commitmentOf(newSeed()), order })).toEqual({
      commitment: false,
      order: true,
    });
  });
});
