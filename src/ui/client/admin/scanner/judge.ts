import type { LocalUse, ScannerPack } from "./pack";
import { readClaims, signatureValid } from "./verify";

/** What the steward is shown for one scan. */
export type Verdict =
  | { kind: "admitted"; ticketId: string; place: string; tier: string; offline: boolean }
  | { kind: "used"; place: string; tier: string; at: string; by: string; here: boolean }
  | { kind: "invalid_signature"; detail: string }
  | { kind: "wrong_event" }
  | { kind: "not_valid"; detail: string };

/**
 * Judges a code from the cached pack alone: the signature against the event's keys, then the
 * ticket list (refunded and void tickets are not in it) and the tickets used, in the pack or
 * since at this gate. Does not record anything: the caller marks the ticket used and queues it.
 */
export async function judgeOffline(pack: ScannerPack, uses: LocalUse, code: string): Promise<Verdict> {
  const claims = readClaims(code);
  if (!claims) return { kind: "invalid_signature", detail: "This is not a ticket code" };
  // Says "another event" without trusting the rest of the code: the signature is not checked yet.
  if (claims.eid !== pack.eventId) return { kind: "wrong_event" };
  const signed = await signatureValid(code, claims, pack.keys);
  if (signed === null)
    return { kind: "not_valid", detail: "This browser cannot check ticket signatures offline: use the network" };
  if (!signed) return { kind: "invalid_signature", detail: "The ticket's signature does not verify" };
  const t = pack.tickets.find((x) => x.id === claims.tid);
  if (!t) return { kind: "not_valid", detail: "This ticket was refunded or cancelled" };
  const local = uses[t.id];
  if (local) return { kind: "used", place: t.place, tier: t.tier, at: local.at, by: local.by, here: true };
  if (t.state === "used")
    return { kind: "used", place: t.place, tier: t.tier, at: t.usedAt ?? "", by: t.usedBy ?? "", here: false };
  return { kind: "admitted", ticketId: t.id, place: t.place, tier: t.tier, offline: true };
}
