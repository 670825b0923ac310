/**
 * Counters written to the Workers Analytics Engine dataset bound as `METRICS`.
 *
 * `writeDataPoint` is fire-and-forget (no await, no I/O on the request path), so a counter costs
 * microseconds even on the hold path. Every point has the same shape, which the Grafana panels in
 * docs/grafana-dashboard.json query with SQL:
 *
 *   index1  = metric name (the sampling key)
 *   blob1   = metric name, blob2..blob5 = labels (see each call), double1 = value, double2 = ms
 *
 * `METRICS_ENABLED = "false"` turns every write off (for benchmarking the overhead).
 */
export type MetricsEnv = { METRICS?: AnalyticsEngineDataset; METRICS_ENABLED?: string };

export const METRIC = {
  request: "http_request",
  holdWon: "hold_won",
  holdLost: "hold_lost",
  holdExpired: "hold_expired",
  checkout: "checkout",
  paymentOk: "payment_succeeded",
  paymentFailed: "payment_failed",
  refund: "refund",
  notificationSent: "notification_sent",
  notificationFailed: "notification_failed",
  queueRetry: "queue_retry",
} as const;
export type MetricName = (typeof METRIC)[keyof typeof METRIC];

/** True unless the dataset is missing or METRICS_ENABLED is "false". */
export function metricsOn(env: MetricsEnv | undefined): env is MetricsEnv & { METRICS: AnalyticsEngineDataset } {
  return !!env?.METRICS && env.METRICS_ENABLED !== "false";
}

/**
 * Adds `value` to counter `name` with up to four string labels. Never throws and never awaits:
 * losing a data point is better than failing or slowing the request that produced it.
 */
export function count(
  env: MetricsEnv | undefined,
  name: MetricName,
  labels: (string | number | null | undefined)[] = [],
  value = 1,
  ms = 0,
): void {
  if (!metricsOn(env)) return;
  try {
    env.METRICS.writeDataPoint({
      indexes: [name],
      blobs: [name, ...labels.slice(0, 4).map((l) => (l == null ? "" : String(l).slice(0, 256)))],
      doubles: [value, ms],
    });
  } catch {
    // Analytics Engine refused the point (limits, bad shape): metrics are best effort.
  }
}
