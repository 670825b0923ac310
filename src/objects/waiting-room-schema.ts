/** The WaitingRoom object's own SQLite schema, versioned in `meta.schema_version`. */
export const ROOM_SCHEMA_VERSION = 2;

/**
 * `tickets`: one row per place in the queue (v1: one per account; see v2). `seq` is join order;
 * `rank` is admission order: NULL for the pre-queue until the on-sale shuffle, then 1..P from the
 * shuffle and P+1.. first come, first served. `settings` is one JSON row; `meta` holds counters
 * (next rank, admission credit, last tick) and the fairness seed.
 */
const V1 = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS settings (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS tickets (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL UNIQUE, seq INTEGER NOT NULL, rank INTEGER,
     state TEXT NOT NULL, joined_at INTEGER NOT NULL, admitted_at INTEGER, expires_at INTEGER)`,
  `CREATE INDEX IF NOT EXISTS tickets_state_rank ON tickets(state, rank)`,
  `CREATE INDEX IF NOT EXISTS tickets_state_expiry ON tickets(state, expires_at)`,
  `CREATE INDEX IF NOT EXISTS tickets_admitted_at ON tickets(admitted_at)`,
];

/**
 * v2: a fan may queue again after leaving or after their admission lapsed (a new ticket at the
 * back), so `user_id` is unique only among live tickets (waiting, admitted, sold out); old
 * tickets stay, so the revealed pre-queue order still lists every ticket the shuffle ranked.
 * SQLite cannot drop a UNIQUE constraint, hence the rebuild.
 */
const V2 = [
  `CREATE TABLE tickets_v2 (
     id TEXT PRIMARY KEY, user_id TEXT NOT NULL, seq INTEGER NOT NULL, rank INTEGER,
     state TEXT NOT NULL, joined_at INTEGER NOT NULL, admitted_at INTEGER, expires_at INTEGER)`,
  `INSERT INTO tickets_v2 SELECT id, user_id, seq, rank, state, joined_at, admitted_at, expires_at FROM tickets`,
  `DROP TABLE tickets`,
  `ALTER TABLE tickets_v2 RENAME TO tickets`,
  `CREATE UNIQUE INDEX tickets_user_live ON tickets(user_id) WHERE state IN ('waiting','admitted','sold_out')`,
  `CREATE INDEX tickets_user_seq ON tickets(user_id, seq)`,
  `CREATE INDEX IF NOT EXISTS tickets_state_rank ON tickets(state, rank)`,
  `CREATE INDEX IF NOT EXISTS tickets_state_expiry ON tickets(state, expires_at)`,
  `CREATE INDEX IF NOT EXISTS tickets_admitted_at ON tickets(admitted_at)`,
];

/** Brings the schema up to ROOM_SCHEMA_VERSION; each step runs once, recorded in `meta`. */
export function migrateRoom(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const row = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
  const current = row ? Number(row.value) : 0;
  if (current >= ROOM_SCHEMA_VERSION) return;
  if (current < 1) for (const stmt of V1) sql.exec(stmt);
  if (current < 2) for (const stmt of V2) sql.exec(stmt);
  sql.exec(
    `INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(ROOM_SCHEMA_VERSION),
  );
}
