import { env } from "cloudflare:workers";
import { afterEach, beforeEach, vi } from "vitest";

export const OPERATOR_TOKEN = "op-test-token-7d1f0c9a2b8e4d6f";

/**
 * Sets OPERATOR_TOKEN for the tests of a file. The Worker entry runs in the test's isolate with the
 * same `env` object, so a value set here is what the routes read.
 */
export function useOperatorToken() {
  const e = env as unknown as { OPERATOR_TOKEN?: string };
  beforeEach(() => {
    e.OPERATOR_TOKEN = OPERATOR_TOKEN;
  });
  afterEach(() => {
    delete e.OPERATOR_TOKEN;
  });
}

/** Turns the per-request log line on for a file's tests (vitest.config.ts turns it off to keep output readable). */
export function useRequestLogs() {
  const e = env as unknown as { REQUEST_LOGS: string };
  let before = "";
  beforeEach(() => {
    before = e.REQUEST_LOGS;
    e.REQUEST_LOGS = "true";
  });
  afterEach(() => {
    e.REQUEST_LOGS = before;
  });
}

/** Every line written to console.log/info/warn/error while `run` runs, in order. */
export async function captureLogs<T>(run: () => Promise<T>): Promise<{ result: T; lines: string[] }> {
  const lines: string[] = [];
  const spies = (["log", "info", "warn", "error", "debug"] as const).map((m) =>
    vi.spyOn(console, m).mockImplementation((...args: unknown[]) => {
      lines.push(args.map((a) => (typeof a === "string" ? a : JSON.stringify(a))).join(" "));
    }),
  );
  try {
    return { result: await run(), lines };
  } finally {
    for (const s of spies) s.mockRestore();
  }
}

/** The JSON request lines among captured lines. */
export function requestLines(lines: string[]): Record<string, unknown>[] {
  return lines.flatMap((l) => {
    try {
      const o = JSON.parse(l) as Record<string, unknown>;
      return o.msg === "request" ? [o] : [];
    } catch {
      return [];
    }
  });
}

/** Prometheus text parsed into `# TYPE` declarations and samples (name, labels, value). */
export function parsePrometheus(text: string) {
  const types = new Map<string, string>();
  const samples: { name: string; labels: Record<string, string>; value: number }[] = [];
  for (const line of text.split("\n")) {
    if (!line) continue;
    const t = /^# TYPE (\S+) (gauge|counter|histogram|summary|untyped)$/.exec(line);
    if (t) {
      types.set(t[1]!, t[2]!);
      continue;
    }
    if (line.startsWith("#")) continue;
    const m = /^([a-zA-Z_:][a-zA-Z0-9_:]*)(?:\{(.*)\})? (\S+)$/.exec(line);
    if (!m) throw new Error(`not a Prometheus sample line: ${line}`);
    const labels: Record<string, string> = {};
    for (const l of (m[2] ?? "").matchAll(/([a-zA-Z_][a-zA-Z0-9_]*)="((?:[^"\\]|\\.)*)"/g))
      labels[l[1]!] = l[2]!.replace(/\\(.)/g, (_, c: string) => (c === "n" ? "\n" : c));
    samples.push({ name: m[1]!, labels, value: Number(m[3]) });
  }
  return {
    types,
    samples,
    value: (name: string, labels: Record<string, string>) =>
      samples.find((s) => s.name === name && Object.entries(labels).every(([k, v]) => s.labels[k] === v))?.value,
  };
}
