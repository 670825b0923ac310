import { chainHash, GENESIS, type ChainEntry, type ChainRow } from "../domain/audit-chain";

/** What appending an entry did. */
export type AppendOutcome = "appended" | "duplicate";

type RawRow = {
  seq: number;
  entry_id: string;
  at: number;
  action: string;
  actor_id: string | null;
  ip_hash: string | null;
  entity_type: string | null;
  entity_id: string | null;
  organizer_id: string | null;
  event_id: string | null;
  order_id: string | null;
  data: string | null;
  prev_hash: string;
  hash: string;
};

/** A stored row in the chain's shape; `data` is parsed back from its JSON text. */
export function toChainRow(r: RawRow): ChainRow {
  return {
    seq: r.seq,
    entryId: r.entry_id,
    at: r.at,
    action: r.action,
    actorId: r.actor_id,
    ipHash: r.ip_hash,
    entityType: r.entity_type,
    entityId: r.entity_id,
    organizerId: r.organizer_id,
    eventId: r.event_id,
    orderId: r.order_id,
    data: r.data == null ? null : (JSON.parse(r.data) as Record<string, unknown>),
    prevHash: r.prev_hash,
    hash: r.hash,
  };
}
export type { RawRow as AuditRawRow };

/**
 * Appends one entry at the end of the chain; a redelivered `entryId` is skipped. See
 * `appendEntries`: if another appender took the next seq meanwhile, the primary key rejects the
 * row and the caller retries, so the chain never forks.
 */
export async function appendEntry(db: D1Database, entry: ChainEntry): Promise<AppendOutcome> {
  return (await appendEntries(db, [entry])) === 1 ? "appended" : "duplicate";
}

/**
 * Appends many entries in one D1 batch (one transaction): redeliveries are filtered and the last
 * row read in one round trip (a read batch), the chain is extended in memory from that row, and
 * all rows land together or none do. A flash sale audits every hold; two round trips per hundred
 * entries instead of three per entry keeps the single chain writer ahead of the queue.
 */
/** Entries per insert statement: their JSON stays well under D1's 2 MB bound-value limit. */
const ROWS_PER_STATEMENT = 200;

const INSERT_MANY = `INSERT INTO audit_log (seq, entry_id, at, action, actor_id, ip_hash, entity_type, entity_id,
    organizer_id, event_id, order_id, data, prev_hash, hash)
  SELECT value ->> 0, value ->> 1, value ->> 2, value ->> 3, value ->> 4, value ->> 5, value ->> 6, value ->> 7,
    value ->> 8, value ->> 9, value ->> 10, value ->> 11, value ->> 12, value ->> 13
  FROM json_each(?) ORDER BY key`;

/**
 * The chain's end as this isolate last wrote it. The audit consumer runs one batch at a time, so
 * its next batch usually extends exactly this row: it is then written in one round trip with no
 * read. A stale tail (another writer appended) or a redelivered entry makes the insert fail on
 * the primary key or the entry id's unique index, the batch rolls back, and the read path runs.
 */
let tail: { seq: number; hash: string } | null = null;

export async function appendEntries(db: D1Database, entries: ChainEntry[]): Promise<number> {
  if (!entries.length) return 0;
  const unique = [...new Map(entries.map((e) => [e.entryId, e])).values()];
  if (tail) {
    try {
      return await extend(db, unique, tail);
    } catch {
      tail = null; // the read path below decides what is new and where the chain ends
    }
  }
  const ids = unique.map((e) => e.entryId);
  const reads: D1PreparedStatement[] = [];
  // 90 ids per IN list: D1 binds at most 100 parameters per statement.
  for (let i = 0; i < ids.length; i += 90) {
    const part = ids.slice(i, i + 90);
    reads.push(
      db.prepare(`SELECT entry_id FROM audit_log WHERE entry_id IN (${part.map(() => "?").join(",")})`).bind(...part),
    );
  }
  reads.push(db.prepare(`SELECT seq, hash FROM audit_log ORDER BY seq DESC LIMIT 1`));
  const answers = await db.batch<Record<string, unknown>>(reads);
  const known = new Set<string>();
  for (const a of answers.slice(0, -1)) for (const r of a.results as { entry_id: string }[]) known.add(r.entry_id);
  const fresh = unique.filter((e) => !known.has(e.entryId));
  const last = answers[answers.length - 1]!.results[0] as { seq: number; hash: string } | undefined;
  if (!fresh.length) {
    tail = last ?? null;
    return 0;
  }
  return extend(db, fresh, last ?? { seq: 0, hash: GENESIS });
}

/** Writes `fresh` after `from` in one D1 batch (all rows or none) and remembers the new end. */
async function extend(db: D1Database, fresh: ChainEntry[], from: { seq: number; hash: string }): Promise<number> {
  let seq = from.seq;
  let prevHash = from.hash;
  const rows: unknown[][] = [];
  for (const entry of fresh) {
    const hash = await chainHash(prevHash, entry);
    seq += 1;
    rows.push([
      seq,
      entry.entryId,
      entry.at,
      entry.action,
      entry.actorId,
      entry.ipHash,
      entry.entityType,
      entry.entityId,
      entry.organizerId,
      entry.eventId,
      entry.orderId,
      entry.data == null ? null : JSON.stringify(entry.data),
      prevHash,
      hash,
    ]);
    prevHash = hash;
  }
  // One statement per page of entries (a JSON array read by json_each), not one per entry: a
  // batch of 100 entries is one round trip of a few statements.
  const statements: D1PreparedStatement[] = [];
  for (let i = 0; i < rows.length; i += ROWS_PER_STATEMENT)
    statements.push(db.prepare(INSERT_MANY).bind(JSON.stringify(rows.slice(i, i + ROWS_PER_STATEMENT))));
  await db.batch(statements);
  tail = { seq, hash: prevHash };
  return fresh.length;
}

/** Rows in ascending seq after `afterSeq`, one page, for verification. */
export async function chainPage(db: D1Database, afterSeq: number, limit: number): Promise<ChainRow[]> {
  const { results } = await db
    .prepare(`SELECT * FROM audit_log WHERE seq > ? ORDER BY seq LIMIT ?`)
    .bind(afterSeq, limit)
    .all<RawRow>();
  return results.map(toChainRow);
}
