import { describe, expect, it } from "vitest";
import { availability, convexHull, heatColor, priceText, seatCount, summarize } from "../../src/ui/client/map/sections";
import type { MapLayout, SeatView } from "../../src/ui/client/map/types";

/** A grid section: `rows` × `perRow` seats 10 apart, all in one tier. */
function grid(id: string, left: number, rows: number, perRow: number, tier: string | null): MapLayout["sections"][0] {
  return {
    id,
    name: `Section ${id}`,
    rows: Array.from({ length: rows }, (_, r) => ({
      label: String.fromCharCode(65 + r),
      seats: Array.from({ length: perRow }, (_, k) => ({
        id: `${id}-${String.fromCharCode(65 + r)}-${k + 1}`,
        label: String(k + 1),
        x: left + k * 10,
        y: 40 + r * 12,
        tier,
      })),
    })),
  };
}

const PRICES: Record<string, number> = { lower: 18900, upper: 8900 };
const priceOf = (tier: string | null) => (tier ? PRICES[tier] : undefined);
const usd = (minor: number) => `$${minor / 100}`;

describe("stadium overview sections (summarize)", () => {
  const layout: MapLayout = { sections: [grid("N1", 0, 3, 4, "lower"), grid("N2", 100, 2, 5, "upper")], areas: [] };

  it("gives each section its bounds, seat ids and count", () => {
    const [n1, n2] = summarize(layout, priceOf);
    expect(seatCount(layout)).toBe(22);
    expect(n1).toMatchObject({ index: 0, id: "N1", name: "Section N1", seats: 12 });
    expect(n1!.bounds).toEqual({ minX: 0, minY: 40, maxX: 30, maxY: 64 });
    expect(n2!.bounds).toEqual({ minX: 100, minY: 40, maxX: 140, maxY: 52 });
    expect(n2!.seatIds).toHaveLength(10);
    expect(new Set([...n1!.seatIds, ...n2!.seatIds]).size).toBe(22);
  });

  it("outlines a grid by its four corners", () => {
    const [n1] = summarize(layout, priceOf);
    const corners = n1!.outline.map((p) => `${p.x},${p.y}`).sort();
    expect(corners).toEqual(["0,40", "0,64", "30,40", "30,64"].sort());
  });

  it("prices a one-tier section at its tier, a mixed one as a range, a partly priced one from its lowest", () => {
    const mixed = grid("M", 0, 2, 2, "lower");
    for (const s of mixed.rows[1]!.seats) s.tier = "upper";
    const partly = grid("P", 0, 1, 2, "upper");
    partly.rows[0]!.seats[0]!.tier = "unknown";
    const [m, p, none] = summarize({ sections: [mixed, partly, grid("X", 0, 1, 1, null)], areas: [] }, priceOf);
    expect(priceText(summarize(layout, priceOf)[0]!, usd)).toBe("$189");
    expect(m!.price).toEqual({ min: 8900, max: 18900 });
    expect(priceText(m!, usd)).toBe("$89–$189");
    expect(priceText(p!, usd)).toBe("from $89");
    expect(priceText(none!, usd)).toBe("not priced");
  });

  it("counts a section's available seats, the fan's own picks among them, held and sold ones not", () => {
    const sections = summarize(layout, priceOf);
    const views: Record<string, SeatView> = {
      "N1-A-1": "h",
      "N1-A-2": "s",
      "N1-A-3": "selected",
      "N1-A-4": "mine",
      "N1-B-1": "b",
    };
    const known = (id: string): SeatView | undefined => (id.startsWith("N1") ? (views[id] ?? "a") : undefined);
    expect(availability(sections, known)).toEqual([8, 0]);
  });
});

describe("a section's outline", () => {
  it("is the hull of all its seats when its rows curve round the stage, though drawn from its edges", () => {
    // Rows on concentric arcs: the front row bulges towards the stage, the back row away from it.
    const curved: MapLayout["sections"][0] = {
      id: "C",
      name: "Curved",
      rows: Array.from({ length: 6 }, (_, r) => ({
        label: String(r),
        seats: Array.from({ length: 9 }, (_, k) => {
          const [arc, theta] = [100 + r * 12, (k - 4) * 0.08];
          return { id: `C-${r}-${k}`, label: String(k), x: arc * Math.sin(theta), y: arc * Math.cos(theta) };
        }),
      })),
    };
    const all = curved.rows.flatMap((r) => r.seats.map((s) => ({ x: s.x, y: s.y })));
    const key = (ps: { x: number; y: number }[]) => ps.map((p) => `${p.x.toFixed(3)},${p.y.toFixed(3)}`).sort();
    const [section] = summarize({ sections: [curved], areas: [] }, priceOf);
    expect(key(section!.outline)).toEqual(key(convexHull(all)));
  });
});

describe("convexHull", () => {
  it("drops inner and collinear points and keeps a triangle's corners", () => {
    const pts = [
      { x: 0, y: 0 },
      { x: 5, y: 0 },
      { x: 10, y: 0 },
      { x: 5, y: 2 },
      { x: 5, y: 8 },
    ];
    expect(convexHull(pts)).toHaveLength(3);
    expect(convexHull(pts)).toEqual(expect.arrayContaining([pts[0], pts[2], pts[4]]));
  });
});

describe("heatColor", () => {
  it("is grey with nothing left and runs from red to green as more is open", () => {
    expect(heatColor(0)).toBe("#64748b");
    const hue = (share: number) => Number(/^hsl\((\d+) /.exec(heatColor(share))?.[1]);
    expect(hue(0.05)).toBeLessThan(hue(0.5));
    expect(hue(0.5)).toBeLessThan(hue(1));
    expect(hue(1)).toBe(140);
  });
});
