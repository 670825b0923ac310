// Small HTTP helpers for the on-sale rehearsal: a cap on requests in flight (so 20,000 simulated
// fans do not open 20,000 connections), a timed JSON request, and a nearest-rank percentile.

export class Limiter {
  /** @param {number} max */
  constructor(max) {
    this.max = max;
    this.active = 0;
    /** @type {(() => void)[]} */
    this.queue = [];
  }

  /** @template T @param {() => Promise<T>} fn @returns {Promise<T>} */
  async run(fn) {
    if (this.active >= this.max) await new Promise((r) => this.queue.push(() => r(undefined)));
    this.active++;
    try {
      return await fn();
    } finally {
      this.active--;
      this.queue.shift()?.();
    }
  }
}

/**
 * @param {string} base @param {string} method @param {string} path
 * @param {{ token?: string, body?: unknown, headers?: Record<string, string> }} [opts]
 * @returns {Promise<{ status: number, json: any, text: string, ms: number }>}
 */
export async function request(base, method, path, opts = {}) {
  const t0 = performance.now();
  try {
    const res = await fetch(base + path, {
      method,
      headers: { ...(opts.body !== undefined ? { "content-type": "application/json" } : {}), ...(opts.token ? { authorization: `Bearer ${opts.token}` } : {}), ...opts.headers },
      body: opts.body === undefined ? undefined : JSON.stringify(opts.body),
    });
    const text = await res.text();
    let json = {};
    try { json = text ? JSON.parse(text) : {}; } catch {}
    return { status: res.status, json, text, ms: performance.now() - t0 };
  } catch (e) {
    return { status: 0, json: {}, text: String(e), ms: performance.now() - t0 };
  }
}

/** @param {number[]} l @param {number} p */
export function percentile(l, p) {
  const s = [...l].sort((a, b) => a - b);
  return s.length ? s[Math.min(s.length - 1, Math.max(0, Math.ceil((p / 100) * s.length) - 1))] : 0;
}
