// `npm run bench -- ab <file> <old text> <new text>`: what one piece of code costs the hold path,
// measured by taking it out. Server A runs the tree as it is; server B the same tree with <old
// text> in <file> replaced by <new text> (the file is restored as soon as B's snapshot is taken).
// One client alternates hold-then-release between A and B (AB, BA, AB, ...), so machine noise
// lands on both alike, and the run prints both p50s and B ÷ A. With no arguments both servers run
// the same tree: an A/A run shows the noise floor (about ±3% here). Env: AB_REQUESTS (400).
import { readFileSync, writeFileSync } from "node:fs";
import { DEV_SECRET, mintAccessToken } from "./jwt.mjs";
import { log, startServer } from "./server.mjs";
import { adminToken, client, createBenchEvent, jwtClaimsConfig } from "./setup.mjs";

const ADMIN = "bench-admin@bench.test";

/** @param {number[]} xs @param {number} q */
const quantile = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * xs.length)] ?? 0;

/**
 * Starts B from the patched tree and puts the file back at once, whatever happens.
 * @param {string} file @param {string} from @param {string} to @param {() => Promise<any>} start
 */
async function withPatch(file, from, to, start) {
  const original = readFileSync(file, "utf8");
  if (!original.includes(from)) throw new Error(`${file} does not contain the text to replace`);
  writeFileSync(file, original.replace(from, to));
  try {
    return await start();
  } finally {
    writeFileSync(file, original);
  }
}

export async function main() {
  const [file, from, to] = process.argv.slice(3);
  if (file && (from === undefined || to === undefined)) {
    log("usage: npm run bench -- ab <file> <old text> <new text>");
    return 2;
  }
  const requests = Number(process.env.AB_REQUESTS) || 400;
  /** @type {import("./server.mjs").Server[]} */
  const servers = [];
  try {
    servers.push(await startServer({ port: 8801, adminEmail: ADMIN }));
    const startB = () => startServer({ port: 8802, adminEmail: ADMIN });
    servers.push(file ? await withPatch(file, from, to, startB) : await startB());
    const { issuer, audience } = jwtClaimsConfig();
    // Fans take turns, so none meets the per-fan hold rate limit (60 per 10 s).
    const fans = Array.from({ length: 200 }, (_, n) => {
      const token = mintAccessToken(
        { sub: `ab-fan-${n}`, email: `ab-fan-${n}@bench.test` },
        { secret: DEV_SECRET, issuer, audience },
      );
      return { authorization: `Bearer ${token}` };
    });
    const sides = [];
    for (const s of servers) {
      const api = client(s.base);
      sides.push({
        base: s.base,
        ...(await createBenchEvent(api, await adminToken(api, ADMIN))),
        hold: [],
        release: [],
      });
    }
    for (let i = 0; i < requests; i++) {
      const auth = fans[i % fans.length];
      for (const side of i % 2 ? [sides[1], sides[0]] : sides) {
        const seat = side.seatIds[(i * 13) % side.seatIds.length];
        let t = performance.now();
        const h = await fetch(`${side.base}/v1/events/${side.eventId}/holds`, {
          method: "POST",
          headers: { ...auth, "content-type": "application/json" },
          body: JSON.stringify({ seats: [seat] }),
        });
        const { holdId } = await h.json();
        side.hold.push(performance.now() - t);
        if (h.status !== 201) throw new Error(`hold on ${side.base} → ${h.status}`);
        t = performance.now();
        const r = await fetch(`${side.base}/v1/holds/${encodeURIComponent(holdId)}`, {
          method: "DELETE",
          headers: auth,
        });
        await r.text();
        side.release.push(performance.now() - t);
      }
    }
    const [a, b] = sides;
    const p50 = (/** @type {number[]} */ xs) => Math.round(quantile(xs, 0.5) * 100) / 100;
    const line = {
      check: "ab",
      patch: file ? { file, from, to } : null,
      requests,
      hold_p50_ms: { a: p50(a.hold), b: p50(b.hold), b_over_a: Math.round((p50(b.hold) / p50(a.hold)) * 1000) / 1000 },
      release_p50_ms: {
        a: p50(a.release),
        b: p50(b.release),
        b_over_a: Math.round((p50(b.release) / p50(a.release)) * 1000) / 1000,
      },
    };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } finally {
    for (const s of servers) await s.stop();
  }
}
