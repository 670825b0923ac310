import type { InventoryStore } from "./store";

/** A scan an offline gate queued, its code already verified by the Worker. */
export type BatchScan = { scanId: string; ticketId: string; scannedAt: number };

/** Who scanned a ticket first. scanId is null when it was admitted online (single check-in). */
export type FirstScan = { scanId: string | null; device: string; scannedAt: number };

export type BatchScanResult =
  | { scanId: string; ticketId: string; result: "accepted"; place: string; tier: string }
  | { scanId: string; ticketId: string; result: "duplicate"; place: string; tier: string; first: FirstScan }
  | { scanId: string; ticketId: string; result: "not_valid"; detail: string };

/** What a gate is provisioned with: every ticket that may enter or already entered. */
export type ScannerTicket = {
  id: string;
  place: string;
  tier: string;
  state: "valid" | "used";
  usedAt: number | null;
  usedBy: string | null;
};

type ScanRow = { scan_id: string; ticket_id: string; device: string; scanned_at: number; arrival: number };
type Candidate = FirstScan & { arrival: number };

// Created here rather than in the object's schema versions: the table belongs to this module alone
// and `IF NOT EXISTS` makes it free on every later call.
const TABLE = `CREATE TABLE IF NOT EXISTS check_in_scans (scan_id TEXT PRIMARY KEY, ticket_id TEXT NOT NULL,
  device TEXT NOT NULL, scanned_at INTEGER NOT NULL, arrival INTEGER NOT NULL)`;
const INDEX = "CREATE INDEX IF NOT EXISTS check_in_scans_ticket ON check_in_scans(ticket_id)";

const before = (a: Candidate, b: Candidate) =>
  a.scannedAt < b.scannedAt || (a.scannedAt === b.scannedAt && a.arrival < b.arrival);

/**
 * Settles a gate's uploaded queue, first scan first: of all scans ever uploaded for a ticket (and
 * an online check-in, which counts as arriving before any upload) the earliest scan time wins,
 * ties going to the earlier arrival. An earlier scan arriving late takes the ticket's used_at and
 * used_by over, so the ledger ends the same whatever order the gates came back online in. A scan
 * id seen before is not stored again: re-uploading a queue answers from the settled state.
 */
export function settleBatch(s: InventoryStore, device: string, scans: BatchScan[], now: number): BatchScanResult[] {
  return s.tx(() => {
    s.sql.exec(TABLE);
    s.sql.exec(INDEX);
    let arrival = s.sql.exec<{ n: number }>("SELECT COALESCE(MAX(arrival), 0) AS n FROM check_in_scans").one().n;
    // Within one upload the gate's queue order breaks ties: a fresh arrival number for each new scan id.
    for (const scan of scans) {
      const t = s.book.ticket(scan.ticketId);
      if (!t || (t.status !== "valid" && t.status !== "used")) continue;
      arrival += 1;
      s.sql.exec(
        `INSERT OR IGNORE INTO check_in_scans (scan_id, ticket_id, device, scanned_at, arrival)
         VALUES (?, ?, ?, ?, ?)`,
        scan.scanId,
        scan.ticketId,
        device,
        scan.scannedAt,
        arrival,
      );
    }
    const settled = new Map<string, Candidate>();
    return scans.map((scan): BatchScanResult => {
      const t = s.book.ticket(scan.ticketId);
      // Audit ids are per scan id, so a re-uploaded queue is not audited twice.
      if (!t || (t.status !== "valid" && t.status !== "used")) {
        const detail = t ? `The ticket is ${t.status}` : "No such ticket";
        auditScan(s, scan, device, now, { code: "ticket_not_valid", detail });
        return { scanId: scan.scanId, ticketId: scan.ticketId, result: "not_valid", detail };
      }
      let first = settled.get(t.id);
      if (!first) {
        first = settle(s, t.id, now);
        settled.set(t.id, first);
      }
      const base = { scanId: scan.scanId, ticketId: t.id, place: t.place, tier: t.tier };
      if (first.scanId === scan.scanId) return { ...base, result: "accepted" };
      const mine = s.sql.exec<ScanRow>("SELECT * FROM check_in_scans WHERE scan_id = ?", scan.scanId).one();
      const data = { code: "ticket_already_used", firstDevice: first.device, firstScannedAt: first.scannedAt };
      auditScan(s, { ...scan, scannedAt: mine.scanned_at }, mine.device, now, data);
      const firstScan = { scanId: first.scanId, device: first.device, scannedAt: first.scannedAt };
      return { ...base, result: "duplicate", first: firstScan };
    });
  });
}

/** The ticket's first scan; moves the ticket to `used` by it (through the book, so to the ledger). */
function settle(s: InventoryStore, ticketId: string, now: number): Candidate {
  const t = s.book.ticket(ticketId)!;
  const rows = s.sql.exec<ScanRow>("SELECT * FROM check_in_scans WHERE ticket_id = ?", ticketId).toArray();
  const candidates: Candidate[] = rows.map((r) => ({
    scanId: r.scan_id,
    device: r.device,
    scannedAt: r.scanned_at,
    arrival: r.arrival,
  }));
  const recorded = t.status === "used" && t.used_at != null;
  // A ticket admitted online has no scan row: its used_at and used_by stand for that scan.
  if (recorded && !candidates.some((c) => c.scannedAt === t.used_at && c.device === t.used_by)) {
    candidates.push({ scanId: null, device: t.used_by ?? "", scannedAt: t.used_at!, arrival: 0 });
  }
  const first = candidates.reduce((a, b) => (before(b, a) ? b : a));
  if (!recorded || first.scannedAt !== t.used_at || first.device !== t.used_by) {
    s.book.update("tickets", t.id, {
      status: "used",
      used_at: first.scannedAt,
      used_by: first.device,
      updated_at: now,
    });
    const action = recorded ? "ticket.check_in_reassigned" : "ticket.checked_in";
    const id = recorded ? `audit:checkin_reassigned:${first.scanId}` : `audit:checkin:${t.id}`;
    const data = { scanId: first.scanId, scannedAt: first.scannedAt, offline: true, previousUsedBy: t.used_by };
    s.enqueue("audit", auditBody(s, id, action, t.id, first.device, data, now));
  }
  return first;
}

function auditScan(
  s: InventoryStore,
  scan: BatchScan,
  device: string,
  now: number,
  data: Record<string, unknown>,
): void {
  const body = { scanId: scan.scanId, scannedAt: scan.scannedAt, offline: true, ...data };
  const action = "ticket.check_in_refused";
  s.enqueue("audit", auditBody(s, `audit:scan:${scan.scanId}`, action, scan.ticketId, device, body, now));
}

function auditBody(
  s: InventoryStore,
  id: string,
  action: string,
  ticketId: string,
  usedBy: string,
  data: Record<string, unknown>,
  at: number,
) {
  return {
    id,
    action,
    actorId: usedBy.startsWith("usr_") ? usedBy : null,
    eventId: s.eventId(),
    entityType: "ticket",
    entityId: ticketId,
    data: { ...data, usedBy },
    at,
  };
}

/** Every valid or used ticket with its place, for a gate to answer offline. */
export function scannerTickets(s: InventoryStore): ScannerTicket[] {
  return s.sql
    .exec<{
      id: string;
      place: string;
      tier: string;
      status: "valid" | "used";
      used_at: number | null;
      used_by: string | null;
    }>(`SELECT id, place, tier, status, used_at, used_by FROM tickets WHERE status IN ('valid','used') ORDER BY id`)
    .toArray()
    .map((r) => ({ id: r.id, place: r.place, tier: r.tier, state: r.status, usedAt: r.used_at, usedBy: r.used_by }));
}
