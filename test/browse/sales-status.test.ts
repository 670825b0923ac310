import { describe, expect, it } from "vitest";
import { salesStatus, type SalesStatusInput } from "../../src/domain/sales-status";
import { toFtsQuery } from "../../src/db/queries/event-search";

const NOW = 1_800_000_000_000;
const base: SalesStatusInput = {
  status: "on_sale",
  salesStartAt: NOW - 1000,
  salesEndAt: NOW + 1000,
  endsAt: NOW + 5000,
};

describe("salesStatus", () => {
  it("keeps draft and cancelled whatever the clock", () => {
    expect(salesStatus({ ...base, status: "draft" }, NOW)).toBe("draft");
    expect(salesStatus({ ...base, status: "cancelled" }, NOW)).toBe("cancelled");
  });

  it("is on_sale inside the window, including open-ended windows", () => {
    expect(salesStatus(base, NOW)).toBe("on_sale");
    expect(salesStatus({ ...base, salesStartAt: null, salesEndAt: null }, NOW)).toBe("on_sale");
    expect(salesStatus(base, NOW - 1000)).toBe("on_sale");
  });

  it("is upcoming when published or before the sales start", () => {
    expect(salesStatus({ ...base, status: "published" }, NOW)).toBe("upcoming");
    expect(salesStatus(base, NOW - 1001)).toBe("upcoming");
  });

  it("is ended when closed, past the sales end or after the event ends", () => {
    expect(salesStatus({ ...base, status: "closed" }, NOW)).toBe("ended");
    expect(salesStatus(base, NOW + 1000)).toBe("ended");
    expect(salesStatus({ ...base, salesEndAt: null }, NOW + 5000)).toBe("ended");
    expect(salesStatus({ ...base, status: "published" }, NOW + 6000)).toBe("ended");
  });
});

describe("toFtsQuery", () => {
  it("quotes every term as a prefix and drops FTS syntax", () => {
    expect(toFtsQuery("Daft punk")).toBe('"Daft"* "punk"*');
    expect(toFtsQuery('"AND OR NEAR(* ^')).toBe('"AND"* "OR"* "NEAR"*');
    expect(toFtsQuery('"(*^) -:')).toBeNull();
  });
});
