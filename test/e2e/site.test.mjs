// Browser tests of the fan site and the admin portal, in Debian's Chromium via playwright-core.
// Run with `npm run test:e2e` (node --test, outside vitest's workerd pool). One throw-away server
// for the file; each scenario uses its own browser contexts and its own seats. Screenshots of
// every step go to screenshots/ (gitignored).
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

/** How fast a hold must reach another fan's screen. */
const LIVE_MS = Number(process.env.E2E_LIVE_MS ?? 1000);
const env = serverForFile();

test("a second fan sees a seat turn held within a second", { timeout: 60_000 }, async () => {
  const id = await eventIdByName(env.base, "Hamlet");
  const seat = "STALLS-O-3";
  const watcher = await newPage(env.browser, env.base);
  const fan = await newPage(env.browser, env.base);
  try {
    await signIn(fan, DEMO_ACCOUNTS.fan);
    await Promise.all([watcher.goto(`/events/${id}`), fan.goto(`/events/${id}`)]);
    const watched = watcher.locator(`[data-seat="${seat}"]`);
    await watched.waitFor();
    assert.equal(await watched.getAttribute("data-state"), "a");
    // The watcher must be on the live socket, not the 2-second polling fallback.
    const t0 = Date.now();
    await watcher.locator("[data-testid=live-mode]", { hasText: "Live" }).waitFor({ timeout: 10_000 });
    console.log(`# watcher went live in ${Date.now() - t0} ms`);
    await shot(watcher, "a1-watcher-before");

    await fan.locator(`[data-seat="${seat}"]`).click();
    assert.equal(await fan.locator(`[data-seat="${seat}"]`).getAttribute("aria-checked"), "true");
    const label = await fan.locator(`[data-seat="${seat}"]`).getAttribute("aria-label");
    assert.match(label ?? "", /^Row O seat 3, Stalls, .+, selected$/);
    const held = fan.waitForResponse(
      (r) => r.url().endsWith(`/v1/events/${id}/holds`) && r.request().method() === "POST",
    );
    await fan.click("[data-testid=hold-button]");
    assert.equal((await held).status(), 201);
    const heldAt = Date.now();
    await watched.and(watcher.locator('[data-state="h"]')).waitFor({ timeout: LIVE_MS });
    const lag = Date.now() - heldAt;
    await fan.locator("[data-testid=hold-countdown]").waitFor();
    assert.equal(await fan.locator(`[data-seat="${seat}"]`).getAttribute("data-state"), "mine");
    await shot(fan, "a2-fan-holding");
    await shot(watcher, "a3-watcher-sees-held");
    console.log(`# hold reached the other fan in ${lag} ms`);
    // Leave no hold behind: the next test's fan is the same account, and the event page resumes it.
    await fan.getByRole("button", { name: "Release", exact: true }).click();
    await fan.locator("[data-testid=hold-panel]").waitFor({ state: "hidden" });
  } finally {
    await watcher.context().close();
    await fan.context().close();
  }
});

test("a fan on a phone buys two seats with the simulated provider and sees the QR codes", {
  timeout: 90_000,
}, async () => {
  const id = await eventIdByName(env.base, "Hamlet");
  const page = await newPage(env.browser, env.base, { phone: true });
  try {
    await signIn(page, DEMO_ACCOUNTS.fan);
    await page.goto(`/events/${id}`);
    await page.locator('[data-seat="STALLS-N-10"]').waitFor();
    await shot(page, "b1-event-phone");
    // Mouse for the first seat, keyboard for the second: the arrow key moves to seat 11, Space picks it.
    await page.locator('[data-seat="STALLS-N-10"]').click();
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Space");
    assert.equal(await page.locator('[data-seat="STALLS-N-11"]').getAttribute("data-state"), "selected");
    await page.click("[data-testid=hold-button]");
    await page.locator("[data-testid=hold-countdown]").waitFor();
    await page.locator("[data-testid=hold-panel]").scrollIntoViewIfNeeded();
    await shot(page, "b2-held-phone");

    await Promise.all([page.waitForURL(/\/orders\/[^/]+$/), page.click("[data-testid=checkout-button]")]);
    // The simulated card form is the site's own and posts with the fan's token (no framed page).
    const payForm = page.locator("[data-testid=pay-form]");
    await payForm.locator("button[value=pay]").waitFor();
    await shot(page, "b3-payment-phone");
    await payForm.locator("button[value=pay]").click();
    await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
    const qrs = page.locator("[data-testid=ticket-qr] img");
    await qrs.nth(1).waitFor();
    assert.equal(await qrs.count(), 2);
    assert.match((await qrs.first().getAttribute("src")) ?? "", /^blob:/);
    // The image really decoded (an SVG with size), not a broken icon.
    assert.ok(await qrs.first().evaluate((img) => img.complete && img.naturalWidth > 0));
    await page.locator("[data-testid=tickets]").scrollIntoViewIfNeeded();
    await shot(page, "b4-tickets-phone");
  } finally {
    await page.context().close();
  }
});

/** The preview's seat circles of section `prefix` ("STALLS-", "S2-"), as centre points in screen pixels. */
const seatCentres = (page, prefix) =>
  page.$$eval(`[data-testid=layout-preview] [data-seat^="${prefix}"]`, (els) =>
    els.map((e) => {
      const b = e.getBoundingClientRect();
      return { id: e.getAttribute("data-seat"), x: b.x + b.width / 2, y: b.y + b.height / 2 };
    }),
  );

/** Waits until the preview has been redrawn (its seat circles are new nodes). */
async function redrawn(page, before) {
  await page.waitForFunction((old) => document.querySelector("[data-testid=layout-preview] circle") !== old, before);
}

/**
 * The builder's placements: the stalls turned 20°, the second section round the stage at 40°, then
 * dragged 40 px to the left by one of its seats. Section labels never overlap each other or the
 * stage, and the stalls' aisle (every 10 seats) leaves a wider gap than the seats beside it.
 */
async function placeSections(page) {
  const rows = page.locator("[data-testid=section-row]");
  const first = await page.$("[data-testid=layout-preview] circle");
  await rows.nth(0).getByTestId("section-placement").selectOption("xy");
  await rows.nth(0).getByLabel("Rotation (°)").fill("-20");
  await rows.nth(1).getByTestId("section-placement").selectOption("arc");
  await rows.nth(1).getByLabel("Angle round the stage (°)").fill("40");
  await rows.nth(1).getByLabel("Distance from the stage").fill("220");
  await redrawn(page, first);
  await page.waitForTimeout(400); // the preview follows typing after a short pause

  const overlaps = await page.$$eval("[data-testid=layout-preview] svg", ([svgEl]) => {
    const boxes = [...svgEl.querySelectorAll("text.section-label"), svgEl.querySelector("g.stage")]
      .filter(Boolean)
      .map((e) => e.getBoundingClientRect());
    let n = 0;
    for (let i = 0; i < boxes.length; i++)
      for (let j = i + 1; j < boxes.length; j++) {
        const [a, b] = [boxes[i], boxes[j]];
        if (a.left < b.right && b.left < a.right && a.top < b.bottom && b.top < a.bottom) n++;
      }
    return { n, labels: boxes.length - 1 };
  });
  assert.deepEqual(overlaps, { n: 0, labels: 2 });

  // Row A of the stalls: seat 10 to 11 crosses the aisle.
  const rowA = (await seatCentres(page, "STALLS-A-")).sort(
    (a, b) => Number(a.id.split("-")[2]) - Number(b.id.split("-")[2]),
  );
  const step = (i) => Math.hypot(rowA[i].x - rowA[i - 1].x, rowA[i].y - rowA[i - 1].y);
  assert.ok(step(10) > step(9) * 1.5, `aisle gap ${step(10)} vs seat gap ${step(9)}`);
  // Turned 20° anticlockwise: row A climbs from left to right on screen.
  assert.ok(rowA[19].y < rowA[0].y - 5, "the stalls' front row is turned");

  const front = (await seatCentres(page, "S2-A-")).sort(
    (a, b) => Number(a.id.split("-")[2]) - Number(b.id.split("-")[2]),
  );
  const tilt = Math.atan2(front.at(-1).y - front[0].y, front.at(-1).x - front[0].x) * (180 / Math.PI);
  assert.ok(Math.abs(tilt - 40) < 3, `section 2 faces the stage from 40°: its front row is at ${tilt}°`);

  const before = await seatCentres(page, "S2-");
  const grab = before[0];
  const drawn = await page.$("[data-testid=layout-preview] circle");
  await page.mouse.move(grab.x, grab.y);
  await page.mouse.down();
  await page.mouse.move(grab.x - 20, grab.y, { steps: 3 });
  await page.mouse.move(grab.x - 40, grab.y, { steps: 3 });
  await page.mouse.up();
  await redrawn(page, drawn);
  // Dropped: the section now sits at coordinates (its fields say so), moved right with its seats.
  assert.equal(await rows.nth(1).getByTestId("section-placement").inputValue(), "xy");
  // It keeps the turn its place round the stage gave it (40°), and its front row shows it.
  assert.equal(await rows.nth(1).getByLabel("Rotation (°)").inputValue(), "40");
  // The preview refits to the new bounds, so the move is checked in layout units: from the pose at
  // 40° round the stage, 220 away (x −141.4, y 168.5), to the left, at the same height.
  const x = Number(await rows.nth(1).getByLabel("X", { exact: true }).inputValue());
  const y = Number(await rows.nth(1).getByLabel("Y", { exact: true }).inputValue());
  assert.ok(x < -141.4 - 10 && Math.abs(y - 168.5) < 6, `dropped at ${x}, ${y}`);
}

test("an organizer builds a layout, creates a two-tier event, opens sales, and fans find it", {
  timeout: 120_000,
}, async () => {
  const name = `Midsummer Gala ${Date.now().toString(36)}`;
  const page = await newPage(env.browser, env.base);
  try {
    await signIn(page, DEMO_ACCOUNTS.organizer);
    await page.goto("/admin/venues");
    const venue = page.locator("[data-testid=venue-form]");
    await venue.locator("input[name=name]").fill("Riverside Hall");
    await venue.locator("input[name=address]").fill("1 Quay Street");
    await venue.locator("input[name=city]").fill("Bristol");
    await venue.locator("input[name=country]").fill("GB");
    await venue.locator("input[name=timezone]").fill("Europe/London");
    await shot(page, "c1-venues");
    await Promise.all([page.waitForURL(/\/layouts\/new$/), venue.locator("button[type=submit]").click()]);

    await page.fill("[data-testid=layout-name]", "Hall with balcony");
    await page.click("[data-testid=add-section]");
    await page.click("[data-testid=add-area]");
    await page.locator("[data-testid=layout-totals]", { hasText: /seats in 2 section/ }).waitFor();
    await page.locator("[data-testid=layout-preview] circle").first().waitFor();
    await placeSections(page);
    await shot(page, "c2-layout-builder");
    await Promise.all([page.waitForURL(/\/admin\/events\/new\?/), page.click("[data-testid=save-layout]")]);

    await page.locator("[data-testid=tier-row]").first().waitFor();
    await page.fill("[data-testid=event-form] input[name=name]", name);
    await page.selectOption("[data-testid=event-form] select[name=category]", "concert");
    await page.fill("[data-testid=event-form] input[name=performers]", "The River Quartet");
    const first = page.locator("[data-testid=tier-row]").nth(0);
    await first.locator("input[name=tierName]").fill("Front");
    await first.locator("input[name=tierPrice]").fill("55");
    await first.locator("input[value='sections:S2']").uncheck();
    await page.click("[data-testid=add-tier]");
    const second = page.locator("[data-testid=tier-row]").nth(1);
    await second.locator("input[name=tierName]").fill("Back");
    await second.locator("input[name=tierPrice]").fill("30");
    await second.locator("input[value='sections:S2']").check();
    await shot(page, "c3-event-form");
    await Promise.all([page.waitForURL(/\/admin\/events\/evt_[^/]+$/), page.click("[data-testid=create-event]")]);
    await page.locator("[data-testid=event-status]", { hasText: "On sale" }).waitFor();
    await page.locator("[data-testid=tier-table] tbody tr").nth(1).waitFor();
    const eventId = page.url().split("/").pop();

    // A first hold (the organizer's own, from a second tab) shows up on the dashboard's next refresh.
    const tab = await page.context().newPage();
    await tab.goto(`/events/${eventId}`);
    for (const seat of ["STALLS-B-9", "STALLS-B-10"]) await tab.locator(`[data-seat="${seat}"]`).click();
    await tab.click("[data-testid=hold-button]");
    await tab.locator("[data-testid=hold-countdown]").waitFor();
    await tab.close();
    await page
      .locator("[data-testid=sales-stats] .stat", { hasText: "Held now" })
      .locator(".stat-value", { hasText: /^2$/ })
      .waitFor({ timeout: 10_000 });
    await shot(page, "c4-sales-dashboard");

    const fan = await newPage(env.browser, env.base);
    try {
      await fan.goto(`/?q=${encodeURIComponent("Midsummer Gala")}`);
      await fan.locator("[data-testid=event-card]", { hasText: name }).waitFor();
      await shot(fan, "c5-fan-list");
      await fan.locator("[data-testid=event-card]", { hasText: name }).click();
      await fan.locator('[data-seat="STALLS-B-9"][data-state="h"]').waitFor();
      await fan.locator('[data-seat="STALLS-C-12"]').click();
      assert.equal(await fan.locator(".legend li", { hasText: "Front" }).count(), 1);
      assert.equal(await fan.locator(".legend li", { hasText: "Back" }).count(), 1);
      await shot(fan, "c6-fan-event");
    } finally {
      await fan.context().close();
    }
  } finally {
    await page.context().close();
  }
});

test("signing in with a next= that points off the site stays on the site", { timeout: 90_000 }, async () => {
  for (const next of ["/\\evil.example/", "//evil.example/", "https://evil.example/"]) {
    const page = await newPage(env.browser, env.base);
    try {
      await page.goto(`/login?next=${encodeURIComponent(next)}`);
      await page.fill("[data-testid=login-form] input[name=email]", DEMO_ACCOUNTS.fan);
      await page.fill("[data-testid=login-form] input[name=password]", DEMO_PASSWORD);
      await Promise.all([
        page.waitForURL((u) => !u.pathname.startsWith("/login")),
        page.click("[data-testid=login-form] button[type=submit]"),
      ]);
      const landed = new URL(page.url());
      assert.equal(landed.origin, new URL(env.base).origin, `next=${next} left the site`);
    } finally {
      await page.context().close();
    }
  }
});

test("an organizer on a phone switches an event's waiting room on from its dashboard", {
  timeout: 30_000,
}, async () => {
  const id = await eventIdByName(env.base, "An Evening of Jazz Standards");
  const page = await newPage(env.browser, env.base, { phone: true });
  try {
    await signIn(page, DEMO_ACCOUNTS.organizer);
    await page.goto(`/admin/events/${id}`);
    const room = page.getByRole("region", { name: "Waiting room" });
    const save = room.getByRole("button", { name: "Save waiting room" });
    // An out-of-range rate comes back as the API's field error, next to the field.
    await room.getByLabel("Fans admitted per minute").fill("0");
    await save.click();
    await room.locator("#room-error-ratePerMinute:not([hidden])").waitFor();
    assert.equal(await room.getByLabel("Fans admitted per minute").getAttribute("aria-invalid"), "true");

    await room.getByLabel("Waiting room on").check();
    await room.getByLabel("Fans admitted per minute").fill("30");
    await room.getByLabel("Shoppers at once").fill("2");
    await save.click();
    await room.getByRole("status").filter({ hasText: "30 fans a minute, 2 shopping at once" }).waitFor();
    assert.match((await room.getByTestId("room-commitment").textContent()) ?? "", /^[0-9a-f]{64}$/);
    assert.equal(await room.getByTestId("room-sold-out").textContent(), "No");
    assert.equal(await room.getByTestId("room-length").textContent(), "0");
    assert.equal(await room.getByTestId("room-drain").textContent(), "—");
    const publicEvent = await (await fetch(`${env.base}/v1/events/${id}`)).json();
    assert.equal(publicEvent.waitingRoom, true);
    // The settings are read back from the room, and the panel fits a 390 px screen.
    await page.reload();
    await room
      .getByTestId("room-commitment")
      .filter({ hasText: /^[0-9a-f]{64}$/ })
      .waitFor();
    assert.equal(await room.getByLabel("Waiting room on").isChecked(), true);
    assert.equal(await room.getByLabel("Fans admitted per minute").inputValue(), "30");
    assert.equal(await room.getByLabel("Shoppers at once").inputValue(), "2");
    assert.equal(await page.evaluate(() => document.documentElement.scrollWidth <= innerWidth), true);
    await shot(page, "w1-organizer-waiting-room");
  } finally {
    await page.context().close();
  }
});
