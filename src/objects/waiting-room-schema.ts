/** The WaitingRoom object's own SQLite schema, versioned in `meta.schema_version`. */
export const ROOM_SCHEMA_VERSION = 1;

/**
 * `tickets`: one row per account (user_id UNIQUE: one place per account). `seq` is join order;
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

/** Brings the schema up to ROOM_SCHEMA_VERSION; each step runs once, recorded in `meta`. */
export function migrateRoom(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value TEXT NOT NULL)`);
  const row = sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
  const current = row ? Number(row.value) : 0;
  if (current >= ROOM_SCHEMA_VERSION) return;
  if (current < 1) for (const stmt of V1) sql.exec(stmt);
  sql.exec(
    `INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    String(ROOM_SCHEMA_VERSION),
  );
}
