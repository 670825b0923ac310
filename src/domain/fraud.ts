/**
 * Fraud signals over audit counts. Pure: the counting is SQL (src/audit/fraud-report.ts), the
 * judgement — thresholds, ratios, order — is here.
 */

export type FraudThresholds = {
  /** Hold churn: at least this many holds created in the window… */
  minHolds: number;
  /** …of which at least this share were released or expired… */
  churnRatio: number;
  /** …with at most this many purchases. */
  maxPurchases: number;
  /** `payment.failed` entries per account. */
  minPaymentFailures: number;
  /** `auth.login_failed` entries per IP hash or per email hash. */
  minFailedLogins: number;
};

export const DEFAULT_THRESHOLDS: FraudThresholds = {
  minHolds: 5,
  churnRatio: 0.8,
  maxPurchases: 0,
  minPaymentFailures: 3,
  minFailedLogins: 5,
};

/** Hold counts for one account or IP hash. */
export type HoldCounts = { key: string; created: number; released: number; expired: number; purchases: number };
export type ChurnSignal = HoldCounts & { churn: number };

/** Accounts or IPs that hold a lot and buy little, worst first (most dropped, then most created). */
export function holdChurn(rows: HoldCounts[], t: FraudThresholds): ChurnSignal[] {
  return rows
    .map((r) => ({ ...r, churn: r.created ? Math.min(1, (r.released + r.expired) / r.created) : 0 }))
    .filter((r) => r.created >= t.minHolds && r.churn >= t.churnRatio && r.purchases <= t.maxPurchases)
    .sort(
      (a, b) =>
        b.released + b.expired - (a.released + a.expired) || b.created - a.created || a.key.localeCompare(b.key),
    );
}

export type CountSignal = { key: string; count: number; last: number };

/** Keys whose count reaches `min`, highest first. */
export function atLeast(rows: CountSignal[], min: number): CountSignal[] {
  return rows
    .filter((r) => r.count >= min)
    .sort((a, b) => b.count - a.count || b.last - a.last || a.key.localeCompare(b.key));
}
