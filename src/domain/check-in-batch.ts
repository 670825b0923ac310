import { inventoryStub } from "./event-lifecycle";
import { auditRefusal, ticketIdOf } from "./check-in";
import { verificationKeys } from "./ticket-issuer";
import type { Db } from "../db/client";
import { AppError } from "../errors";
import type { BatchScan, BatchScanResult } from "../objects/inventory/check-in-batch";

export type QueuedScan = { scanId: string; code: string; scannedAt: number };

/** Per scan: settled by the event's object, or refused here because the code does not verify. */
export type QueuedScanResult =
  | BatchScanResult
  | { scanId: string; ticketId: null; result: "wrong_event" | "invalid_signature"; detail: string };

/**
 * Uploads an offline gate's queue. Codes are verified here (one D1 read of the event's keys for
 * the whole batch); those that verify go to the event's object in one call, which settles every
 * ticket first scan first. Answers in the order of `scans`.
 */
export async function checkInBatch(
  env: Env,
  db: Db,
  input: { eventId: string; device: string; scans: QueuedScan[]; now?: number },
): Promise<QueuedScanResult[]> {
  let keys: ReturnType<typeof verificationKeys> | undefined;
  const loadKeys = () => {
    keys ??= verificationKeys(db, input.eventId);
    return keys;
  };
  const refused = new Map<string, QueuedScanResult>();
  const verified: BatchScan[] = [];
  for (const scan of input.scans) {
    try {
      const ticketId = await ticketIdOf(loadKeys, input.eventId, scan.code);
      verified.push({ scanId: scan.scanId, ticketId, scannedAt: scan.scannedAt });
    } catch (err) {
      if (!(err instanceof AppError)) throw err;
      const now = input.now ?? Date.now();
      await auditRefusal(env, { eventId: input.eventId, code: scan.code, usedBy: input.device, now }, now, err);
      const result = err.code === "ticket_wrong_event" ? "wrong_event" : "invalid_signature";
      refused.set(scan.scanId, { scanId: scan.scanId, ticketId: null, result, detail: err.message });
    }
  }
  const settled = verified.length
    ? await inventoryStub(env.EVENT_INVENTORY, input.eventId).checkInBatch(input.device, verified, input.now)
    : [];
  const byId = new Map(settled.map((r) => [r.scanId, r]));
  return input.scans.map((s) => refused.get(s.scanId) ?? byId.get(s.scanId)!);
}
