import { describe, expect, it } from "vitest";
import { dateTime, shortDate, takenText } from "../../src/ui/client/format";

describe("fan site times (dateTime)", () => {
  // 19:00 UTC on a December Saturday: 20:00 in Berlin, 14:00 in New York.
  const at = "2026-12-12T19:00:00.000Z";

  it("shows the time on the venue's clock with the zone named", () => {
    const berlin = dateTime(at, "Europe/Berlin");
    expect(berlin).toMatch(/\b(20:00|08:00\s?PM)\b/);
    expect(berlin).toMatch(/(CET|GMT\+1 \(Europe\/Berlin\))$/);
    const nyc = dateTime(at, "America/New_York");
    expect(nyc).toMatch(/\b(14:00|02:00\s?PM)\b/);
    expect(nyc).toMatch(/(EST|GMT-5 \(America\/New_York\))$/);
  });

  it("is the same text wherever it is called from for one event and zone", () => {
    expect(dateTime(at, "Europe/Berlin")).toBe(dateTime(new Date(at).toISOString(), "Europe/Berlin"));
  });

  it("puts the date chip on the venue's calendar day", () => {
    // 23:30 UTC on the 12th is already the 13th in Berlin.
    expect(shortDate("2026-12-12T23:30:00.000Z", "Europe/Berlin").day).toBe("13");
    expect(shortDate("2026-12-12T23:30:00.000Z", "America/New_York").day).toBe("12");
  });

  it("answers a dash for no time", () => {
    expect(dateTime(null, "Europe/Berlin")).toBe("—");
  });
});

describe("seat-taken notices (takenText)", () => {
  it("names one seat, and groups several under a count", () => {
    expect(takenText(["Row D seat 10, Stalls"])).toBe("Row D seat 10, Stalls was just taken by someone else");
    expect(takenText(["Row D seat 10, Stalls", "Row D seat 11, Stalls", "Row D seat 12, Stalls"])).toMatch(
      /^3 seats you were looking at were taken: Row D seat 10, Stalls; /,
    );
  });
});
