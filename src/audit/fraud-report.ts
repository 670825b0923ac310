import { atLeast, holdChurn, type CountSignal, type FraudThresholds, type HoldCounts } from "../domain/fraud";

const HOLD_COUNTS = (col: "actor_id" | "ip_hash", purchase: string) => `
  SELECT ${col} AS key,
         SUM(action = 'hold.created') AS created,
         SUM(action = 'hold.released') AS released,
         SUM(action = 'hold.expired') AS expired,
         SUM(action = '${purchase}') AS purchases
  FROM audit_log
  WHERE at >= ?1 AND ${col} IS NOT NULL AND action IN ('hold.created', 'hold.released', 'hold.expired', '${purchase}')
  GROUP BY ${col}
  HAVING created >= ?2`;

const COUNTS = (key: string, where: string) => `
  SELECT ${key} AS key, COUNT(*) AS count, MAX(at) AS last FROM audit_log
  WHERE at >= ?1 AND ${where} AND ${key} IS NOT NULL GROUP BY ${key} HAVING count >= ?2`;

/**
 * The fraud report over the audit log since `since`. Accounts count purchases as `order.paid`
 * entries (their actor is the buyer); IP hashes count confirmed holds, because payment entries
 * come from webhooks and carry no client IP.
 */
export async function fraudReport(db: D1Database, since: number, t: FraudThresholds) {
  const [accounts, ips, payments, loginIps, loginEmails] = await db.batch([
    db.prepare(HOLD_COUNTS("actor_id", "order.paid")).bind(since, t.minHolds),
    db.prepare(HOLD_COUNTS("ip_hash", "hold.confirmed")).bind(since, t.minHolds),
    db.prepare(COUNTS("actor_id", "action = 'payment.failed'")).bind(since, t.minPaymentFailures),
    db.prepare(COUNTS("ip_hash", "action = 'auth.login_failed'")).bind(since, t.minFailedLogins),
    db
      .prepare(COUNTS("json_extract(data, '$.emailHash')", "action = 'auth.login_failed'"))
      .bind(since, t.minFailedLogins),
  ]);
  const holds = (r: D1Result) => holdChurn(r.results as HoldCounts[], t);
  const counts = (r: D1Result, min: number) => atLeast(r.results as CountSignal[], min);
  return {
    holdChurn: { accounts: holds(accounts!), ipHashes: holds(ips!) },
    paymentFailures: { accounts: counts(payments!, t.minPaymentFailures) },
    failedLogins: {
      ipHashes: counts(loginIps!, t.minFailedLogins),
      emailHashes: counts(loginEmails!, t.minFailedLogins),
    },
  };
}
