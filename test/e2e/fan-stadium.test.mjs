// Browser test of the stadium-scale map, on a desktop and a 390-px phone: the 20,480-seat event
// opens on an overview of sections (no seat nodes), a section opens with finger-sized seats, two
// are picked (one from the keyboard), held, paid and shown as tickets. Another fan's hold reaches
// the open section as a change to the seat's existing node, and a standing-only event shows no
// seat legend. Run: npm run build:ui && node --test test/e2e/fan-stadium.test.mjs
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, ROOT, STEP_MS, eventIdByName, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();
const DOCS = join(ROOT, "docs", "screenshots");

async function api(method, path, body, token) {
  const res = await fetch(env.base + path, {
    method,
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": "127.0.0.1",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

async function newFan() {
  const email = `fan-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@stadium.test`;
  await api("POST", "/v1/auth/signup", { email, password: DEMO_PASSWORD, name: "Sol Stadium" });
  return email;
}

/** A context sized like the device: the phone one is touch-first, as a real phone is. */
async function open(phone) {
  const context = await env.browser.newContext({
    baseURL: env.base,
    viewport: phone ? { width: 390, height: 844 } : { width: 1280, height: 800 },
    deviceScaleFactor: 1,
    ...(phone ? { isMobile: true, hasTouch: true } : {}),
  });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  page.on("pageerror", (err) => console.error(`[page error] ${err.message}`));
  return page;
}

/** `n` seats of a section in one row, next to each other and all available, and one more for the rival. */
async function freeRun(id, section, n, skipRows) {
  const [layout, map] = await Promise.all([
    api("GET", `/v1/events/${id}/layout`),
    api("GET", `/v1/events/${id}/seats`),
  ]);
  const rows = layout.sections.find((s) => s.id === section).rows.slice(skipRows);
  for (const r of rows)
    for (let k = 0; k + n <= r.seats.length; k++) {
      const run = r.seats.slice(k, k + n);
      if (run.every((s) => map.seats[s.id] === "a")) return run.map((s) => s.id);
    }
  throw new Error(`no ${n} free seats in a row of ${section}`);
}

/** Available seats of a section as the API counts them. */
async function availableIn(id, section) {
  const map = await api("GET", `/v1/events/${id}/seats`);
  return Object.entries(map.seats).filter(([sid, code]) => sid.startsWith(`${section}-`) && code === "a").length;
}

/** Picks a seat by mouse: the map is drawn before the live seat states arrive, so click until it shows selected. */
async function clickSeat(page, sid) {
  const el = page.locator(`[data-seat="${sid}"]`);
  for (let i = 0; i < 40 && (await el.getAttribute("data-state")) !== "selected"; i++) {
    await el.click();
    await page.waitForTimeout(150);
  }
  assert.equal(await el.getAttribute("data-state"), "selected");
}

async function pass(phone, id, rivalToken) {
  const tag = phone ? "phone" : "desktop";
  const section = phone ? "S1" : "N1";
  const [first, second, rivals] = await freeRun(id, section, 3, phone ? 6 : 3);
  const page = await open(phone);
  try {
    await signIn(page, phone ? await newFan() : DEMO_ACCOUNTS.fan);

    // Time to first interactive: from navigation until a section button takes a click.
    const t0 = Date.now();
    await page.goto(`/events/${id}`);
    await page.locator("[data-section]").first().click({ trial: true });
    const ms = Date.now() - t0;
    // When the layout's answer arrived (since navigation): the rest is the page's own work. It is
    // preloaded with the bundle, and the page reads that one answer rather than asking again.
    const layoutReads = await page.evaluate(() =>
      performance
        .getEntriesByType("resource")
        .filter((r) => r.name.endsWith("/layout"))
        .map((r) => r.responseEnd),
    );
    assert.equal(layoutReads.length, 1, "the layout is fetched once");
    const layoutAt = layoutReads[0];
    console.log(`# stadium first interactive (${tag}): ${ms} ms (layout answered at ${Math.round(layoutAt)} ms)`);

    const overview = page.locator("svg.overview");
    const nodes = await overview.evaluate((el) => el.querySelectorAll("*").length);
    console.log(`# overview (${tag}): ${await page.locator("[data-section]").count()} sections, ${nodes} nodes`);
    assert.ok(nodes < 200, `overview has ${nodes} nodes`);
    assert.equal(await page.locator("[data-seat]").count(), 0);
    // Counts arrive with the live seat states: each section then says how many of its seats are left.
    const button = page.locator(`[data-section="${section}"]`);
    await page.waitForFunction(
      (s) => / of 2,?560 available/.test(document.querySelector(`[data-section="${s}"]`)?.getAttribute("aria-label")),
      section,
    );
    // Spoken: the words drawn on the section, then the count the API gives.
    const free = (await availableIn(id, section)).toLocaleString("en-US");
    const spoken = new RegExp(`^Section ${section} [\\d,]+ left \\$189\\.00, ${free} of 2,560 available`);
    assert.match((await button.getAttribute("aria-label")) ?? "", spoken);
    if (!phone) await page.screenshot({ path: join(DOCS, "stadium-overview.png") });
    await shot(page, `st1-overview-${tag}`);

    // The keyboard walks the sections and opens one.
    const sections = await page.locator("[data-section]").evaluateAll((els) => els.map((e) => e.dataset.section));
    const at = sections.indexOf(section);
    await page.locator(`[data-section="${sections[at + 1]}"]`).focus();
    await page.keyboard.press("ArrowLeft");
    assert.equal(await page.evaluate(() => document.activeElement?.getAttribute("data-section")), section);
    await page.keyboard.press("Enter");
    await page.locator("[data-testid=stadium-map][data-view=section]").waitFor();
    const seats = page.locator("[data-seat]");
    assert.equal(await seats.count(), 2560);
    assert.equal(await page.locator(`[data-seat]:not([data-seat^="${section}-"])`).count(), 0);
    const widths = await seats.evaluateAll((els) => els.map((e) => e.getBoundingClientRect().width));
    console.log(`# section seats (${tag}): ${Math.min(...widths).toFixed(1)} px wide at the least`);
    assert.ok(Math.min(...widths) >= 24, `a seat is ${Math.min(...widths)} px wide`);

    // Two seats: one by mouse (or finger), the one beside it from the keyboard.
    await clickSeat(page, first);
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Enter");
    await page.locator(`[data-seat="${second}"][data-state="selected"]`).waitFor();

    // Another fan holds a seat in this section: the same node changes state, nothing is redrawn.
    const rival = page.locator(`[data-seat="${rivals}"]`);
    await rival.scrollIntoViewIfNeeded();
    await rival.evaluate((el) => el.setAttribute("data-e2e-mark", "before"));
    const before = await seats.count();
    await page.evaluate(() => {
      const gaps = [];
      let last = performance.now();
      window.__frames = { gaps, on: true };
      const tick = (t) => {
        gaps.push(t - last);
        last = t;
        if (window.__frames.on) requestAnimationFrame(tick);
      };
      requestAnimationFrame(tick);
    });
    const rivalHold = await api("POST", `/v1/events/${id}/holds`, { seats: [rivals] }, rivalToken);
    await page.locator(`[data-seat="${rivals}"][data-state="h"][data-e2e-mark="before"]`).waitFor();
    await page.waitForTimeout(300);
    const maxGap = await page.evaluate(() => {
      window.__frames.on = false;
      return Math.max(...window.__frames.gaps);
    });
    console.log(`# live delta (${tag}): longest frame gap ${maxGap.toFixed(1)} ms`);
    assert.equal(await seats.count(), before);

    // The overview counts the rival's seat as gone; the fan's picks survive a trip through it.
    await page.click("[data-testid=all-sections]");
    const left = await availableIn(id, section);
    await page.waitForFunction(
      ([s, n]) => document.querySelector(`[data-section="${s}"]`)?.getAttribute("aria-label")?.includes(`${n} of`),
      [section, left.toLocaleString("en-US")],
    );
    await button.click();
    await page.locator(`[data-seat="${first}"][data-state="selected"]`).waitFor();
    await page.locator(`[data-seat="${second}"][data-state="selected"]`).waitFor();
    if (!phone) await page.screenshot({ path: join(DOCS, "stadium-section.png") });
    await shot(page, `st2-section-${tag}`);

    // Hold, check out, pay with the simulated card, see the tickets.
    await page.click("[data-testid=hold-button]");
    await page.locator("[data-testid=hold-countdown]").waitFor();
    await Promise.all([page.waitForURL(/\/orders\/[^/]+$/), page.click("[data-testid=checkout-button]")]);
    await page.locator("[data-testid=pay-form] input[name=card]").fill("4242 4242 4242 4242");
    await page.locator("[data-testid=pay-form] button[value=pay]").click();
    await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
    await page.locator("[data-testid=ticket-qr] img").nth(1).waitFor();
    assert.equal(await page.locator("[data-testid=ticket-qr] img").count(), 2);
    await page.locator("[data-testid=tickets]").scrollIntoViewIfNeeded();
    if (phone) await page.screenshot({ path: join(DOCS, "phone-purchase.png") });
    await shot(page, `st3-tickets-${tag}`);
    await api("DELETE", `/v1/holds/${encodeURIComponent(rivalHold.holdId)}`, undefined, rivalToken);
  } finally {
    await page.context().close();
  }
}

test("stadium: overview to section to tickets, on a desktop and a phone, with live changes in place", {
  timeout: 90_000,
}, async () => {
  const id = await eventIdByName(env.base, "Aurora World Tour");
  const { accessToken } = await api("POST", "/v1/auth/login", { email: DEMO_ACCOUNTS.member, password: DEMO_PASSWORD });
  // Different sections and seats, so the two passes can run side by side.
  await Promise.all([pass(false, id, accessToken), pass(true, id, accessToken)]);
});

test("a standing-only event shows its areas and quantities, with no seat legend or seat hint", {
  timeout: 30_000,
}, async () => {
  const id = await eventIdByName(env.base, "Techno Nacht");
  const page = await open(true);
  try {
    await page.goto(`/events/${id}`);
    await page.locator("[data-area-qty]").first().waitFor();
    assert.equal(await page.locator(".legend").count(), 0);
    assert.equal(await page.locator("[data-seat]").count(), 0);
    assert.equal(await page.getByText(/pick seats|tap seats/i).count(), 0);
    assert.equal(await page.locator("[data-area]").count(), 2);
    await shot(page, "st4-standing-phone");
  } finally {
    await page.context().close();
  }
});
