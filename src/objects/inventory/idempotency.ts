/**
 * Idempotency-Key records for the event's own mutating routes (checkout, pay again, cancel,
 * refund, check-in), kept in the event's object so those routes write nothing to D1. The same
 * protocol as the D1 store (src/middleware/idempotency.ts): the INSERT is the lock.
 */
export type IdempotencySlot = { scope: string; route: string; key: string };
export type IdempotencyRecord = {
  request_hash: string;
  state: "in_progress" | "done";
  response_status: number | null;
  response_headers: string | null;
  response_body: string | null;
  created_at: number;
  expires_at: number;
};

/**
 * A key the Worker leaves to the object to take, in the same transaction as the route's first
 * write (checkout), instead of in a call of its own. `staleBefore`: an in_progress record created
 * before it belongs to a request that died.
 */
export type ClaimInObject = { slot: IdempotencySlot; hash: string; ttlMs: number; staleBefore: number };
/** The answer a record replays, stored by the object with the write it answers. */
export type StoredAnswer = { slot: IdempotencySlot; status: number; headers: string; body: string };

/** Expired records are pruned at most this often, not on every claim. */
const PRUNE_EVERY_MS = 60_000;

export class IdempotencyRecords {
  private prunedAt = 0;

  constructor(private readonly sql: SqlStorage) {}

  /** True when this call took the key (exactly one of any number of concurrent duplicates). */
  claim(slot: IdempotencySlot, hash: string, now: number, ttlMs: number): boolean {
    const cursor = this.sql.exec(
      `INSERT INTO idempotency_keys (scope, route, key, request_hash, state, created_at, expires_at)
       VALUES (?, ?, ?, ?, 'in_progress', ?, ?) ON CONFLICT DO NOTHING`,
      slot.scope,
      slot.route,
      slot.key,
      hash,
      now,
      now + ttlMs,
    );
    // Expired records are pruned as new ones come (once a minute), so the table stays small without a cron.
    if (cursor.rowsWritten > 0 && now - this.prunedAt >= PRUNE_EVERY_MS) {
      this.sql.exec(`DELETE FROM idempotency_keys WHERE expires_at <= ?`, now);
      this.prunedAt = now;
    }
    return cursor.rowsWritten > 0;
  }

  read(slot: IdempotencySlot): IdempotencyRecord | null {
    return (
      this.sql
        .exec<IdempotencyRecord>(
          `SELECT request_hash, state, response_status, response_headers, response_body, created_at, expires_at
           FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?`,
          slot.scope,
          slot.route,
          slot.key,
        )
        .toArray()[0] ?? null
    );
  }

  /**
   * Takes the key for this request (null), or answers the record of the request that holds it.
   * An expired record, or one whose request died, gives way (no await in between, so nothing
   * can take the key meanwhile).
   */
  take(claim: ClaimInObject, now: number): IdempotencyRecord | null {
    if (this.claim(claim.slot, claim.hash, now, claim.ttlMs)) return null;
    const row = this.read(claim.slot);
    if (row && row.expires_at > now && !(row.state === "in_progress" && row.created_at <= claim.staleBefore))
      return row;
    this.release(claim.slot);
    this.claim(claim.slot, claim.hash, now, claim.ttlMs);
    return null;
  }

  /** Drops the record when it expired or its request died (`staleBefore`); a fresh claim survives. */
  dropExpired(slot: IdempotencySlot, now: number, staleBefore: number): void {
    this.sql.exec(
      `DELETE FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?
         AND (expires_at <= ? OR (state = 'in_progress' AND created_at <= ?))`,
      slot.scope,
      slot.route,
      slot.key,
      now,
      staleBefore,
    );
  }

  release(slot: IdempotencySlot): void {
    this.sql.exec(
      `DELETE FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?`,
      slot.scope,
      slot.route,
      slot.key,
    );
  }

  finish(slot: IdempotencySlot, status: number, headers: string, body: string): void {
    this.sql.exec(
      `UPDATE idempotency_keys SET state = 'done', response_status = ?, response_headers = ?, response_body = ?
       WHERE scope = ? AND route = ? AND key = ?`,
      status,
      headers,
      body,
      slot.scope,
      slot.route,
      slot.key,
    );
  }
}
