import { describe, expect, it } from "vitest";
import { generateEventKeyPair, signTicketCode } from "../../src/domain/ticket-codes";
import { judgeOffline } from "../../src/ui/client/admin/scanner/judge";
import type { ScannerPack } from "../../src/ui/client/admin/scanner/pack";
import { readClaims, signatureValid } from "../../src/ui/client/admin/scanner/verify";

// The gate's offline verdicts, on codes signed by the server's own code (src/domain/ticket-codes.ts):
// the browser-side verifier must agree with it without the server.
const iat = 1_800_000_000;

async function fixture() {
  const k1 = await generateEventKeyPair();
  const k2 = await generateEventKeyPair();
  const other = await generateEventKeyPair();
  const sign = (key: string, tid: string, kid?: string) =>
    signTicketCode(key, { tid, eid: "evt_1", seat: "A-1-1", iat, ...(kid ? { kid } : {}) });
  const pack: ScannerPack = {
    eventId: "evt_1",
    name: "Show",
    startsAt: "2026-12-12T19:00:00.000Z",
    keys: [
      { kid: "k1", publicKey: k1.publicKey, status: "retired" },
      { kid: "k2", publicKey: k2.publicKey, status: "active" },
    ],
    tickets: [
      { id: "tkt_a", place: "A-1-1", tier: "std", state: "valid", usedAt: null, usedBy: null },
      { id: "tkt_b", place: "A-1-2", tier: "std", state: "used", usedAt: "2026-12-12T18:40:00.000Z", usedBy: "North" },
    ],
    generatedAt: "2026-12-12T18:00:00.000Z",
  };
  return { k1, k2, other, sign, pack };
}

describe("gate scanner offline verdicts", () => {
  it("admits a code signed by a key of the event, the retired first key (no kid) included", async () => {
    const { k1, k2, sign, pack } = await fixture();
    expect(await judgeOffline(pack, {}, await sign(k2.privateKey, "tkt_a", "k2"))).toEqual({
      kind: "admitted",
      ticketId: "tkt_a",
      place: "A-1-1",
      tier: "std",
      offline: true,
    });
    expect((await judgeOffline(pack, {}, await sign(k1.privateKey, "tkt_a"))).kind).toBe("admitted");
  });

  it("refuses forged codes: another key, a changed claim, a changed signature, not a code", async () => {
    const { k2, other, sign, pack } = await fixture();
    const good = await sign(k2.privateKey, "tkt_a", "k2");
    const [v, claims, sig] = good.split(".") as [string, string, string];
    const swapped = btoa(JSON.stringify({ ...readClaims(good), tid: "tkt_b" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replace(/=+$/, "");
    const flipped = `${sig.slice(0, 5)}${sig[5] === "A" ? "B" : "A"}${sig.slice(6)}`;
    for (const code of [
      await sign(other.privateKey, "tkt_a", "k2"),
      `${v}.${swapped}.${sig}`,
      `${v}.${claims}.${flipped}`,
      "hello",
    ])
      expect((await judgeOffline(pack, {}, code)).kind).toBe("invalid_signature");
    expect(await signatureValid(good, readClaims(good)!, pack.keys)).toBe(true);
    // A kid the pack does not hold cannot verify.
    expect(await signatureValid(good, { ...readClaims(good)!, kid: "k9" }, pack.keys)).toBe(false);
  });

  it("says another event's ticket is not for this event, and a refunded one (not listed) is not admitted", async () => {
    const { k2, sign, pack } = await fixture();
    const elsewhere = await signTicketCode(k2.privateKey, { tid: "tkt_x", eid: "evt_2", seat: "S", iat, kid: "k2" });
    expect(await judgeOffline(pack, {}, elsewhere)).toEqual({ kind: "wrong_event" });
    expect((await judgeOffline(pack, {}, await sign(k2.privateKey, "tkt_gone", "k2"))).kind).toBe("not_valid");
  });

  it("reports a ticket used in the pack, or at this gate since, with when and by whom", async () => {
    const { k2, sign, pack } = await fixture();
    expect(await judgeOffline(pack, {}, await sign(k2.privateKey, "tkt_b", "k2"))).toMatchObject({
      kind: "used",
      at: "2026-12-12T18:40:00.000Z",
      by: "North",
      here: false,
    });
    const uses = { tkt_a: { at: "2026-12-12T19:01:00.000Z", by: "South" } };
    expect(await judgeOffline(pack, uses, await sign(k2.privateKey, "tkt_a", "k2"))).toMatchObject({
      kind: "used",
      by: "South",
      here: true,
    });
  });
});
