// The bare baseline beside the product, in the same bench run: scripts/bench/baseline/worker.ts
// under its own `wrangler dev` (fresh state in a temp dir), seeded with the product event's seat
// ids so the same scenarios run against both with the same URLs and seats.
import { mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT, healthy, log, runWrangler } from "./server.mjs";

const CONFIG = join(REPO_ROOT, "scripts", "bench", "baseline", "wrangler.toml");

/**
 * Starts the baseline on 127.0.0.1:port and puts `seatIds` on sale for `eventId`.
 * @param {{ port: number, eventId: string, seatIds: string[] }} o
 * @returns {Promise<{ base: string, stop: () => Promise<void>, reseed: () => Promise<void> }>}
 */
export async function startBaseline({ port, eventId, seatIds }) {
  const base = `http://127.0.0.1:${port}`;
  if (await healthy(base)) throw new Error(`something already answers on ${base}; set BENCH_BASELINE_PORT`);
  const dir = mkdtempSync(join(tmpdir(), "edge-tickets-baseline-"));
  log(`starting the baseline on ${base}`);
  const { stop } = await runWrangler({
    base,
    cwd: join(REPO_ROOT, "scripts", "bench", "baseline"),
    env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
    logFile: join(dir, "wrangler.log"),
    removeDir: () => rmSync(dir, { recursive: true, force: true }),
    args: ["--config", CONFIG, "--port", String(port), "--persist-to", join(dir, "state"), "--log-level", "warn"],
  });
  /** Every seat on sale again, so each scenario starts from the same house as the product's. */
  const reseed = async () => {
    const res = await fetch(`${base}/v1/events/${eventId}/seed`, {
      method: "POST",
      headers: { "content-type": "application/json" },
      body: JSON.stringify({ seats: seatIds }),
    });
    if (res.status !== 200) throw new Error(`baseline seed → ${res.status}: ${await res.text()}`);
  };
  try {
    await reseed();
  } catch (err) {
    await stop();
    throw err;
  }
  return { base, stop, reseed };
}
