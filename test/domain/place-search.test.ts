import { describe, expect, it } from "vitest";
import { MAX_PLACES, placesMatching, placeWords } from "../../src/domain/place-search";

const layout = {
  sections: [
    {
      name: "Stalls",
      rows: [
        {
          label: "B",
          seats: [
            { id: "STALLS-B-3", label: "3" },
            { id: "STALLS-B-13", label: "13" },
          ],
        },
      ],
    },
    { name: "Upper Circle", rows: [{ label: "B", seats: [{ id: "UC-B-3", label: "3" }] }] },
  ],
  areas: [{ id: "pit", name: "Front Pit" }],
};

describe("placesMatching", () => {
  it("matches a seat by its id in any case, and by its label however it is written", () => {
    expect(placesMatching(layout, "stalls-b-3").seats).toEqual(["STALLS-B-3"]);
    expect(placesMatching(layout, "Stalls · Row B · Seat 3").seats).toEqual(["STALLS-B-3"]);
    expect(placesMatching(layout, "upper circle B3").seats).toEqual(["UC-B-3"]);
    expect(placesMatching(layout, "row b seat 3").seats).toEqual(["STALLS-B-3", "UC-B-3"]);
    expect(placesMatching(layout, "B13").seats).toEqual(["STALLS-B-13"]);
  });

  it("needs both row and seat, and the section's whole name when one is given", () => {
    expect(placesMatching(layout, "3").seats).toEqual([]);
    expect(placesMatching(layout, "Circle B 3").seats).toEqual([]);
    expect(placesMatching(layout, "Stalls B 4").seats).toEqual([]);
    expect(placesMatching(layout, "  ")).toEqual({ seats: [], areas: [] });
  });

  it("matches a standing area by id or name", () => {
    expect(placesMatching(layout, "PIT")).toEqual({ seats: [], areas: ["pit"] });
    expect(placesMatching(layout, "Front Pit (standing)").areas).toEqual(["pit"]);
    expect(placesMatching(layout, "Pit").areas).toEqual(["pit"]);
  });

  it("stops at MAX_PLACES", () => {
    const big = {
      sections: Array.from({ length: MAX_PLACES + 5 }, (_, i) => ({
        name: `S${i}`,
        rows: [{ label: "1", seats: [{ id: `S${i}-1-1`, label: "1" }] }],
      })),
      areas: [],
    };
    expect(placesMatching(big, "1 1").seats).toHaveLength(MAX_PLACES);
  });

  it("splits letters from digits and drops filler words", () => {
    expect(placeWords("Row AA12, seat 7")).toEqual(["aa", "12", "7"]);
  });
});
