import { describe, expect, it } from "vitest";
import {
  generateEventKeyPair,
  signTicketCode,
  ticketCodeClaims,
  verifyTicketCode,
  type TicketClaims,
} from "../../src/domain/ticket-codes";

function claims(overrides: Partial<TicketClaims> = {}): TicketClaims {
  return {
    tid: "tkt_01jg7k3v9q2w8x4n6p0rst5m2b",
    eid: "evt_01jg7k3v9q2w8x4n6p0rst5m2c",
    seat: "A-12-7",
    iat: 1767225600,
    ...overrides,
  };
}

/** Replaces the character at `i` with a different base64url character. */
function flipChar(s: string, i: number): string {
  const at = i < 0 ? s.length + i : i;
  return s.slice(0, at) + (s[at] === "A" ? "B" : "A") + s.slice(at + 1);
}

function b64url(text: string): string {
  return btoa(text).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

describe("generateEventKeyPair", () => {
  it("returns a raw 32-byte public key and a PKCS#8 private key, base64url", async () => {
    const keys = await generateEventKeyPair();
    expect(keys.publicKey).toMatch(/^[A-Za-z0-9_-]{43}$/); // 32 bytes
    expect(keys.privateKey).toMatch(/^[A-Za-z0-9_-]+$/);
    expect(keys.publicKey).not.toBe((await generateEventKeyPair()).publicKey);
  });
});

describe("signTicketCode / verifyTicketCode", () => {
  it("round-trips the claims in a T1 code", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    expect(code).toMatch(/^T1\.[A-Za-z0-9_-]+\.[A-Za-z0-9_-]{86}$/);
    expect(await verifyTicketCode(keys.publicKey, code)).toEqual(claims());
  });

  it("keeps a code with 30-character ids and a short seat label within a version 11 QR (251 bytes)", async () => {
    const keys = await generateEventKeyPair();
    expect((await signTicketCode(keys.privateKey, claims())).length).toBeLessThanOrEqual(251);
  });

  it("rejects a code whose claims carry fields T1 does not define", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    const extra = `T1.${b64url(JSON.stringify({ ...claims(), vip: true }))}.${code.split(".")[2]}`;
    expect(ticketCodeClaims(extra)).toBeNull();
    expect(await verifyTicketCode(keys.publicKey, extra)).toBeNull();
  });

  it("drops fields outside the claims instead of signing them", async () => {
    const keys = await generateEventKeyPair();
    const extra = { ...claims(), price: 0 } as TicketClaims;
    expect(await verifyTicketCode(keys.publicKey, await signTicketCode(keys.privateKey, extra))).toEqual(claims());
  });

  it("refuses to sign invalid claims", async () => {
    const keys = await generateEventKeyPair();
    await expect(signTicketCode(keys.privateKey, claims({ tid: "" }))).rejects.toThrow();
    await expect(signTicketCode(keys.privateKey, claims({ iat: 1.5 }))).rejects.toThrow();
  });

  it("gives different codes for different tickets", async () => {
    const keys = await generateEventKeyPair();
    const a = await signTicketCode(keys.privateKey, claims({ tid: "tkt_a" }));
    const b = await signTicketCode(keys.privateKey, claims({ tid: "tkt_b" }));
    expect(a).not.toBe(b);
    expect((await verifyTicketCode(keys.publicKey, b))?.tid).toBe("tkt_b");
  });

  it("rejects a code whose payload was altered", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims({ seat: "A-1" }));
    const [, , signature] = code.split(".");
    // A well-formed payload naming a better seat, with the original signature.
    const forged = `T1.${b64url(JSON.stringify(claims({ seat: "VIP-1" })))}.${signature}`;
    expect(ticketCodeClaims(forged)?.seat).toBe("VIP-1");
    expect(await verifyTicketCode(keys.publicKey, forged)).toBeNull();
    expect(await verifyTicketCode(keys.publicKey, flipChar(code, 5))).toBeNull();
  });

  it("rejects a code whose signature was altered", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    for (const i of [-1, -2, -40, -86]) expect(await verifyTicketCode(keys.publicKey, flipChar(code, i))).toBeNull();
    expect(await verifyTicketCode(keys.publicKey, code.slice(0, -1))).toBeNull();
    expect(await verifyTicketCode(keys.publicKey, `${code}A`)).toBeNull();
  });

  it("rejects a code signed with another event's key", async () => {
    const ours = await generateEventKeyPair();
    const theirs = await generateEventKeyPair();
    const code = await signTicketCode(theirs.privateKey, claims());
    expect(await verifyTicketCode(ours.publicKey, code)).toBeNull();
  });

  it("rejects the version prefix being changed", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    expect(await verifyTicketCode(keys.publicKey, `T2${code.slice(2)}`)).toBeNull();
  });

  it.each([
    ["empty", ""],
    ["garbage", "not a ticket"],
    ["a URL", "https://example.com/?q=1"],
    ["dots only", ".."],
    ["too many parts", "T1.a.b.c"],
    ["non-base64url payload", "T1.!!!.AAAA"],
    ["non-JSON payload", `T1.${b64url("hello")}.AAAA`],
    ["JSON with the wrong shape", `T1.${b64url('{"tid":1}')}.AAAA`],
  ])("answers null, never throws, for %s input", async (_name, input) => {
    const keys = await generateEventKeyPair();
    expect(await verifyTicketCode(keys.publicKey, input)).toBeNull();
    expect(ticketCodeClaims(input)).toBeNull();
  });

  it("answers null for a malformed public key", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    for (const key of ["", "garbage!", keys.publicKey.slice(0, -2), keys.privateKey]) {
      expect(await verifyTicketCode(key, code)).toBeNull();
    }
  });
});

describe("offline verification at a gate", () => {
  it("verifies with nothing but the public key string", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    // What a gate downloads before doors open: the event id and its public key, nothing else.
    const download = JSON.parse(JSON.stringify({ eid: claims().eid, publicKey: keys.publicKey })) as {
      publicKey: string;
    };
    const gate = (scanned: string) => verifyTicketCode(download.publicKey, scanned);
    expect(await gate(code)).toEqual(claims());
    expect(await gate(flipChar(code, 10))).toBeNull();
  });

  it("uses a standard format: plain WebCrypto verifies the code without this module", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    const decode = (s: string) =>
      Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/")), (c) => c.charCodeAt(0));
    const key = await crypto.subtle.importKey("raw", decode(keys.publicKey), "Ed25519", false, ["verify"]);
    const cut = code.lastIndexOf(".");
    const signed = new TextEncoder().encode(code.slice(0, cut));
    expect(await crypto.subtle.verify("Ed25519", key, decode(code.slice(cut + 1)), signed)).toBe(true);
  });
});

describe("ticketCodeClaims", () => {
  it("reads the claims without a key, to find which event's key to verify with", async () => {
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, claims());
    expect(ticketCodeClaims(code)).toEqual(claims());
  });
});
