// Small HTTP helpers for the on-sale rehearsal: a bounded worker pool (so 20,000 simulated fans do
// not open 20,000 connections), a timed JSON request that is always bounded (its own timeout plus
// the run's deadline signal), an abortable sleep, and a nearest-rank percentile.

/**
 * Runs `fn(item)` over `items` with at most `concurrency` in flight; stops taking new items once
 * `signal` is aborted.
 * @template T
 * @param {T[]} items @param {number} concurrency @param {(item: T, i: number) => Promise<void>} fn
 * @param {AbortSignal} signal
 */
export async function pool(items, concurrency, fn, signal) {
  let next = 0;
  const worker = async () => {
    while (!signal.aborted && next < items.length) {
      const i = next++;
      await fn(items[i], i);
    }
  };
  await Promise.all(Array.from({ length: Math.min(concurrency, items.length) }, worker));
}

/**
 * @param {string} base @param {string} method @param {string} path
 * @param {{
 *   token?: string, body?: unknown, headers?: Record<string, string>, timeoutMs?: number, signal?: AbortSignal,
 * }} [opts]
 * @returns {Promise<{ status: number, json: any, text: string, ms: number }>}
 */
export async function request(base, method, path, opts = {}) {
  const t0 = performance.now();
  if (opts.signal?.aborted) return { status: 0, json: {}, text: "aborted: deadline", ms: 0 };
  const timeout = AbortSignal.timeout(opts.timeoutMs ?? 15_000);
  try {
    const res = await fetch(/^https?:/.test(path) ? path : base + path, {
      method,
      headers: {
        ...(opts.body !== undefined ? { "content-type": "application/json" } : {}),
        ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}),
        ...opts.headers,
      },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
      signal: opts.signal ? AbortSignal.any([timeout, opts.signal]) : timeout,
    });
    const text = await res.text();
    let json = {};
    try {
      json = text ? JSON.parse(text) : {};
    } catch {}
    return { status: res.status, json, text, ms: performance.now() - t0 };
  } catch (e) {
    return { status: 0, json: {}, text: String(e), ms: performance.now() - t0 };
  }
}

/**
 * Sleeps `ms` (capped at 2 s) or until `signal` aborts, whichever comes first.
 * @param {number} ms @param {AbortSignal} [signal]
 */
export function sleep(ms, signal) {
  return new Promise((resolve) => {
    if (signal?.aborted) return resolve(undefined);
    const done = () => {
      clearTimeout(t);
      signal?.removeEventListener("abort", done);
      resolve(undefined);
    };
    const t = setTimeout(done, Math.max(0, Math.min(ms, 2000)));
    signal?.addEventListener("abort", done, { once: true });
  });
}

/** @param {number[]} l @param {number} p */
export function percentile(l, p) {
  const s = [...l].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : 0;
}
