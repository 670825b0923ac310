/**
 * The audit log's hash chain. Pure: no D1, no Hono.
 *
 * `hash = SHA-256(prevHash ‖ canonicalJson(entry))` as lower-case hex, where `‖` is plain string
 * concatenation of the 64-char hex previous hash and the canonical JSON. The first row's
 * prevHash is GENESIS (64 zeros). Order is `seq`, ascending, with no gaps.
 *
 * The hashed entry is every stored column except `seq`, `prev_hash` and `hash`:
 * `{ action, actorId, at, data, entityId, entityType, entryId, eventId, ipHash, orderId, organizerId }`
 * with absent values as `null` (`data` is null or an object). `seq` is covered indirectly: the
 * chain links each row to the previous one, so removing or reordering rows breaks `prevHash`.
 */

export const GENESIS = "0".repeat(64);

/** The hashed part of an audit row. */
export type ChainEntry = {
  entryId: string;
  at: number;
  action: string;
  actorId: string | null;
  ipHash: string | null;
  entityType: string | null;
  entityId: string | null;
  organizerId: string | null;
  eventId: string | null;
  orderId: string | null;
  data: Record<string, unknown> | null;
};

/** A stored row as verify reads it. */
export type ChainRow = ChainEntry & { seq: number; prevHash: string; hash: string };

/**
 * JSON with object keys sorted recursively (by UTF-16 code unit order) and no whitespace.
 * `undefined` members are dropped, as JSON.stringify drops them, so a value round-tripped through
 * the database hashes the same.
 */
export function canonicalJson(value: unknown): string {
  if (value === null || typeof value !== "object") return JSON.stringify(value) ?? "null";
  if (Array.isArray(value)) return `[${value.map((v) => (v === undefined ? "null" : canonicalJson(v))).join(",")}]`;
  const obj = value as Record<string, unknown>;
  const keys = Object.keys(obj)
    .filter((k) => obj[k] !== undefined)
    .sort();
  return `{${keys.map((k) => `${JSON.stringify(k)}:${canonicalJson(obj[k])}`).join(",")}}`;
}

/** Only the hashed fields, in a fixed shape (extra properties of a row are ignored). */
export function chainEntryOf(e: ChainEntry): ChainEntry {
  return {
    entryId: e.entryId,
    at: e.at,
    action: e.action,
    actorId: e.actorId ?? null,
    ipHash: e.ipHash ?? null,
    entityType: e.entityType ?? null,
    entityId: e.entityId ?? null,
    organizerId: e.organizerId ?? null,
    eventId: e.eventId ?? null,
    orderId: e.orderId ?? null,
    data: e.data ?? null,
  };
}

async function sha256Hex(input: string): Promise<string> {
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(input));
  return [...new Uint8Array(digest)].map((b) => b.toString(16).padStart(2, "0")).join("");
}

/** The hash of `entry` linked after `prevHash`. */
export function chainHash(prevHash: string, entry: ChainEntry): Promise<string> {
  return sha256Hex(prevHash + canonicalJson(chainEntryOf(entry)));
}

export type BrokenLink = {
  seq: number;
  expectedHash: string;
  storedHash: string;
  reason: "hash_mismatch" | "prev_hash_mismatch" | "seq_gap";
};

/** Where a verification pass stands between pages. */
export type ChainCursor = { seq: number; hash: string; checked: number };
export const CHAIN_START: ChainCursor = { seq: 0, hash: GENESIS, checked: 0 };

/**
 * Checks one page of rows (ascending seq) after `cursor`. Returns the cursor after the page, or
 * the first broken link. Links are checked before content: a missing row shows as a seq gap or
 * a prevHash that does not match the previous row's hash; an edited row as a hash mismatch.
 */
export async function verifyPage(
  cursor: ChainCursor,
  rows: ChainRow[],
): Promise<{ cursor: ChainCursor; broken: BrokenLink | null }> {
  let { seq, hash, checked } = cursor;
  for (const r of rows) {
    if (r.seq !== seq + 1) {
      return {
        cursor: { seq, hash, checked },
        broken: { seq: r.seq, expectedHash: hash, storedHash: r.prevHash, reason: "seq_gap" },
      };
    }
    if (r.prevHash !== hash) {
      return {
        cursor: { seq, hash, checked },
        broken: { seq: r.seq, expectedHash: hash, storedHash: r.prevHash, reason: "prev_hash_mismatch" },
      };
    }
    const expected = await chainHash(r.prevHash, r);
    checked++;
    if (expected !== r.hash)
      return {
        cursor: { seq, hash, checked },
        broken: { seq: r.seq, expectedHash: expected, storedHash: r.hash, reason: "hash_mismatch" },
      };
    seq = r.seq;
    hash = r.hash;
  }
  return { cursor: { seq, hash, checked }, broken: null };
}
