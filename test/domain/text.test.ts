import { describe, expect, it } from "vitest";
import { textProblem, userText } from "../../src/domain/text";

describe("userText", () => {
  const name = userText({ max: 20 });
  const description = userText({ max: 200, min: 0, multiline: true });

  it("NFC-normalizes and trims", () => {
    expect(name.parse("  Cafe\u0301 ")).toBe("Café");
    expect(name.parse("Café")).toBe("Caf\u00e9");
  });

  it("refuses NUL and other controls, bidi overrides and isolates, and lone surrogates", () => {
    for (const bad of [
      "a\u0000b",
      "a\u0007",
      "x\u001by",
      "a\u0085b",
      "evil\u202etxt",
      "a\u2066b\u2069",
      "a\ud800b",
      "\udc00",
    ])
      expect(name.safeParse(bad).success, JSON.stringify(bad)).toBe(false);
    expect(name.safeParse("line\nbreak").success).toBe(false);
    expect(name.safeParse("tab\there").success).toBe(false);
  });

  it("lets newline and tab into multi-line fields only", () => {
    expect(description.parse("First line\n\tSecond line")).toBe("First line\n\tSecond line");
    expect(description.safeParse("a\u0000").success).toBe(false);
    expect(description.safeParse("a\r\u202e").success).toBe(false);
  });

  it("checks the length after normalization, and accepts ordinary text in any script", () => {
    expect(name.safeParse("   ").success).toBe(false);
    expect(name.parse("Ólafur Arnalds 🎹")).toBe("Ólafur Arnalds 🎹");
    expect(name.parse("حفلة موسيقية")).toBe("حفلة موسيقية");
    expect(textProblem("ok")).toBeNull();
  });
});
