import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { LayoutSchema, assertValidLayout } from "../../src/domain/layout";
import { arcPose, boxesOverlap, placeLabels } from "../../src/domain/layout-geometry";
import { GenerateLayoutSchema, generateLayout } from "../../src/domain/layout-generator";
import { REGION_NAMES, regionName } from "../../src/domain/regions";
import { REGIONS } from "../../src/db/schema/constants";

const box = fc.record({
  x: fc.integer({ min: -300, max: 300 }),
  y: fc.integer({ min: -300, max: 300 }),
  w: fc.integer({ min: 1, max: 120 }),
  h: fc.integer({ min: 1, max: 40 }),
});

describe("placeLabels", () => {
  it("never lets two labels, or a label and the stage, overlap", () => {
    fc.assert(
      fc.property(
        box,
        fc.array(fc.record({ x: fc.integer({ min: -300, max: 300 }), y: fc.integer({ min: -300, max: 300 }) }), {
          maxLength: 30,
        }),
        fc.integer({ min: 10, max: 120 }),
        (stage, anchors, w) => {
          const boxes = placeLabels(
            anchors.map((anchor) => ({ anchor, w, h: 14 })),
            [stage],
          );
          expect(boxes).toHaveLength(anchors.length);
          for (let i = 0; i < boxes.length; i++) {
            expect(boxesOverlap(boxes[i]!, stage)).toBe(false);
            for (let j = i + 1; j < boxes.length; j++) expect(boxesOverlap(boxes[i]!, boxes[j]!)).toBe(false);
          }
        },
      ),
    );
  });
});

describe("arcPose", () => {
  it("puts the section at the radius and turns its rows away from the stage", () => {
    fc.assert(
      fc.property(fc.integer({ min: -179, max: 180 }), fc.integer({ min: 40, max: 500 }), (angle, radius) => {
        const stage = { x: 100, y: 0 };
        const layout = generateLayout(
          GenerateLayoutSchema.parse({
            stage,
            sections: [{ id: "S", name: "S", rows: 3, seatsPerRow: 5, ...arcPose(stage, radius, angle) }],
          }),
        );
        const rows = layout.sections[0]!.rows;
        const dist = (p: { x: number; y: number }) => Math.hypot(p.x - stage.x, p.y - stage.y);
        // The middle seat of the front row is on the arc; each row behind is further from the stage.
        expect(dist(rows[0]!.seats[2]!)).toBeCloseTo(radius, 0);
        expect(dist(rows[1]!.seats[2]!)).toBeGreaterThan(dist(rows[0]!.seats[2]!) + 11);
        expect(dist(rows[2]!.seats[2]!)).toBeGreaterThan(dist(rows[1]!.seats[2]!) + 11);
      }),
    );
  });
});

describe("generateLayout with placed sections and aisles", () => {
  it("leaves a wider gap at every aisle than between neighbours, in the saved coordinates", () => {
    const layout = generateLayout(
      GenerateLayoutSchema.parse({
        sections: [{ id: "A", name: "A", rows: 1, seatsPerRow: 12, aisleEvery: 5, x: 0, y: 60, rotation: 0 }],
      }),
    );
    const xs = layout.sections[0]!.rows[0]!.seats.map((s) => s.x);
    const gaps = xs.slice(1).map((x, i) => Math.round(x - xs[i]!));
    expect(gaps).toEqual([10, 10, 10, 10, 20, 10, 10, 10, 10, 20, 10]);
    expect(LayoutSchema.safeParse(layout).success).toBe(true);
    expect(assertValidLayout(layout).seatCount).toBe(12);
  });

  it("keeps old descriptions (no positions) valid and side by side", () => {
    const parsed = GenerateLayoutSchema.parse({ sections: [{ id: "L", name: "L", rows: 2, seatsPerRow: 3 }] });
    const layout = generateLayout(parsed);
    expect(layout.stage).toEqual({ x: 10, y: 0, label: "Stage" });
    expect(layout.sections[0]!.rows[0]!.seats.map((s) => [s.x, s.y])).toEqual([
      [0, 40],
      [10, 40],
      [20, 40],
    ]);
  });

  it("rejects a rotation out of range", () => {
    const r = GenerateLayoutSchema.safeParse({
      sections: [{ id: "L", name: "L", rows: 1, seatsPerRow: 1, x: 0, y: 0, rotation: 9999 }],
    });
    expect(r.success).toBe(false);
  });
});

describe("region names", () => {
  it("names every region code a venue can have", () => {
    for (const code of REGIONS) expect(REGION_NAMES[code]).toMatch(/^[A-Z][a-z]/);
    expect(regionName("weur")).toBe("Western Europe");
    expect(regionName("xx")).toBe("xx");
  });
});
