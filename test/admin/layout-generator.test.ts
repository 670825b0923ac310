import { describe, expect, it } from "vitest";
import { assertValidLayout, type Layout } from "../../src/domain/layout";
import { GenerateLayoutSchema, generateLayout, rowLabel } from "../../src/domain/layout-generator";
import { resolveSeatTiers } from "../../src/domain/pricing";
import { assertTransition } from "../../src/domain/event-lifecycle";

describe("layout generator and pricing", () => {
  it("labels rows A..Z then AA", () => {
    expect([0, 25, 26, 27, 701, 702].map(rowLabel)).toEqual(["A", "Z", "AA", "AB", "ZZ", "AAA"]);
  });

  it("places sections side by side with unique seat ids, aisles and accessible row ends", () => {
    const layout = generateLayout({
      sections: [
        { id: "L", name: "Left", rows: 2, seatsPerRow: 5, shape: "straight", accessibleRows: 2, aisleEvery: 2 },
        { id: "R", name: "Right", rows: 30, seatsPerRow: 3, shape: "curved" },
      ],
      areas: [{ id: "ga", name: "GA", capacity: 10 }],
    });
    expect(assertValidLayout(layout)).toEqual({ seatCount: 100, gaCapacity: 10 });
    const row = layout.sections[0]!.rows[0]!;
    expect(row.seats.map((s) => s.id)).toEqual(["L-A-1", "L-A-2", "L-A-3", "L-A-4", "L-A-5"]);
    expect(row.seats.map((s) => !!s.accessible)).toEqual([true, false, false, false, true]);
    expect(row.seats.map((s) => !!s.aisleAfter)).toEqual([false, true, false, true, false]);
    const maxLeft = Math.max(...layout.sections[0]!.rows.flatMap((r) => r.seats.map((s) => s.x)));
    expect(Math.min(...layout.sections[1]!.rows[0]!.seats.map((s) => s.x))).toBeGreaterThan(maxLeft);
    expect(layout.sections[1]!.rows[29]!.label).toBe("AD");
  });

  it("curves wide layouts in front of the stage without wrapping round it or overlapping seats", () => {
    const layout = generateLayout(
      GenerateLayoutSchema.parse({
        sections: [
          { id: "STALLS", name: "Stalls", rows: 15, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
          { id: "CIRCLE", name: "Circle", rows: 10, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
        ],
      }),
    );
    const seats = layout.sections.flatMap((s) => s.rows.flatMap((r) => r.seats));
    expect(Math.min(...seats.map((s) => s.y))).toBeGreaterThan(0);
    let closest = Infinity;
    for (let i = 0; i < seats.length; i++) {
      for (let j = i + 1; j < seats.length; j++)
        closest = Math.min(closest, Math.hypot(seats[i]!.x - seats[j]!.x, seats[i]!.y - seats[j]!.y));
    }
    expect(closest).toBeGreaterThanOrEqual(9);
  });

  it("resolves the most specific tier per seat and reports unpriced ones", () => {
    const layout: Layout = generateLayout({
      sections: [{ id: "S", name: "S", rows: 2, seatsPerRow: 2, shape: "straight" }],
      areas: [{ id: "a", name: "A", capacity: 1 }],
    });
    const r = resolveSeatTiers(layout, [
      { key: "seat", appliesTo: { seats: ["S-A-1"] } },
      { key: "section", appliesTo: { sections: ["S"] } },
      { key: "row", appliesTo: { rows: [{ section: "S", row: "A" }] } },
    ]);
    expect(Object.fromEntries(r.seatTier)).toEqual({
      "S-A-1": "seat",
      "S-A-2": "row",
      "S-B-1": "section",
      "S-B-2": "section",
    });
    expect(r.unpricedSeats).toEqual([]);
    expect(r.unpricedAreas).toEqual(["a"]);
  });

  it("allows only the documented transitions", () => {
    expect(() => assertTransition("draft", "published")).not.toThrow();
    expect(() => assertTransition("on_sale", "cancelled")).not.toThrow();
    expect(() => assertTransition("draft", "on_sale")).toThrow(/cannot go/);
    expect(() => assertTransition("cancelled", "cancelled")).toThrow();
  });
});
