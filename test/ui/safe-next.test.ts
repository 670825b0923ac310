import { describe, expect, it } from "vitest";
import { safeNextPath } from "../../src/ui/client/safe-next";

describe("login next= (safeNextPath)", () => {
  it("keeps same-origin paths", () => {
    for (const path of ["/", "/admin", "/events/evt_1?x=1#seats", "/orders/ord_1", "/a%2F%2Fb"]) {
      expect(safeNextPath(path), path).toBe(path);
    }
  });

  it("refuses other hosts, schemes and control characters", () => {
    const bad = [
      "/\\evil.com",
      "//evil.com",
      "/\\/evil.com",
      "\\\\evil.com",
      "https://evil.com",
      "javascript:alert(1)",
      "evil.com",
      "/\t/evil.com",
      "/\n/evil.com",
      "/\r/evil.com",
      "/\u0000x",
      "/x\u007f",
      " /x",
      "",
      null,
      undefined,
    ];
    for (const next of bad) expect(safeNextPath(next), JSON.stringify(next)).toBeNull();
  });
});
