import { describe, expect, it } from "vitest";
import { placeLabel, placeNames } from "../../src/domain/place-labels";

const layout = {
  sections: [{ name: "Stalls", rows: [{ label: "B", seats: [{ id: "STALLS-B-3", label: "3" }] }] }],
  areas: [{ id: "FLOOR", name: "Floor" }],
};

describe("ticket place labels", () => {
  it("names a seat by section, row and seat label", () => {
    expect(placeLabel("STALLS-B-3", placeNames(layout))).toBe("Stalls · Row B · Seat 3");
  });

  it("names a standing place by its area and number, not the order id it carries", () => {
    const label = placeLabel("FLOOR#5ed26a21-0000-4000-8000-000000000000#2", placeNames(layout));
    expect(label).toBe("Floor (standing) · place 2");
  });

  it("falls back to the id when the layout does not know the place", () => {
    expect(placeLabel("X-1-1", placeNames(null))).toBe("X-1-1");
  });
});
