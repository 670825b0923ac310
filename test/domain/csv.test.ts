import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { csvAmount, csvCell, csvRow } from "../../src/domain/csv";
import { parseCsv } from "../helpers/csv";

describe("CSV cells", () => {
  it("quotes commas, quotes and line breaks, and doubles quotes", () => {
    expect(csvCell("plain")).toBe("plain");
    expect(csvCell("a,b")).toBe('"a,b"');
    expect(csvCell('say "hi"')).toBe('"say ""hi"""');
    expect(csvCell("two\nlines")).toBe('"two\nlines"');
    expect(csvCell(null)).toBe("");
    expect(csvCell(42)).toBe("42");
  });

  it("defuses text a spreadsheet would run as a formula", () => {
    for (const evil of ['=HYPERLINK("http://x")', "+1+1", "-2+3", "@SUM(A1)", "\tx", "\rx"])
      expect(csvCell(evil).replace(/^"/, "")).toMatch(/^'/);
    // Negative numbers are numbers, not formulas.
    expect(csvCell(-5)).toBe("-5");
  });

  it("round-trips any row through a standard parser (formula prefix aside)", () => {
    fc.assert(
      fc.property(fc.array(fc.string(), { minLength: 1, maxLength: 6 }), (cells) => {
        const [parsed] = parseCsv(csvRow(cells));
        expect(parsed).toEqual(cells.map((c) => (/^[=+\-@\t\r]/.test(c) ? `'${c}` : c)));
      }),
      { numRuns: 300 },
    );
  });

  it("writes amounts in the currency's own precision", () => {
    expect(csvAmount(1500, "gbp")).toBe("15.00");
    expect(csvAmount(5, "EUR")).toBe("0.05");
    expect(csvAmount(1500, "jpy")).toBe("1500");
    expect(csvAmount(1500, "KWD")).toBe("1.500");
    expect(csvAmount(-250, "usd")).toBe("-2.50");
  });
});
