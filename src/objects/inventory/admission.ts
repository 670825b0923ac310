/**
 * Waiting-room admissions as the inventory sees them. The hold route checks a token's signature
 * in the Worker; what a signature cannot say (the fan left the queue, or spent the slot on a
 * purchase) is known here: the room pushes revocations in, and a sale revokes its own ticket in
 * the transaction that sells, so the hold path never calls the room.
 */

/** The admission a hold was made under: the queue ticket and when its token lapses (ms). */
export type Admission = { ticket: string; expiresAt: number };

/** Revocations are kept an hour past the token's own expiry, then pruned (the token is dead anyway). */
const KEEP_MS = 3_600_000;

/** True when the room (or a purchase) revoked this ticket's admission. */
export function isRevoked(sql: SqlStorage, ticket: string): boolean {
  return sql.exec(`SELECT 1 FROM revoked_admissions WHERE ticket = ?`, ticket).toArray().length > 0;
}

/** Revokes a ticket's admission until its token would have lapsed anyway; idempotent. */
export function revoke(sql: SqlStorage, ticket: string, until: number, now: number): void {
  sql.exec(
    `INSERT INTO revoked_admissions (ticket, until) VALUES (?, ?) ON CONFLICT(ticket) DO NOTHING`,
    ticket,
    until,
  );
  sql.exec(`DELETE FROM revoked_admissions WHERE until < ?`, now - KEEP_MS);
}

/** Records on a new hold the admission it was made under. Inside the hold's transaction. */
export function tagHold(sql: SqlStorage, holdId: string, a: Admission): void {
  sql.exec(`UPDATE holds SET admission_ticket = ?, admission_exp = ? WHERE id = ?`, a.ticket, a.expiresAt, holdId);
}

/** The admission any earlier hold of this order was made under, if one was. */
export function orderAdmission(sql: SqlStorage, orderId: string): Admission | null {
  const row = sql
    .exec<{ ticket: string; exp: number }>(
      `SELECT admission_ticket AS ticket, admission_exp AS exp FROM holds
       WHERE order_id = ? AND admission_ticket IS NOT NULL ORDER BY created_at DESC LIMIT 1`,
      orderId,
    )
    .toArray()[0];
  return row ? { ticket: row.ticket, expiresAt: row.exp } : null;
}

/**
 * Paying again opens a new hold, so it needs an admission still in its window: the one the
 * order was checked out under, unless it lapsed or was revoked (then the fan queues again and
 * sends the new token).
 */
export function liveOrderAdmission(sql: SqlStorage, orderId: string, now: number): Admission | null {
  const a = orderAdmission(sql, orderId);
  return a && a.expiresAt > now && !isRevoked(sql, a.ticket) ? a : null;
}

/** Whether the room asked to hear when places come back after a sell-out. */
export function restockWatched(sql: SqlStorage): boolean {
  return sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'restock_watch'`).toArray()[0]?.value === 1;
}

export function setRestockWatch(sql: SqlStorage, on: boolean): void {
  if (on)
    sql.exec(`INSERT INTO meta (key, value) VALUES ('restock_watch', 1) ON CONFLICT(key) DO UPDATE SET value = 1`);
  else sql.exec(`DELETE FROM meta WHERE key = 'restock_watch'`);
}
