import { describe, expect, it } from "vitest";
import { hashIp } from "../../src/audit/emit";
import { sha256Hex } from "../../src/lib/ids";

const withSalt = (salt: string) => ({ AUDIT_IP_SALT: salt, ENVIRONMENT: "production" });

describe("the salted IP hash", () => {
  it("is the salted SHA-256 of the address, the same on a repeat call (kept) as on the first", async () => {
    const first = await hashIp(withSalt("salt-a"), "198.51.100.7");
    expect(first).toBe(await sha256Hex("salt-a198.51.100.7"));
    expect(await hashIp(withSalt("salt-a"), "198.51.100.7")).toBe(first);
  });

  it("never answers one address's or one salt's hash for another", async () => {
    const a = await hashIp(withSalt("salt-a"), "198.51.100.7");
    const otherIp = await hashIp(withSalt("salt-a"), "198.51.100.8");
    const otherSalt = await hashIp(withSalt("salt-b"), "198.51.100.7");
    expect(otherIp).toBe(await sha256Hex("salt-a198.51.100.8"));
    expect(otherSalt).toBe(await sha256Hex("salt-b198.51.100.7"));
    expect(new Set([a, otherIp, otherSalt]).size).toBe(3);
    // Back to the first salt: its hash again, not the second salt's.
    expect(await hashIp(withSalt("salt-a"), "198.51.100.7")).toBe(a);
  });

  it("stays right past the number of addresses it keeps", async () => {
    for (let i = 0; i < 5000; i++) await hashIp(withSalt("salt-c"), `10.0.${i >> 8}.${i & 255}`);
    expect(await hashIp(withSalt("salt-c"), "10.0.0.1")).toBe(await sha256Hex("salt-c10.0.0.1"));
    expect(await hashIp(withSalt("salt-c"), "10.0.19.135")).toBe(await sha256Hex("salt-c10.0.19.135"));
  });
});
