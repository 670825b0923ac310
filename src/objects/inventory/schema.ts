/** The EventInventory object's own SQLite schema, versioned in `meta.schema_version`. */
export const SCHEMA_VERSION = 7;

/** How many change entries are kept for `changesSince`; older clients resync. */
export const CHANGE_LOG_LIMIT = 1000;
/** The log is trimmed back to the limit once every this many versions, so it holds at most LIMIT + EVERY - 1. */
export const CHANGE_LOG_TRIM_EVERY = 64;

const V1 = [
  `CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS seats (
     id TEXT PRIMARY KEY, section TEXT NOT NULL, row_label TEXT NOT NULL, row_index INTEGER NOT NULL,
     pos INTEGER NOT NULL, tier TEXT, price INTEGER NOT NULL DEFAULT 0, accessible INTEGER NOT NULL DEFAULT 0,
     aisle_after INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'available', hold_id TEXT)`,
  `CREATE INDEX IF NOT EXISTS seats_hold ON seats(hold_id)`,
  `CREATE INDEX IF NOT EXISTS seats_tier ON seats(tier, row_index, pos)`,
  `CREATE TABLE IF NOT EXISTS areas (id TEXT PRIMARY KEY, tier TEXT, price INTEGER NOT NULL DEFAULT 0,
     capacity INTEGER NOT NULL, held INTEGER NOT NULL DEFAULT 0, sold INTEGER NOT NULL DEFAULT 0)`,
  `CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, user_id TEXT NOT NULL, status TEXT NOT NULL,
     kind TEXT NOT NULL, area_id TEXT, quantity INTEGER NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,
     deadline INTEGER NOT NULL, extended INTEGER NOT NULL DEFAULT 0, order_id TEXT, created_at INTEGER NOT NULL)`,
  `CREATE INDEX IF NOT EXISTS holds_live ON holds(status, deadline)`,
  `CREATE INDEX IF NOT EXISTS holds_user ON holds(user_id, status)`,
  `CREATE INDEX IF NOT EXISTS holds_order ON holds(order_id)`,
  "CREATE TABLE IF NOT EXISTS hold_seats (hold_id TEXT NOT NULL, seat_id TEXT NOT NULL, " +
    "PRIMARY KEY (hold_id, seat_id))",
  `CREATE TABLE IF NOT EXISTS config (id INTEGER PRIMARY KEY CHECK (id = 1), json TEXT NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS changes (version INTEGER PRIMARY KEY, json TEXT NOT NULL)`,
  `INSERT OR IGNORE INTO meta (key, value) VALUES ('version', 0)`,
];

/**
 * v2: the outbox (messages for the payments queue written in the same transaction as the change
 * that causes them), refunds already applied (`returns`, so a retried refund returns seats once),
 * and `holds.returned` (places given back by refunds, so per-user limits count them out).
 */
const V2 = [
  "CREATE TABLE IF NOT EXISTS outbox (id INTEGER PRIMARY KEY AUTOINCREMENT, body TEXT NOT NULL, " +
    "created_at INTEGER NOT NULL)",
  `CREATE TABLE IF NOT EXISTS returns (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, created_at INTEGER NOT NULL)`,
  `ALTER TABLE holds ADD COLUMN returned INTEGER NOT NULL DEFAULT 0`,
];

/**
 * v3: the outbox feeds more than one queue (`queue`: 'payments' or 'audit'; hold audit entries are
 * written in the same transaction as the hold change), and a hold remembers the salted hash of
 * the client IP that made it, so its later entries (released, expired) group by IP too.
 */
const V3 = [
  `ALTER TABLE outbox ADD COLUMN queue TEXT NOT NULL DEFAULT 'payments'`,
  `ALTER TABLE holds ADD COLUMN ip_hash TEXT`,
];

/**
 * v4: who ended a hold (`ended_by`: 'owner' for a release, 'payment' for a failed or cancelled
 * payment, 'expiry' for a lapse), so a late payment re-acquires seats only when the fan did not
 * give them back on purpose.
 */
const V4 = [`ALTER TABLE holds ADD COLUMN ended_by TEXT`];

/**
 * v5: waiting-room admissions. A hold remembers the queue ticket it was made under (so paying
 * again and a late payment's re-acquisition count as admitted, and a sale revokes that ticket),
 * and `revoked_admissions` lists tickets whose tokens the room or a purchase took back.
 */
const V5 = [
  `ALTER TABLE holds ADD COLUMN admission_ticket TEXT`,
  `ALTER TABLE holds ADD COLUMN admission_exp INTEGER`,
  `CREATE TABLE IF NOT EXISTS revoked_admissions (ticket TEXT PRIMARY KEY, until INTEGER NOT NULL)`,
];

/**
 * v6: the purchase write side. Orders, their lines, payment rows (charges and refunds), tickets,
 * webhook events already applied and Idempotency-Key records live here, changed in the same
 * transactions as the seats; every change is shipped to D1 through the `ledger` queue with the
 * row's `version`, so the ledger never moves a row backwards. `seq` orders rows by creation
 * (timestamps can tie).
 */
const V6 = [
  `CREATE TABLE IF NOT EXISTS orders (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, user_id TEXT NOT NULL,
     email TEXT NOT NULL, hold_id TEXT NOT NULL, status TEXT NOT NULL, amount INTEGER NOT NULL, currency TEXT NOT NULL,
     refunded_amount INTEGER NOT NULL DEFAULT 0, payment_attempt INTEGER NOT NULL DEFAULT 0, hold_expires_at INTEGER,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, paid_at INTEGER, closed_at INTEGER,
     version INTEGER NOT NULL DEFAULT 1)`,
  `CREATE UNIQUE INDEX IF NOT EXISTS orders_hold ON orders(hold_id)`,
  `CREATE INDEX IF NOT EXISTS orders_status ON orders(status)`,
  `CREATE TABLE IF NOT EXISTS order_lines (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, seat_id TEXT, area_id TEXT,
     tier TEXT NOT NULL, price INTEGER NOT NULL, quantity INTEGER NOT NULL DEFAULT 1)`,
  `CREATE INDEX IF NOT EXISTS order_lines_order ON order_lines(order_id)`,
  `CREATE TABLE IF NOT EXISTS payments (id TEXT PRIMARY KEY, seq INTEGER NOT NULL, order_id TEXT NOT NULL,
     kind TEXT NOT NULL, provider TEXT NOT NULL, provider_ref TEXT, idempotency_key TEXT NOT NULL UNIQUE,
     amount INTEGER NOT NULL, currency TEXT NOT NULL, status TEXT NOT NULL DEFAULT 'pending',
     attempts INTEGER NOT NULL DEFAULT 0, last_error TEXT, reason TEXT, hold_id TEXT, charge_ref TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1)`,
  `CREATE INDEX IF NOT EXISTS payments_order ON payments(order_id, seq)`,
  `CREATE INDEX IF NOT EXISTS payments_ref ON payments(provider_ref)`,
  `CREATE TABLE IF NOT EXISTS tickets (id TEXT PRIMARY KEY, order_id TEXT NOT NULL, user_id TEXT NOT NULL,
     place TEXT NOT NULL, seat_id TEXT, area_id TEXT, tier TEXT NOT NULL, price INTEGER NOT NULL,
     status TEXT NOT NULL DEFAULT 'valid', code TEXT NOT NULL, used_at INTEGER, used_by TEXT, refund_id TEXT,
     created_at INTEGER NOT NULL, updated_at INTEGER NOT NULL, version INTEGER NOT NULL DEFAULT 1)`,
  `CREATE INDEX IF NOT EXISTS tickets_order ON tickets(order_id)`,
  `CREATE INDEX IF NOT EXISTS tickets_refund ON tickets(refund_id)`,
  // The object's own second line of defence: one live ticket per place.
  `CREATE UNIQUE INDEX IF NOT EXISTS tickets_live_place ON tickets(place) WHERE status IN ('valid','used')`,
  `CREATE TABLE IF NOT EXISTS webhook_events (id TEXT PRIMARY KEY, type TEXT NOT NULL, received_at INTEGER NOT NULL)`,
  `CREATE TABLE IF NOT EXISTS idempotency_keys (scope TEXT NOT NULL, route TEXT NOT NULL, key TEXT NOT NULL,
     request_hash TEXT NOT NULL, state TEXT NOT NULL, response_status INTEGER, response_headers TEXT,
     response_body TEXT, created_at INTEGER NOT NULL, expires_at INTEGER NOT NULL, PRIMARY KEY (scope, route, key))`,
  `INSERT OR IGNORE INTO meta (key, value) VALUES ('seq', 0)`,
];

/**
 * v7: a seat hold's seat list lives in its own row (`seat_ids`, a JSON array, sorted), written by
 * the hold's one INSERT instead of a second multi-row INSERT into `hold_seats` on every hold.
 * Existing holds get theirs from `hold_seats`, which is no longer written or read.
 */
const V7 = [
  `ALTER TABLE holds ADD COLUMN seat_ids TEXT`,
  `UPDATE holds SET seat_ids = (SELECT json_group_array(seat_id) FROM
     (SELECT seat_id FROM hold_seats WHERE hold_id = holds.id ORDER BY seat_id)) WHERE kind = 'seats'`,
];

/** Brings the schema up to SCHEMA_VERSION. Steps run once each, in order, recorded by `schema_version`. */
export function migrate(sql: SqlStorage): void {
  sql.exec(`CREATE TABLE IF NOT EXISTS meta (key TEXT PRIMARY KEY, value INTEGER NOT NULL)`);
  const row = sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'schema_version'`).toArray()[0];
  const current = row?.value ?? 0;
  if (current >= SCHEMA_VERSION) return;
  if (current < 1) for (const stmt of V1) sql.exec(stmt);
  if (current < 2) for (const stmt of V2) sql.exec(stmt);
  if (current < 3) for (const stmt of V3) sql.exec(stmt);
  if (current < 4) for (const stmt of V4) sql.exec(stmt);
  if (current < 5) for (const stmt of V5) sql.exec(stmt);
  if (current < 6) for (const stmt of V6) sql.exec(stmt);
  if (current < 7) for (const stmt of V7) sql.exec(stmt);
  sql.exec(
    `INSERT INTO meta (key, value) VALUES ('schema_version', ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
    SCHEMA_VERSION,
  );
}
