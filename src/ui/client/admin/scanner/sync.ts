import { api } from "../../api";
import { loadQueue, updateQueue } from "./store";

export type BatchResult = {
  scanId: string;
  ticketId: string | null;
  result: "accepted" | "duplicate" | "not_valid" | "wrong_event" | "invalid_signature";
  place?: string;
  tier?: string;
  first?: { scanId: string | null; device: string; scannedAt: string };
  detail?: string;
};
/** A settled scan with when this gate scanned it, for the steward's report. */
export type Settled = BatchResult & { scannedAt: string };

const MAX_SCANS = 500;

/**
 * Uploads the event's queued scans to the batch endpoint, 500 at a time, and drops each part from
 * the queue once the server has answered it. Safe to repeat: the server settles per scanId, so a
 * part whose answer was lost on the way back is answered the same when it is sent again.
 * Throws (the rest stays queued) when the network fails.
 */
export async function uploadQueue(eventId: string, device: string): Promise<Settled[]> {
  const settled: Settled[] = [];
  for (;;) {
    const queue = await loadQueue(eventId);
    if (!queue.length) return settled;
    const part = queue.slice(0, MAX_SCANS);
    const { results } = await api<{ results: BatchResult[] }>(
      "POST",
      `/v1/admin/events/${encodeURIComponent(eventId)}/check-in/batch`,
      { device, scans: part.map((s) => ({ scanId: s.scanId, code: s.code, scannedAt: s.scannedAt })) },
    );
    const at = new Map(part.map((s) => [s.scanId, s.scannedAt]));
    settled.push(...results.map((r) => ({ ...r, scannedAt: at.get(r.scanId) ?? "" })));
    const done = new Set(part.map((s) => s.scanId));
    // Scans queued while the upload was on its way stay queued.
    await updateQueue(eventId, (q) => q.filter((s) => !done.has(s.scanId)));
  }
}
