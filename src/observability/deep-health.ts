import { log } from "./log";

export type Check = { ok: boolean; latencyMs: number; error?: string };
export type DeepHealth = { status: "ok" | "degraded"; checks: { d1: Check; durableObject: Check; queue: Check } };

/** The inventory object the probe reads: a fixed name, so probes never create one per call. */
export const HEALTH_PROBE_OBJECT = "health-probe";

async function timed(run: () => Promise<unknown>, timeoutMs: number): Promise<Check> {
  const started = performance.now();
  let timer: ReturnType<typeof setTimeout> | undefined;
  try {
    await Promise.race([
      run(),
      new Promise(
        (_, reject) => (timer = setTimeout(() => reject(new Error(`timed out after ${timeoutMs} ms`)), timeoutMs)),
      ),
    ]);
    return { ok: true, latencyMs: Math.round(performance.now() - started) };
  } catch (err) {
    return {
      ok: false,
      latencyMs: Math.round(performance.now() - started),
      error: err instanceof Error ? err.message : String(err),
    };
  } finally {
    clearTimeout(timer);
  }
}

/**
 * One round trip to each dependency, in parallel, each with its latency: a D1 query on the primary,
 * an RPC to an EventInventory object (`currentVersion` on a fixed, empty object), and a send to
 * the dedicated `health-probe` queue, whose consumer only acks (probes never reach payments,
 * notifications or the audit hash chain).
 */
export async function deepHealth(
  env: Pick<Env, "DB" | "EVENT_INVENTORY" | "HEALTH_PROBE">,
  requestId: string,
  timeoutMs = 5000,
): Promise<DeepHealth> {
  const [d1, durableObject, queue] = await Promise.all([
    timed(() => env.DB.prepare("SELECT 1 AS ok").first(), timeoutMs),
    timed(() => env.EVENT_INVENTORY.getByName(HEALTH_PROBE_OBJECT).currentVersion(), timeoutMs),
    timed(
      () => env.HEALTH_PROBE.send({ type: "health.probe", requestId, sentAt: Date.now() }, { contentType: "json" }),
      timeoutMs,
    ),
  ]);
  const checks = { d1, durableObject, queue };
  return { status: d1.ok && durableObject.ok && queue.ok ? "ok" : "degraded", checks };
}

/** The `health-probe` queue: ack everything, log how long delivery took (a queue lag signal). */
export async function consumeHealthProbes(batch: MessageBatch<unknown>): Promise<void> {
  const now = Date.now();
  const lags = batch.messages.map((m) => now - m.timestamp.getTime());
  batch.ackAll();
  log("info", "health probe delivered", {
    queue: batch.queue,
    messages: batch.messages.length,
    maxLagMs: Math.max(0, ...lags),
  });
}
