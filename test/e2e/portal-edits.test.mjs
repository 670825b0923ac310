// Browser test of the portal's edits (desktop): an event made and published in the portal has its
// tier price changed on its edit page before any sale, and a fan (another browser context) holds and
// pays at the new price; once sold, the tier and layout controls are disabled with the lock's reason.
// The details form shows the API's field errors beside their fields. The new-event form lists the
// API's reasons as links to their fields and publishes one event, no stray draft. A venue is renamed
// and its region reads as a name. One throw-away server for the file (test/e2e/harness.mjs).
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { DEMO_ACCOUNTS, ROOT, STEP_MS, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

/** Serious or critical axe violations inside the page's main content (the shell has its own test). */
async function axeProblems(page) {
  const result = await new AxeBuilder({ page }).include("main").withTags(["wcag2a", "wcag2aa"]).analyze();
  return result.violations
    .filter((v) => v.impact === "serious" || v.impact === "critical")
    .map((v) => `${v.id}: ${v.nodes.map((n) => n.target.join(" ")).join(", ")}`);
}

const tokenOf = (page) => page.evaluate(() => JSON.parse(localStorage.getItem("edge-tickets.session")).accessToken);
async function adminGet(page, path) {
  const res = await fetch(`${env.base}${path}`, { headers: { Authorization: `Bearer ${await tokenOf(page)}` } });
  const body = await res.text();
  assert.equal(res.status, 200, body);
  return JSON.parse(body);
}

/** Opens the new-event form on the named venue, once its first tier lists that venue's places. */
async function newEventAt(org, venueName, place) {
  await org.goto("/admin/events/new");
  const venue = org.getByTestId("venue-select");
  await venue.locator("option").first().waitFor({ state: "attached" });
  const id = await venue.locator("option", { hasText: venueName }).getAttribute("value");
  const tier1 = org.getByTestId("tier-row").first();
  await tier1.waitFor();
  if ((await venue.inputValue()) !== id) await venue.selectOption(id);
  await tier1.locator(`[value="${place}"]`).waitFor();
  await org.waitForLoadState("networkidle");
  return tier1;
}

/** Picks a seat: the map is drawn before the live seat states arrive, so click until it shows selected. */
async function pickSeat(page, seat) {
  const el = page.locator(`[data-seat="${seat}"]`);
  await page.locator(`[data-seat="${seat}"][data-state="a"]`).waitFor({ timeout: 30_000 });
  for (let i = 0; i < 40 && (await el.getAttribute("data-state")) !== "selected"; i++) {
    await el.click();
    await page.waitForTimeout(150);
  }
  assert.equal(await el.getAttribute("data-state"), "selected");
}

test("a tier price edited before the first sale is the price a fan holds and pays; after the sale tiers lock", {
  timeout: 120_000,
}, async () => {
  const name = `Edit test night ${Date.now()}`;
  const org = await newPage(env.browser, env.base);
  const fan = await newPage(env.browser, env.base);
  const t0 = Date.now();
  const step = (what) => console.log(`# ${what} at ${Date.now() - t0} ms`);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    await newEventAt(org, "Lyric Theatre", "sections:CIRCLE");
    await org.fill("[name=name]", name);
    // The form's first tier covers every section at £45.00; publish and open sales.
    await Promise.all([org.waitForURL(/\/admin\/events\/[^/]+$/), org.getByTestId("create-event").click()]);
    await org.locator("[data-testid=event-status]", { hasText: /on sale/i }).waitFor();
    const eventId = decodeURIComponent(new URL(org.url()).pathname.split("/").pop());
    step("published");

    await Promise.all([org.waitForURL(/\/edit$/), org.getByTestId("edit-event").click()]);
    const tier = org.getByTestId("edit-tier").first();
    assert.equal(await tier.locator("[name=tierPrice]").inputValue(), "45.00");
    assert.equal(await org.getByTestId("tiers-lock").count(), 0, "no lock before a sale");
    await shot(org, "e0-portal-edit-before-sale");
    // A tier that covers nothing is refused, with the API's reason at that tier.
    await org.getByTestId("edit-add-tier").click();
    const empty = org.getByTestId("edit-tier").nth(1);
    await empty.locator("[name=tierName]").fill("Nowhere");
    await empty.locator("[name=tierPrice]").fill("10");
    await org.getByTestId("save-tiers").click();
    await empty
      .getByTestId("field-error")
      .filter({ hasText: 'tier "Nowhere" (nowhere) covers no seat or area' })
      .waitFor();
    await empty.getByRole("button", { name: "Remove" }).click();
    await tier.locator("[name=tierPrice]").fill("39.50");
    const put = org.waitForResponse((r) => r.url().endsWith(`/v1/admin/events/${eventId}/tiers`));
    await org.getByTestId("save-tiers").click();
    assert.equal((await put).status(), 200);
    const tiers = await adminGet(org, `/v1/admin/events/${eventId}/tiers`);
    assert.deepEqual(
      tiers.items.map((t) => [t.key, t.amount]),
      [["standard", 3950]],
    );

    // The details form: the API's field error stands beside its field; a good edit is saved.
    await org.fill("[name=endsAt]", "2020-01-01T10:00");
    await org.getByTestId("save-details").click();
    const endsField = org.locator(".field", { has: org.locator("[name=endsAt]") });
    await endsField.getByTestId("field-error").filter({ hasText: "endsAt must be after startsAt" }).waitFor();
    assert.equal(await org.locator("[name=endsAt]").getAttribute("aria-invalid"), "true");
    await org.reload();
    await org.getByTestId("details-form").waitFor();
    await org.fill("[name=holdSeconds]", "420");
    await org.fill("[name=maxSeatsPerOrder]", "4");
    await org.fill("[name=refundDeadlineHours]", "");
    const patch = org.waitForRequest((r) => r.method() === "PATCH" && r.url().endsWith(`/v1/admin/events/${eventId}`));
    await org.getByTestId("save-details").click();
    // Only what changed is sent: an untouched start time must not notify anyone.
    assert.deepEqual((await patch).postDataJSON(), {
      holdSeconds: 420,
      maxSeatsPerOrder: 4,
      refundDeadlineHours: null,
    });
    await org.locator(".toast", { hasText: "Details saved" }).waitFor();
    const saved = await adminGet(org, `/v1/admin/events/${eventId}`);
    assert.deepEqual([saved.holdSeconds, saved.maxSeatsPerOrder, saved.refundDeadlineHours], [420, 4, null]);
    step("edited");

    await signIn(fan, DEMO_ACCOUNTS.fan);
    await fan.goto(`/events/${eventId}`);
    await pickSeat(fan, "STALLS-A-1");
    await fan.click("[data-testid=hold-button]");
    const hold = fan.getByTestId("hold-panel");
    await hold.getByTestId("hold-countdown").waitFor();
    assert.match(await hold.textContent(), /£39\.50/, "the hold is at the edited price");
    await Promise.all([fan.waitForURL(/\/orders\/[^/]+$/), fan.click("[data-testid=checkout-button]")]);
    await fan.locator("[data-testid=pay-form] input[name=card]").fill("4242 4242 4242 4242");
    await fan.locator("[data-testid=pay-form] button[value=pay]").click();
    await fan.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
    assert.match(await fan.locator("main").textContent(), /£39\.50/);
    step("paid");

    // D1 learns of the first sale a moment after the payment: reload until the page shows the lock.
    const lock = org.getByTestId("tiers-lock");
    for (let i = 0; i < STEP_MS / 500 && !(await lock.count()); i++) {
      await org.waitForTimeout(500);
      await org.reload();
      await org.getByTestId("tiers-form").waitFor();
    }
    assert.equal((await lock.textContent()).trim(), "Prices cannot change once tickets have been sold");
    assert.equal(
      (await org.getByTestId("layout-lock").textContent()).trim(),
      "The layout cannot change once tickets have been sold",
    );
    assert.ok(await org.locator("[data-testid=edit-tier] [name=tierPrice]").first().isDisabled());
    assert.ok(await org.getByTestId("save-tiers").isDisabled());
    assert.ok(await org.getByTestId("edit-layout-select").isDisabled());
    // The details stay editable after a sale.
    assert.ok(await org.getByTestId("save-details").isEnabled());
    assert.deepEqual(await axeProblems(org), [], "the locked edit page passes axe");
    await org.evaluate(() => document.getElementById("toasts")?.replaceChildren());
    await org.getByTestId("tiers-form").scrollIntoViewIfNeeded();
    await org.screenshot({ path: join(ROOT, "docs/screenshots/portal-edit.png") });
    await shot(org, "e1-portal-edit-locked");
  } finally {
    await org.context().close();
    await fan.context().close();
  }
});

test("the new-event form lists the API's reasons as links to their fields and publishes one event", {
  timeout: 60_000,
}, async () => {
  const name = `Edits form gig ${Date.now()}`;
  const org = await newPage(env.browser, env.base);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    const creates = [];
    org.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/v1/admin/events") creates.push(r);
    });
    const tier1 = await newEventAt(org, "Kellerclub", "areas:BALCONY");
    await org.fill("[name=name]", name);
    // Tier 1 leaves the balcony unpriced; tier 2 covers nothing.
    await tier1.locator('[value="areas:BALCONY"]').uncheck();
    await org.getByTestId("add-tier").click();
    const tier2 = org.getByTestId("tier-row").nth(1);
    await org.getByTestId("create-event").click();
    await tier2.locator(".field-problem", { hasText: 'tier "Tier 2" (tier-2) covers no seat or area' }).waitFor();
    await tier2.getByRole("button", { name: "Remove" }).click();

    await org.getByTestId("create-event").click();
    const link = org.getByTestId("form-problems").getByRole("link", { name: "1 area(s) have no price: BALCONY" });
    await link.waitFor();
    await link.click();
    assert.equal(await org.evaluate(() => document.activeElement?.getAttribute("value")), "areas:BALCONY");
    await org.keyboard.press("Space");
    await Promise.all([org.waitForURL(/\/admin\/events\/[^/]+$/), org.getByTestId("create-event").click()]);
    await org.locator("[data-testid=event-status]", { hasText: /on sale/i }).waitFor();
    assert.equal(creates.length, 1, "one create for the one intended event");

    const same = (await adminGet(org, "/v1/admin/events")).items.filter((e) => e.name === name);
    assert.equal(same.length, 1, "exactly one event with that name");
    assert.equal(same[0].status, "on_sale");
  } finally {
    await org.context().close();
  }
});

test("a venue is edited from the venues page: its region reads as a name, a bad zone is refused at its field", {
  timeout: 60_000,
}, async () => {
  const org = await newPage(env.browser, env.base);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    await org.goto("/admin/venues");
    const venue = org.getByTestId("venue").filter({ has: org.getByTestId("venue-name").getByText("Kellerclub") });
    await venue.waitFor();
    assert.match(await venue.getByTestId("venue-line").textContent(), /Western Europe$/);
    await venue.getByText("Edit venue").click();
    const form = venue.getByTestId("venue-edit-form");
    const region = form.locator("[name=region]");
    assert.equal(await region.inputValue(), "weur");
    assert.equal(await region.locator("option:checked").textContent(), "Western Europe");
    assert.ok(!(await region.locator("option").allTextContents()).includes("weur"), "no raw region codes");

    assert.deepEqual(await axeProblems(org), [], "the venues page with an open editor passes axe");
    await form.locator("[name=timezone]").fill("Mars/Olympus");
    await form.getByRole("button", { name: "Save venue" }).click();
    const zone = form.locator(".field", { has: org.locator("[name=timezone]") });
    await zone.getByTestId("field-error").filter({ hasText: "not a known IANA time zone" }).waitFor();

    await form.locator("[name=timezone]").fill("Europe/Berlin");
    await form.locator("[name=name]").fill("Kellerclub Mitte");
    await region.selectOption({ label: "Eastern Europe" });
    const patch = org.waitForRequest((r) => r.method() === "PATCH");
    await form.getByRole("button", { name: "Save venue" }).click();
    assert.deepEqual((await patch).postDataJSON(), { name: "Kellerclub Mitte", region: "eeur" });
    await venue.getByTestId("venue-name").filter({ hasText: "Kellerclub Mitte" }).waitFor();
    await org.reload();
    const renamed = org.getByTestId("venue").filter({ has: org.getByText("Kellerclub Mitte", { exact: true }) });
    await renamed.waitFor();
    assert.match(await renamed.getByTestId("venue-line").textContent(), /Eastern Europe$/);
    const { items } = await adminGet(org, "/v1/admin/venues");
    assert.deepEqual(
      items.filter((v) => v.name.startsWith("Kellerclub")).map((v) => [v.name, v.region]),
      [["Kellerclub Mitte", "eeur"]],
    );
    await shot(org, "e2-venue-edited");
  } finally {
    await org.context().close();
  }
});
