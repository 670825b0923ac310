// Starts a throw-away `wrangler dev` for the benchmark: fresh persistence dir, migrations applied,
// bootstrap admin email set. The server runs in its own process group so stopping it kills
// workerd too. Progress goes to stderr; wrangler's own output goes to a log file in the temp dir.
//
// It serves a SNAPSHOT of the working tree copied into the temp dir at start (node_modules
// symlinked): `wrangler dev` watches its sources and restarts the Worker on every change, and a
// restart mid-run answers in-flight holds with 503 "Your worker restarted mid-request" (seen here
// while files were being edited), which would be reported as errors and lost seats.
import { spawn, spawnSync } from "node:child_process";
import { createHash } from "node:crypto";
import {
  closeSync,
  cpSync,
  existsSync,
  mkdtempSync,
  openSync,
  readdirSync,
  readFileSync,
  renameSync,
  rmSync,
  symlinkSync,
} from "node:fs";
import { tmpdir } from "node:os";
import { join, relative, sep } from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = fileURLToPath(new URL("../../", import.meta.url));
const NOT_COPIED = ["node_modules", ".git", ".wrangler"];
/** wrangler's CLI, run with this Node (the project's Node 24 under `npm run`; wrangler needs 22+). */
const WRANGLER = join(ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/** @param {string} msg */
export const log = (msg) => process.stderr.write(`[bench] ${msg}\n`);

/**
 * @param {string} base
 * @returns {Promise<boolean>} whether GET /v1/health answers 200 right now
 */
export async function healthy(base) {
  try {
    const res = await fetch(`${base}/v1/health`, { signal: AbortSignal.timeout(2000) });
    await res.arrayBuffer();
    return res.status === 200;
  } catch {
    return false;
  }
}

/**
 * @param {string} base
 * @param {number} timeoutMs
 * @param {() => boolean} [dead] stops waiting early when the server process has exited
 */
export async function waitForHealth(base, timeoutMs, dead = () => false) {
  const until = Date.now() + timeoutMs;
  while (Date.now() < until) {
    if (await healthy(base)) return;
    if (dead()) throw new Error("wrangler dev exited (or failed to build the Worker) before answering /v1/health");
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`${base}/v1/health did not answer 200 within ${timeoutMs / 1000} s`);
}

/**
 * @typedef {{ base: string, stop: () => Promise<void>, logTail: (lines?: number) => string, d1: D1Target }} Server
 */

/**
 * Where `wrangler d1 execute --local` finds the server's D1: the tree whose wrangler.toml names the
 * DB binding, and the persistence dir the server runs with.
 * @typedef {{ cwd: string, persist: string }} D1Target
 */

/**
 * Runs SQL against the local D1 of `target` with `wrangler d1 execute DB --local --json` (the same
 * Node and wrangler as the server). Returns one `results` array per statement. Each call costs
 * about 2 s of wrangler start-up, so batch statements.
 * @param {D1Target} target @param {string} sql
 * @returns {Promise<Record<string, unknown>[][]>}
 */
export async function d1Execute(target, sql) {
  // The running server writes the same local SQLite file (the audit consumer appends while
  // scenarios run), so a side-channel write can meet "database is locked": retry a few times.
  for (let attempt = 1; ; attempt++) {
    try {
      return await d1ExecuteOnce(target, sql);
    } catch (err) {
      if (attempt >= 5 || !/SQLITE_BUSY|database is locked/.test(String(err))) throw err;
      await new Promise((r) => setTimeout(r, 500 * attempt));
    }
  }
}

/** @param {D1Target} target @param {string} sql */
async function d1ExecuteOnce(target, sql) {
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const child = spawn(
    process.execPath,
    [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", target.persist, "--json", "--command", sql],
    { cwd: target.cwd, env, stdio: ["ignore", "pipe", "pipe"] },
  );
  let out = "";
  let err = "";
  child.stdout.setEncoding("utf8").on("data", (d) => (out += d));
  child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
  const code = await new Promise((resolve) => child.once("close", resolve));
  // stdout is a JSON array of { results, success, meta }, one per statement; skip anything before it.
  const start = out.indexOf("[");
  /** @type {any} */
  let parsed;
  try {
    parsed = start >= 0 ? JSON.parse(out.slice(start)) : undefined;
  } catch {}
  if (code !== 0 || !Array.isArray(parsed) || parsed.some((r) => !r?.success)) {
    throw new Error(
      `wrangler d1 execute failed (exit ${code}): ${sql.slice(0, 200)}\n${out.slice(0, 1500)}\n${err.slice(-1500)}`,
    );
  }
  return parsed.map((r) => r.results ?? []);
}

/**
 * Fills `persist` with a local D1 that has every migration applied. Applying them takes about 12 s
 * of wrangler start-ups, and every browser test file starts its own server, so the migrated state
 * is made once per set of migrations (keyed by their content) and copied after that.
 * @param {string} app @param {string} persist @param {NodeJS.ProcessEnv} env
 */
function migratedState(app, persist, env) {
  const dir = join(app, "migrations");
  const hash = createHash("sha256");
  for (const name of readdirSync(dir)
    .filter((n) => n.endsWith(".sql"))
    .sort())
    hash.update(name).update(readFileSync(join(dir, name)));
  hash.update(readFileSync(join(app, "wrangler.toml")));
  const cached = join(tmpdir(), `edge-tickets-migrated-${hash.digest("hex").slice(0, 16)}`);
  if (!existsSync(cached)) {
    log(`applying migrations once for this set (cached in ${cached})`);
    const fresh = mkdtempSync(`${cached}.tmp-`);
    const migrate = spawnSync(
      process.execPath,
      [WRANGLER, "d1", "migrations", "apply", "DB", "--local", "--persist-to", fresh],
      { cwd: app, env, encoding: "utf8" },
    );
    if (migrate.status !== 0) {
      rmSync(fresh, { recursive: true, force: true });
      throw new Error(`migrations failed (exit ${migrate.status}):\n${migrate.stdout}\n${migrate.stderr}`);
    }
    // A rename is atomic: a concurrent start either sees the whole cache or makes its own.
    try {
      renameSync(fresh, cached);
    } catch {
      rmSync(fresh, { recursive: true, force: true });
    }
  }
  cpSync(cached, persist, { recursive: true });
}

/** The repository root, for `d1Execute` against a BASE_URL server's BENCH_PERSIST_TO. */
export const REPO_ROOT = ROOT;

/**
 * Applies migrations to a fresh temp dir and starts `wrangler dev` on 127.0.0.1:port, with `vars`
 * set on top of wrangler.toml's.
 * @param {{ port: number, adminEmail: string, vars?: Record<string, string> }} opts
 * @returns {Promise<Server>}
 */
export async function startServer({ port, adminEmail, vars = {} }) {
  const base = `http://127.0.0.1:${port}`;
  if (Number(process.versions.node.split(".")[0]) < 22)
    throw new Error(
      `wrangler needs Node 22+, this is ${process.version}; run \`npm run bench\` (it uses the project's Node)`,
    );
  if (await healthy(base)) throw new Error(`something already answers on ${base}; stop it or set BASE_URL to use it`);
  const dir = mkdtempSync(join(tmpdir(), "edge-tickets-bench-"));
  const app = join(dir, "app");
  const persist = join(dir, "state");
  const logFile = join(dir, "wrangler.log");
  const env = { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" };
  const removeDir = () => rmSync(dir, { recursive: true, force: true });

  try {
    cpSync(ROOT, app, {
      recursive: true,
      filter: (src) => {
        const rel = relative(ROOT, src);
        return !NOT_COPIED.some((n) => rel === n || rel.startsWith(n + sep));
      },
    });
    symlinkSync(join(ROOT, "node_modules"), join(app, "node_modules"), "dir");
  } catch (err) {
    removeDir();
    throw err;
  }
  log(`serving a snapshot of the working tree from ${app}`);

  try {
    migratedState(app, persist, env);
  } catch (err) {
    removeDir();
    throw err;
  }

  log(`starting wrangler dev on ${base}`);
  const shown = process.env.BENCH_WRANGLER_LOG_LEVEL ?? "warn";
  // The Worker writes only what wrangler shows: in `wrangler dev` every console line crosses the
  // DevTools protocol to wrangler (about a millisecond of the one worker thread), so lines it would
  // drop anyway would be measured as if they were the product's work.
  const workerLevel = { debug: "debug", info: "info", log: "info", warn: "warn", error: "error", none: "error" }[shown];
  const { stop, logTail } = await runWrangler({
    base,
    cwd: app,
    env,
    logFile,
    removeDir,
    args: [
      "--port",
      String(port),
      "--persist-to",
      persist,
      "--var",
      `BOOTSTRAP_ADMIN_EMAIL:${adminEmail}`,
      "--var",
      `LOG_LEVEL:${workerLevel ?? "info"}`,
      ...Object.entries(vars).flatMap(([k, v]) => ["--var", `${k}:${v}`]),
      "--log-level",
      shown,
      // BENCH_INSPECTOR_PORT: DevTools on the Worker, for a CPU profile of a scenario (tmp tools).
      ...(process.env.BENCH_INSPECTOR_PORT ? ["--inspector-port", process.env.BENCH_INSPECTOR_PORT] : []),
    ],
  });
  return { base, stop, logTail, d1: { cwd: app, persist } };
}

/**
 * wrangler dev's local observability (on by default) streams every invocation's tail events to a
 * collector Worker in the same workerd process, on the same thread as the Worker measured: about
 * 12% of that thread in a purchase run (a perf profile of workerd). Production ships tail events
 * out of the isolate, so the bench turns it off for product and baseline alike.
 * BENCH_LOCAL_OBSERVABILITY=true turns it back on.
 */
const DEV_TOOLING_OFF = { X_LOCAL_OBSERVABILITY: process.env.BENCH_LOCAL_OBSERVABILITY === "true" ? "true" : "false" };

/**
 * Runs `wrangler dev` in `cwd` with `args` in its own process group, logging to `logFile`, and
 * waits until `base` answers /v1/health. `stop()` ends the whole group and calls `removeDir`.
 * @param {{ base: string, cwd: string, args: string[], env: NodeJS.ProcessEnv, logFile: string,
 *   removeDir: () => void }} o
 * @returns {Promise<{ stop: () => Promise<void>, logTail: (lines?: number) => string }>}
 */
export async function runWrangler({ base, cwd, args, env, logFile, removeDir }) {
  const fd = openSync(logFile, "a");
  const child = spawn(
    process.execPath,
    [WRANGLER, "dev", "--ip", "127.0.0.1", ...args, "--show-interactive-dev-session=false"],
    { cwd, env: { ...env, ...DEV_TOOLING_OFF }, detached: true, stdio: ["ignore", fd, fd] },
  );
  closeSync(fd);
  let exited = false;
  const exitedP = new Promise((resolve) =>
    child.once("exit", () => {
      exited = true;
      resolve(undefined);
    }),
  );

  const logTail = (lines = 30) => {
    try {
      return readFileSync(logFile, "utf8").split("\n").slice(-lines).join("\n");
    } catch {
      return "";
    }
  };

  let stopped = false;
  const stop = async () => {
    if (stopped) return;
    stopped = true;
    const pgid = child.pid;
    if (!exited && pgid !== undefined) {
      try {
        process.kill(-pgid, "SIGTERM");
      } catch {}
      const timer = setTimeout(() => {
        try {
          process.kill(-pgid, "SIGKILL");
        } catch {}
      }, 3000);
      await exitedP;
      clearTimeout(timer);
    }
    // The group may outlive its leader (workerd); make sure nothing of it is left.
    if (pgid !== undefined) {
      try {
        process.kill(-pgid, "SIGKILL");
      } catch {}
    }
    removeDir();
  };
  // Last resort if the bench process exits without awaiting stop() (synchronous only).
  process.once("exit", () => {
    if (!stopped && child.pid !== undefined) {
      try {
        process.kill(-child.pid, "SIGKILL");
      } catch {}
    }
    if (!stopped) removeDir();
  });

  try {
    // A build error (e.g. the tree was copied mid-edit) leaves wrangler waiting for a fix: give up
    // at once instead of after the full minute.
    await waitForHealth(base, 60_000, () => exited || /Build failed/i.test(logTail(200)));
  } catch (err) {
    const tail = logTail();
    await stop();
    throw new Error(`${/** @type {Error} */ (err).message}\n--- wrangler log ---\n${tail}`);
  }
  return { stop, logTail };
}
