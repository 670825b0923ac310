import { api, ApiError } from "../../api";
import { type LabelLayout, placeNames } from "../../../../domain/place-labels";
import { judgeOffline, type Verdict } from "./judge";
import type { Labels, LocalUse, ScannerPack } from "./pack";
import { loadLabels, loadPack, loadUses, saveLabels, savePack, saveUses, updateQueue } from "./store";
import { readClaims, signatureValid } from "./verify";

/** One event's gate: the cached pack, the tickets admitted here, and the words for places and tiers. */
export type Gate = {
  eventId: string;
  pack: ScannerPack | null;
  uses: LocalUse;
  labels: Labels;
  /** False since a request failed for want of a network; navigator.onLine alone says true on a dead wifi. */
  reachable: boolean;
};

const enc = encodeURIComponent;

/** True for a failure of the network itself (offline, DNS, reset), not an answer from the server. */
export const unreachable = (err: unknown) => err instanceof TypeError || (err instanceof ApiError && err.status >= 500);

/** The gate as cached on this phone, then refreshed from the server when it can be reached. */
export async function openGate(eventId: string): Promise<Gate & { fresh: boolean }> {
  const gate: Gate = {
    eventId,
    pack: (await loadPack(eventId)) ?? null,
    uses: await loadUses(eventId),
    labels: await loadLabels(eventId),
    reachable: navigator.onLine,
  };
  const fresh = await refreshPack(gate);
  return Object.assign(gate, { fresh });
}

/** Downloads the scanner pack, place and tier names; false (the cache stays) when offline. */
export async function refreshPack(gate: Gate): Promise<boolean> {
  if (!navigator.onLine) return false;
  try {
    const [pack, layout, event] = await Promise.all([
      api<ScannerPack>("GET", `/v1/admin/events/${enc(gate.eventId)}/check-in/scanner`),
      api<LabelLayout>("GET", `/v1/events/${enc(gate.eventId)}/layout`).catch(() => null),
      api<{ tiers: { key: string; name: string }[] }>("GET", `/v1/events/${enc(gate.eventId)}`).catch(() => null),
    ]);
    gate.pack = pack;
    gate.reachable = true;
    await savePack(pack);
    // Without names the ids are shown, which still tell a steward where to send someone.
    if (layout) gate.labels.places = placeNames(layout);
    if (event) gate.labels.tiers = new Map(event.tiers.map((t) => [t.key, t.name]));
    await saveLabels(gate.eventId, gate.labels);
    return true;
  } catch (err) {
    if (!unreachable(err)) throw err;
    gate.reachable = false;
    return false;
  }
}

async function markUsed(gate: Gate, ticketId: string, at: string, by: string) {
  gate.uses[ticketId] = { at, by };
  await saveUses(gate.eventId, gate.uses);
}

/**
 * Judges one scanned code. Online, the server admits it (so gates agree at once); offline, or
 * when the server cannot be reached, the cached pack does and an admitted scan is queued with its
 * own id and time for the batch upload. A forged code is refused here before any request.
 */
export async function scan(gate: Gate, code: string, device: string): Promise<Verdict> {
  const claims = readClaims(code);
  // null (this browser cannot check Ed25519) leaves the decision to the server.
  if (gate.pack && claims?.eid === gate.pack.eventId && (await signatureValid(code, claims, gate.pack.keys)) === false)
    return { kind: "invalid_signature", detail: "The ticket's signature does not verify" };
  if (navigator.onLine && gate.reachable) {
    try {
      return await scanOnline(gate, code, device);
    } catch (err) {
      if (!unreachable(err) || !gate.pack) throw err;
      gate.reachable = false;
    }
  }
  if (!gate.pack) throw new Error("No ticket list on this phone yet: open the scanner online once");
  const verdict = await judgeOffline(gate.pack, gate.uses, code);
  if (verdict.kind === "admitted") {
    const scannedAt = new Date().toISOString();
    await markUsed(gate, verdict.ticketId, scannedAt, device);
    await updateQueue(gate.eventId, (q) => [
      ...q,
      { scanId: crypto.randomUUID(), code, scannedAt, ticketId: verdict.ticketId },
    ]);
  }
  return verdict;
}

async function scanOnline(gate: Gate, code: string, device: string): Promise<Verdict> {
  const tid = readClaims(code)?.tid;
  const known = gate.pack?.tickets.find((t) => t.id === tid);
  try {
    const r = await api<{ place: string; tier: string; ticket: { id: string; usedAt: string | null } }>(
      "POST",
      `/v1/admin/events/${enc(gate.eventId)}/check-in`,
      { code, gate: device },
    );
    await markUsed(gate, r.ticket.id, r.ticket.usedAt ?? new Date().toISOString(), device);
    return { kind: "admitted", ticketId: r.ticket.id, place: r.place, tier: r.tier, offline: false };
  } catch (err) {
    if (!(err instanceof ApiError) || err.status >= 500) throw err;
    const p = err.problem;
    if (p.code === "ticket_already_used")
      return {
        kind: "used",
        place: known?.place ?? "",
        tier: known?.tier ?? "",
        at: String(p.usedAt ?? ""),
        by: String(p.usedBy ?? ""),
        here: false,
      };
    if (p.code === "ticket_wrong_event") return { kind: "wrong_event" };
    if (p.code === "ticket_not_valid") return { kind: "not_valid", detail: err.message };
    throw err;
  }
}
