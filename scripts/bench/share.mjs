// `npm run bench -- share <patches.json>`: what share of the hold path's throughput some pieces
// of code cost, measured by taking them out. Server A runs the tree as it is; server B the same
// tree with every `[file, old text, new text]` of the JSON file applied (the files are restored
// as soon as B's snapshot is taken). The scenarios (env SHARE_SCENARIOS: floor, spread, hot;
// default spread) run at 64 clients on A and B in turn, SHARE_ROUNDS times (3), alternating which
// goes first, so machine noise lands on both alike; the line has both sides' requests per second
// and B ÷ A of the medians (above 1: the pieces cost that share). `ab` measures one client's
// latency instead; a share is what sets an event's holds per second.
import { readFileSync, writeFileSync } from "node:fs";
import { DEV_SECRET, mintAccessToken } from "./jwt.mjs";
import { Ledger, floor, hot, spread } from "./scenarios.mjs";
import { log, startServer } from "./server.mjs";
import { adminToken, client, createBenchEvent, jwtClaimsConfig } from "./setup.mjs";

const ADMIN = "bench-admin@bench.test";
const median = (/** @type {number[]} */ xs) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)] ?? 0;

/**
 * Starts B from the patched tree and puts every file back at once, whatever happens.
 * @param {[string, string, string][]} patches @param {() => Promise<any>} start
 */
async function withPatches(patches, start) {
  const originals = new Map(patches.map(([file]) => [file, readFileSync(file, "utf8")]));
  try {
    for (const [file, from, to] of patches) {
      const text = readFileSync(file, "utf8");
      if (!text.includes(from)) throw new Error(`${file} does not contain ${JSON.stringify(from)}`);
      writeFileSync(file, text.replace(from, to));
    }
    return await start();
  } finally {
    for (const [file, text] of originals) writeFileSync(file, text);
  }
}

/**
 * One scenario on one server, on a fresh event where it needs seats.
 * @param {string} name @param {import("./server.mjs").Server} server @param {string[]} tokens
 */
async function runScenario(name, server, tokens) {
  const ctx = { base: server.base, tokens, ledger: new Ledger(), concurrency: 64, timeCapMs: 60_000 };
  if (name === "floor") return floor({ ...ctx, eventId: "none", seatIds: [] }, 3000);
  const api = client(server.base);
  const event = await createBenchEvent(api, await adminToken(api, ADMIN));
  if (name === "spread") return spread({ ...ctx, ...event }, 2500);
  if (name === "hot") return hot({ ...ctx, ...event }, 2500, event.seatIds.slice(0, 50));
  throw new Error(`unknown scenario ${name}`);
}

export async function main() {
  const file = process.argv[3];
  if (!file) {
    log("usage: npm run bench -- share <patches.json>  (a JSON list of [file, old text, new text])");
    return 2;
  }
  /** @type {[string, string, string][]} */
  const patches = JSON.parse(readFileSync(file, "utf8"));
  const rounds = Number(process.env.SHARE_ROUNDS) || 3;
  const scenarios = (process.env.SHARE_SCENARIOS ?? "spread").split(",");
  /** @type {import("./server.mjs").Server[]} */
  const servers = [];
  try {
    servers.push(await startServer({ port: 8801, adminEmail: ADMIN }));
    servers.push(await withPatches(patches, () => startServer({ port: 8802, adminEmail: ADMIN })));
    const { issuer, audience } = jwtClaimsConfig();
    // 500 fans taking turns: none meets the hold attempt budget (60 per 10 s).
    const tokens = Array.from({ length: 500 }, (_, n) =>
      mintAccessToken(
        { sub: `share-fan-${n}`, email: `share-fan-${n}@bench.test` },
        { secret: DEV_SECRET, issuer, audience },
      ),
    );
    /** @type {Record<string, { a: number[], b: number[] }>} */
    const rps = Object.fromEntries(scenarios.map((s) => [s, { a: [], b: [] }]));
    for (let round = 0; round < rounds; round++) {
      const order = round % 2 ? /** @type {const} */ (["b", "a"]) : /** @type {const} */ (["a", "b"]);
      for (const side of order) {
        for (const name of scenarios) {
          const stats = await runScenario(name, servers[side === "a" ? 0 : 1], tokens);
          rps[name][side].push(stats.summary().rps);
          log(`share: round ${round + 1} ${side.toUpperCase()} ${name} ${stats.summary().rps} rps`);
        }
      }
    }
    /** @type {Record<string, unknown>} */
    const line = { check: "share", patches, rounds };
    for (const [name, { a, b }] of Object.entries(rps))
      line[`${name}_rps`] = { a, b, b_over_a: Math.round((median(b) / median(a)) * 1000) / 1000 };
    process.stdout.write(`${JSON.stringify(line)}\n`);
    return 0;
  } finally {
    for (const s of servers) await s.stop();
  }
}
