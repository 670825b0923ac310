import { atLeast, holdChurn, type CountSignal, type FraudThresholds, type HoldCounts } from "../domain/fraud";

/**
 * Entries of one organizer's events only (bound as ?3), or all when ?3 is NULL (admins). The object
 * writes hold and payment entries with their event, not their organizer, hence the sub-select.
 */
const SCOPE = "(?3 IS NULL OR event_id IN (SELECT id FROM events WHERE organizer_id = ?3))";

const HOLD_COUNTS = (col: "actor_id" | "ip_hash", purchase: string) => `
  SELECT ${col} AS key,
         SUM(action = 'hold.created') AS created,
         SUM(action = 'hold.released') AS released,
         SUM(action = 'hold.expired') AS expired,
         SUM(action = '${purchase}') AS purchases
  FROM audit_log
  WHERE at >= ?1 AND ${col} IS NOT NULL AND action IN ('hold.created', 'hold.released', 'hold.expired', '${purchase}')
    AND ${SCOPE}
  GROUP BY ${col}
  HAVING created >= ?2`;

const COUNTS = (key: string, where: string) => `
  SELECT ${key} AS key, COUNT(*) AS count, MAX(at) AS last FROM audit_log
  WHERE at >= ?1 AND ${where} AND ${key} IS NOT NULL AND ${SCOPE} GROUP BY ${key} HAVING count >= ?2`;

/** The email of each flagged account and its latest orders in the window (in scope), so the view can link them. */
const ACCOUNTS = `SELECT id, email FROM users WHERE id IN (SELECT value FROM json_each(?1))`;
const ACCOUNT_ORDERS = `
  SELECT actor_id AS account, order_id, event_id, MAX(at) AS last FROM audit_log
  WHERE at >= ?2 AND order_id IS NOT NULL AND actor_id IN (SELECT value FROM json_each(?1)) AND ${SCOPE}
  GROUP BY actor_id, order_id ORDER BY last DESC`;
/** Orders listed per flagged account. */
const ORDERS_PER_ACCOUNT = 5;

export type InvolvedAccount = { email: string | null; orders: { orderId: string; eventId: string | null }[] };

/**
 * The fraud report over the audit log since `since`. Accounts count purchases as `order.paid`
 * entries (their actor is the buyer); IP hashes count confirmed holds, because payment entries
 * come from webhooks and carry no client IP. `organizerId` limits it to that organizer's events
 * (null: the whole platform, for admins); failed logins belong to no event, so only admins see them.
 * Each flagged account comes with its email and latest orders, so the portal links to them.
 */
export async function fraudReport(db: D1Database, since: number, t: FraudThresholds, organizerId: string | null) {
  const [accounts, ips, payments, loginIps, loginEmails] = await db.batch([
    db.prepare(HOLD_COUNTS("actor_id", "order.paid")).bind(since, t.minHolds, organizerId),
    db.prepare(HOLD_COUNTS("ip_hash", "hold.confirmed")).bind(since, t.minHolds, organizerId),
    db.prepare(COUNTS("actor_id", "action = 'payment.failed'")).bind(since, t.minPaymentFailures, organizerId),
    db.prepare(COUNTS("ip_hash", "action = 'auth.login_failed'")).bind(since, t.minFailedLogins, organizerId),
    db
      .prepare(COUNTS("json_extract(data, '$.emailHash')", "action = 'auth.login_failed'"))
      .bind(since, t.minFailedLogins, organizerId),
  ]);
  const holds = (r: D1Result) => holdChurn(r.results as HoldCounts[], t);
  const counts = (r: D1Result, min: number) => atLeast(r.results as CountSignal[], min);
  const report = {
    holdChurn: { accounts: holds(accounts!), ipHashes: holds(ips!) },
    paymentFailures: { accounts: counts(payments!, t.minPaymentFailures) },
    failedLogins: {
      ipHashes: counts(loginIps!, t.minFailedLogins),
      emailHashes: counts(loginEmails!, t.minFailedLogins),
    },
  };
  const flagged = [...new Set([...report.holdChurn.accounts, ...report.paymentFailures.accounts].map((a) => a.key))];
  return { ...report, accountsInvolved: await involved(db, flagged, since, organizerId) };
}

async function involved(db: D1Database, ids: string[], since: number, organizerId: string | null) {
  const out: Record<string, InvolvedAccount> = {};
  if (!ids.length) return out;
  const list = JSON.stringify(ids);
  const [users, orders] = await db.batch([
    db.prepare(ACCOUNTS).bind(list),
    db.prepare(ACCOUNT_ORDERS).bind(list, since, organizerId),
  ]);
  for (const id of ids) out[id] = { email: null, orders: [] };
  for (const u of users!.results as { id: string; email: string }[]) out[u.id]!.email = u.email;
  for (const o of orders!.results as { account: string; order_id: string; event_id: string | null }[]) {
    const entry = out[o.account];
    if (entry && entry.orders.length < ORDERS_PER_ACCOUNT)
      entry.orders.push({ orderId: o.order_id, eventId: o.event_id });
  }
  return out;
}
