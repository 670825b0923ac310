import { CHAIN_START, verifyPage, type BrokenLink } from "../domain/audit-chain";
import type { AuthContext } from "../env";
import { chainPage, toChainRow, type AuditRawRow } from "./store";

export type AuditFilter = {
  entityType?: string;
  entityId?: string;
  actorId?: string;
  action?: string;
  eventId?: string;
  orderId?: string;
  from?: number;
  to?: number;
  limit: number;
  cursor?: number;
};

/** `order.` or `order.*` match every action under `order.`; anything else matches exactly. */
function actionClause(action: string): { sql: string; arg: string } {
  const prefix = action.endsWith(".*") ? action.slice(0, -1) : action.endsWith(".") ? action : null;
  if (prefix === null) return { sql: "a.action = ?", arg: action };
  return { sql: "a.action LIKE ? ESCAPE '\\'", arg: `${prefix.replace(/[\\%_]/g, (m) => `\\${m}`)}%` };
}

/**
 * Audit entries newest first, one page, cursor = the last seq seen. Organizers see entries of
 * their organizer: stamped with it, or (order and payment entries, stamped with none) about one
 * of its events. IP hashes are shown to admins only.
 */
export async function listAudit(db: D1Database, auth: AuthContext, f: AuditFilter) {
  const where: string[] = [];
  const args: (string | number)[] = [];
  const add = (sql: string, arg: string | number) => {
    where.push(sql);
    args.push(arg);
  };
  if (f.entityType) add("a.entity_type = ?", f.entityType);
  if (f.entityId) add("a.entity_id = ?", f.entityId);
  if (f.actorId) add("a.actor_id = ?", f.actorId);
  if (f.eventId) add("a.event_id = ?", f.eventId);
  if (f.orderId) add("a.order_id = ?", f.orderId);
  if (f.action) {
    const c = actionClause(f.action);
    add(c.sql, c.arg);
  }
  if (f.from != null) add("a.at >= ?", f.from);
  if (f.to != null) add("a.at <= ?", f.to);
  if (f.cursor != null) add("a.seq < ?", f.cursor);
  const admin = auth.role === "admin";
  if (!admin) {
    const org = auth.organizerId ?? "\u0000none";
    where.push(
      "(a.organizer_id = ? OR (a.organizer_id IS NULL AND " +
        "a.event_id IN (SELECT id FROM events WHERE organizer_id = ?)))",
    );
    args.push(org, org);
  }
  const filter = where.length ? `WHERE ${where.join(" AND ")}` : "";
  const sql = `SELECT a.* FROM audit_log a ${filter} ORDER BY a.seq DESC LIMIT ?`;
  const { results } = await db
    .prepare(sql)
    .bind(...args, f.limit + 1)
    .all<AuditRawRow>();
  const page = results.slice(0, f.limit).map(toChainRow);
  return {
    items: page.map((r) => ({
      seq: r.seq,
      id: r.entryId,
      at: new Date(r.at).toISOString(),
      action: r.action,
      actorId: r.actorId,
      ipHash: admin ? r.ipHash : null,
      entityType: r.entityType,
      entityId: r.entityId,
      organizerId: r.organizerId,
      eventId: r.eventId,
      orderId: r.orderId,
      data: r.data,
      prevHash: r.prevHash,
      hash: r.hash,
    })),
    nextCursor: results.length > f.limit ? page[page.length - 1]!.seq : null,
  };
}

/** Rows read per query while verifying. */
export const VERIFY_PAGE = 500;

/** Recomputes the whole chain in seq order, page by page; stops at the first broken link. */
export async function verifyChain(
  db: D1Database,
  pageSize = VERIFY_PAGE,
): Promise<{ ok: boolean; checked: number; firstBroken: BrokenLink | null }> {
  let cursor = CHAIN_START;
  for (;;) {
    const rows = await chainPage(db, cursor.seq, pageSize);
    const r = await verifyPage(cursor, rows);
    if (r.broken) return { ok: false, checked: r.cursor.checked, firstBroken: r.broken };
    cursor = r.cursor;
    if (rows.length < pageSize) return { ok: true, checked: cursor.checked, firstBroken: null };
  }
}
