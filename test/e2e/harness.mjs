// Shared pieces of the browser tests: one throw-away server (a snapshot of the tree on a fresh
// local D1, demo data seeded through the API) and Chromium driven by playwright-core.
import { mkdirSync, mkdtempSync, rmSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { after, before } from "node:test";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { startServer } from "../../scripts/bench/server.mjs";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, seedDemo } from "../../scripts/seed-demo.mjs";

export const ROOT = fileURLToPath(new URL("../../", import.meta.url));
export const SHOTS = join(ROOT, "screenshots");
export const PORT = Number(process.env.E2E_PORT ?? 8799);
export { DEMO_ACCOUNTS, DEMO_PASSWORD };

/** Every wait in these tests is bounded by this unless a step says otherwise. */
export const STEP_MS = 15_000;

/**
 * Starts the server and the browser; `close()` stops both (the server's whole process group),
 * and is safe to call twice.
 */
export async function setup() {
  mkdirSync(SHOTS, { recursive: true });
  const server = await startServer({ port: PORT, adminEmail: DEMO_ACCOUNTS.admin });
  const profile = mkdtempSync(join(tmpdir(), "edge-tickets-chromium-"));
  let browser;
  try {
    await seedDemo(server.base, DEMO_ACCOUNTS.admin);
    // playwright-core refuses --user-data-dir for launch(); it gives every launch a fresh temp
    // profile of its own, and TMPDIR points it at our throw-away dir.
    process.env.TMPDIR = profile;
    browser = await chromium.launch({
      executablePath: process.env.CHROMIUM_PATH ?? "/usr/bin/chromium",
      timeout: 30_000,
      args: [
        "--headless",
        "--no-sandbox",
        "--disable-gpu",
        "--disable-background-networking",
        "--disable-component-update",
        "--disable-sync",
        "--no-first-run",
      ],
    });
  } catch (err) {
    await server.stop();
    rmSync(profile, { recursive: true, force: true });
    throw err;
  }
  let closed = false;
  return {
    base: server.base,
    browser,
    logTail: server.logTail,
    async close() {
      if (closed) return;
      closed = true;
      await browser.close().catch(() => {});
      await server.stop();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}

/**
 * One server and browser for a whole test file: started before its first test, stopped after the
 * last. The returned object is filled in by `before`, so tests read `env.base` and `env.browser`.
 */
export function serverForFile() {
  const env = {};
  before(
    async () => {
      Object.assign(env, await setup());
    },
    { timeout: 120_000 },
  );
  after(async () => {
    await env.close?.();
  });
  return env;
}

/** A fresh browser context (its own storage), phone- or desktop-sized. */
export async function newPage(browser, base, { phone = false } = {}) {
  const context = await browser.newContext({
    baseURL: base,
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 860 },
    deviceScaleFactor: 1,
  });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
  return page;
}

export async function shot(page, name) {
  await page.screenshot({ path: join(SHOTS, `${name}.png`), fullPage: false });
}

export async function signIn(page, email) {
  await page.goto(`/login?next=${encodeURIComponent("/")}`);
  await page.fill("[data-testid=login-form] input[name=email]", email);
  await page.fill("[data-testid=login-form] input[name=password]", DEMO_PASSWORD);
  await Promise.all([
    page.waitForURL((u) => !u.pathname.startsWith("/login")),
    page.click("[data-testid=login-form] button[type=submit]"),
  ]);
}

/** The id of a seeded event, found through the public API. */
export async function eventIdByName(base, name) {
  const res = await fetch(`${base}/v1/events?q=${encodeURIComponent(name)}`);
  const body = await res.json();
  const hit = body.items.find((e) => e.name === name);
  if (!hit) throw new Error(`no event named ${name}`);
  return hit.id;
}
