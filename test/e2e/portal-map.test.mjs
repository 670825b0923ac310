// Browser test of seat blocks on the portal's live map and of the new-event form: the organizer
// blocks three seats with a reason, a fan's map (another browser context) shows them as Blocked
// and will not pick them; one seat unblocked is pickable again. Then a new event whose first
// attempts fail (an empty tier, a section without a price) is fixed and published, and exactly
// one event of that name exists. One throw-away server for the file (test/e2e/harness.mjs).
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO_ACCOUNTS, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();
const BLOCK = ["STALLS-B-1", "STALLS-B-2", "STALLS-B-3"];

const stateOf = (page, seat) => page.locator(`[data-seat="${seat}"]`).getAttribute("data-state");
async function waitState(page, seat, state) {
  for (let i = 0; i < 50 && (await stateOf(page, seat)) !== state; i++) await page.waitForTimeout(100);
  assert.equal(await stateOf(page, seat), state, `${seat} should be ${state}`);
}

test("seats blocked on the portal map with a reason are Blocked on a fan's map, and one unblocked is pickable", {
  timeout: 60_000,
}, async () => {
  const eventId = await eventIdByName(env.base, "An Evening of Jazz Standards");
  const org = await newPage(env.browser, env.base);
  const fan = await newPage(env.browser, env.base);
  const t0 = Date.now();
  const step = (name) => console.log(`# ${name} at ${Date.now() - t0} ms`);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    await org.goto(`/admin/events/${eventId}`);
    const panel = org.getByTestId("seat-blocks");
    await panel.waitFor();
    await waitState(org, "STALLS-B-4", "a");
    // Click, then Shift+click: the run from the first seat to the fourth.
    await panel.locator('[data-seat="STALLS-B-1"]').click();
    await panel.locator('[data-seat="STALLS-B-4"]').click({ modifiers: ["Shift"] });
    const list = org.getByTestId("block-selection");
    assert.equal(await list.locator("li").count(), 4);
    // The list trims the selection from the keyboard.
    await org.getByRole("button", { name: "Remove Stalls · Row B · Seat 4" }).focus();
    await org.keyboard.press("Enter");
    assert.deepEqual(await list.locator("li").evaluateAll((li) => li.map((l) => l.dataset.picked)), BLOCK);
    // No reason, no block: nothing is sent.
    let posts = 0;
    org.on("request", (r) => r.url().endsWith("/seats/block") && posts++);
    await org.getByTestId("block-seats").click();
    assert.equal(await org.getByTestId("block-reason").getAttribute("aria-invalid"), "true");
    assert.equal(posts, 0);
    await org.getByTestId("block-reason").fill("camera platform");
    const sent = org.waitForRequest((r) => r.url().endsWith("/seats/block"));
    await org.getByTestId("block-seats").click();
    assert.deepEqual((await sent).postDataJSON(), { seats: BLOCK, reason: "camera platform" });
    for (const seat of BLOCK) await waitState(org, seat, "b");
    assert.equal(await list.locator("li").count(), 0);
    assert.match(await panel.getByTestId("legend-blocked").textContent(), /Blocked/);
    step("blocked");

    await signIn(fan, DEMO_ACCOUNTS.fan);
    await fan.goto(`/events/${eventId}`);
    await fan.getByTestId("legend-blocked").waitFor();
    for (const seat of BLOCK) await waitState(fan, seat, "b");
    assert.equal(await fan.locator('[data-seat="STALLS-B-2"]').getAttribute("aria-disabled"), "true");
    assert.match(await fan.locator('[data-seat="STALLS-B-2"]').getAttribute("aria-label"), /blocked/);
    // aria-disabled: Playwright would wait for it to be enabled; a fan clicks it anyway.
    await fan.locator('[data-seat="STALLS-B-2"]').click({ force: true });
    await fan.waitForTimeout(200);
    assert.equal(await stateOf(fan, "STALLS-B-2"), "b", "a fan cannot pick a blocked seat");
    step("fan refused");

    // A box dragged around one seat selects just that seat; Unblock gives it back to sale.
    const [b1, b2] = await Promise.all(
      ["STALLS-B-1", "STALLS-B-2"].map((s) => panel.locator(`[data-seat="${s}"]`).boundingBox()),
    );
    const gap = Math.abs(b2.x - b1.x) / 2 - 1;
    const cx = b2.x + b2.width / 2;
    const cy = b2.y + b2.height / 2;
    await org.mouse.move(cx - gap, cy - gap);
    await org.mouse.down();
    await org.mouse.move(cx, cy, { steps: 4 });
    await org.mouse.move(cx + gap, cy + gap, { steps: 4 });
    await org.mouse.up();
    assert.deepEqual(await list.locator("li").evaluateAll((li) => li.map((l) => l.dataset.picked)), ["STALLS-B-2"]);
    await org.getByTestId("unblock-seats").click();
    await waitState(org, "STALLS-B-2", "a");
    step("unblocked");
    // The keyboard: arrows move between seats, Space picks, Shift+Space picks the run from the last pick.
    await panel.locator('[data-seat="STALLS-B-4"]').focus();
    for (const key of ["ArrowLeft", "Space", "ArrowLeft", "ArrowLeft", "Shift+Space"]) await org.keyboard.press(key);
    assert.deepEqual(await list.locator("li").evaluateAll((li) => li.map((l) => l.dataset.picked)), BLOCK);
    assert.equal(await org.evaluate(() => document.activeElement?.getAttribute("data-seat")), "STALLS-B-1");
    await panel.evaluate((el) => el.scrollIntoView());
    // A picked blocked seat still shows as blocked, with the picked ring on top.
    assert.equal(await stateOf(org, "STALLS-B-1"), "b");
    assert.equal(await panel.locator('[data-seat="STALLS-B-1"]').getAttribute("aria-checked"), "true");
    await org.evaluate(() => document.getElementById("toasts")?.replaceChildren());
    await shot(org, "m1-portal-map-blocks");
    await org.getByTestId("block-clear").click();

    await waitState(fan, "STALLS-B-2", "a");
    await fan.locator('[data-seat="STALLS-B-2"]').click();
    await waitState(fan, "STALLS-B-2", "selected");
    assert.equal(await stateOf(fan, "STALLS-B-1"), "b");
    await shot(fan, "m2-fan-map-blocked");
  } finally {
    await org.context().close();
    await fan.context().close();
  }
});

test("a new event that fails twice is fixed at its fields and published as one event, no stray draft", {
  timeout: 60_000,
}, async () => {
  const name = `Map test gig ${Date.now()}`;
  const org = await newPage(env.browser, env.base);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    const creates = [];
    org.on("request", (r) => {
      if (r.method() === "POST" && new URL(r.url()).pathname === "/v1/admin/events") creates.push(r);
    });
    await org.goto("/admin/events/new");
    const venue = org.getByTestId("venue-select");
    await venue.locator("option").first().waitFor({ state: "attached" });
    const lyric = await venue.locator("option", { hasText: "Lyric Theatre" }).getAttribute("value");
    const tier1 = org.getByTestId("tier-row").first();
    await tier1.waitFor();
    if ((await venue.inputValue()) !== lyric) {
      await venue.selectOption(lyric);
      await tier1.locator('[value="sections:CIRCLE"]').waitFor();
      await org.waitForLoadState("networkidle");
    }
    await tier1.locator('[value="sections:CIRCLE"]').waitFor();
    await org.fill("[name=name]", name);
    // Tier 1 prices the stalls only; tier 2 covers nothing.
    await tier1.locator('[value="sections:CIRCLE"]').uncheck();
    await org.getByTestId("add-tier").click();
    const tier2 = org.getByTestId("tier-row").nth(1);
    await org.getByTestId("create-event").click();
    // The API's 422 names the tier, and the form shows it inside that tier's fieldset.
    await tier2.locator(".field-problem", { hasText: 'tier "Tier 2" (tier-2) covers no seat or area' }).waitFor();
    await org.getByTestId("draft-note").waitFor();
    await tier2.getByRole("button", { name: "Remove" }).click();

    await org.getByTestId("create-event").click();
    const problems = org.getByTestId("form-problems");
    const link = problems.getByRole("link", { name: /seat\(s\) have no price: CIRCLE-A-1/ });
    await link.waitFor();
    await shot(org, "m3-event-form-problems");
    await link.click();
    assert.equal(await org.evaluate(() => document.activeElement?.getAttribute("value")), "sections:CIRCLE");
    await org.keyboard.press("Space");

    await Promise.all([org.waitForURL(/\/admin\/events\/[^/]+$/), org.getByTestId("create-event").click()]);
    await org.locator("[data-testid=event-status]", { hasText: /on sale/i }).waitFor();
    assert.equal(creates.length, 1, "one create for the one intended event");
    assert.ok(creates[0].headers()["idempotency-key"], "the create carries an Idempotency-Key");

    const token = await org.evaluate(() => JSON.parse(localStorage.getItem("edge-tickets.session")).accessToken);
    const res = await fetch(`${env.base}/v1/admin/events`, { headers: { Authorization: `Bearer ${token}` } });
    const same = (await res.json()).items.filter((e) => e.name === name);
    assert.equal(same.length, 1, "exactly one event with that name");
    assert.equal(same[0].status, "on_sale");
  } finally {
    await org.context().close();
  }
});
