/**
 * What a gate keeps on the phone, per event, in IndexedDB (a stadium's ticket list outgrows
 * localStorage): the scanner pack, the tickets admitted here since, and the queue not yet uploaded.
 */
import { idbKv } from "../../idb-kv";
import type { Labels, LocalUse, QueuedScan, ScannerPack } from "./pack";

const { get, put } = idbKv("edge-tickets-scanner");

export const loadPack = (eventId: string) => get<ScannerPack>(`pack:${eventId}`);
export const savePack = (pack: ScannerPack) => put(`pack:${pack.eventId}`, pack);
export const loadQueue = async (eventId: string) => (await get<QueuedScan[]>(`queue:${eventId}`)) ?? [];
export const saveQueue = (eventId: string, q: QueuedScan[]) => put(`queue:${eventId}`, q);
export const loadUses = async (eventId: string) => (await get<LocalUse>(`uses:${eventId}`)) ?? {};
export const saveUses = (eventId: string, uses: LocalUse) => put(`uses:${eventId}`, uses);

type StoredLabels = { places: [string, string][]; tiers: [string, string][] };
export async function loadLabels(eventId: string): Promise<Labels> {
  const l = await get<StoredLabels>(`labels:${eventId}`);
  return { places: new Map(l?.places ?? []), tiers: new Map(l?.tiers ?? []) };
}
export const saveLabels = (eventId: string, l: Labels) =>
  put(`labels:${eventId}`, { places: [...l.places], tiers: [...l.tiers] } satisfies StoredLabels);

let queueLock: Promise<unknown> = Promise.resolve();
/** Read-modify-write of the queue, one at a time: a scan queued during an upload is not lost. */
export function updateQueue(eventId: string, change: (q: QueuedScan[]) => QueuedScan[]): Promise<QueuedScan[]> {
  const next = queueLock.then(async () => {
    const q = change(await loadQueue(eventId));
    await saveQueue(eventId, q);
    return q;
  });
  queueLock = next.catch(() => {});
  return next;
}
