// Browser test of fan self-service, on a phone and a desktop: the ticket view (QR size measured,
// the screenshot decoded by jsQR to the printed code), add to calendar, cancel with the refund
// shown first, and the account page (notification choice, sign out everywhere refusing another browser's session).
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { join } from "node:path";
import { test } from "node:test";
import { DEMO_PASSWORD, ROOT, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();
const JSQR = join(ROOT, "node_modules/jsqr/dist/jsQR.js");

/** A fresh fan account, so signing it out everywhere touches no other test. */
async function newFan(base) {
  const email = `fan-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@self.test`;
  const res = await fetch(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD, name: "Sam Self" }),
  });
  assert.equal(res.status, 201, await res.text());
  return email;
}

/** Decodes a PNG screenshot in the page with jsQR: what a gate's camera would read off the screen. */
async function decodeShot(page, png) {
  await page.addScriptTag({ path: JSQR });
  return page.evaluate(async (b64) => {
    const img = new Image();
    img.src = `data:image/png;base64,${b64}`;
    await img.decode();
    const canvas = document.createElement("canvas");
    [canvas.width, canvas.height] = [img.naturalWidth, img.naturalHeight];
    const g = canvas.getContext("2d");
    g.drawImage(img, 0, 0);
    const { data, width, height } = g.getImageData(0, 0, canvas.width, canvas.height);
    const decode = typeof window.jsQR === "function" ? window.jsQR : window.jsQR.default;
    return decode(data, width, height)?.data ?? null;
  }, png.toString("base64"));
}

for (const phone of [true, false]) {
  const tag = phone ? "phone" : "desktop";
  const [unpaidSeat, paidSeat] = phone ? ["STALLS-K-9", "STALLS-K-7"] : ["STALLS-L-9", "STALLS-L-7"];
  test(`on a ${tag}: a fan cancels an unpaid order; a paid ticket scans, goes into a calendar, is refunded as quoted`, {
    timeout: 60_000,
  }, async () => {
    const id = await eventIdByName(env.base, "Hamlet");
    const page = await newPage(env.browser, env.base, { phone });
    try {
      await signIn(page, await newFan(env.base));
      /** Holds one seat on the event page and checks it out: the order page, unpaid. */
      const checkout = async (seatId) => {
        await page.goto(`/events/${id}`);
        const seat = page.locator(`[data-seat="${seatId}"]`);
        await seat.waitFor({ timeout: 30_000 });
        await seat.click();
        await page.click("[data-testid=hold-button]");
        await page.locator("[data-testid=hold-countdown]").waitFor();
        await Promise.all([page.waitForURL(/\/orders\/[^/]+$/), page.click("[data-testid=checkout-button]")]);
        await page.locator("[data-testid=order-status]", { hasText: "Pending" }).waitFor();
      };

      // An unpaid order is cancelled from its page (two steps) and its seat goes back on sale.
      await checkout(unpaidSeat);
      await page.click("[data-testid=pending-cancel]");
      await page.click("[data-testid=pending-cancel-confirm]");
      await page.locator("[data-testid=order-status]:not(:text('Pending'))").waitFor();
      assert.equal(await page.locator("[data-testid=pay-form]").count(), 0);
      let state; // the seat snapshot is cached for a second at the edge: poll briefly
      for (let i = 0; i < 20 && state !== "a"; i++) {
        state = (await (await fetch(`${env.base}/v1/events/${id}/seats`)).json()).seats[unpaidSeat];
        if (state !== "a") await new Promise((r) => setTimeout(r, 250));
      }
      assert.equal(state, "a");

      await checkout(paidSeat);
      await page.locator("[data-testid=pay-form] button[value=pay]").click();
      await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });

      // The ticket view: at least 4 CSS px per module (on a 390-px phone too), the code printed beneath.
      const img = page.locator("[data-testid=ticket-qr] img");
      await img.waitFor();
      const { width, modules } = await img.evaluate((el) => ({
        width: el.getBoundingClientRect().width,
        modules: Number(el.dataset.modules),
      }));
      console.log(
        `# QR on a ${tag}: ${modules} modules (quiet zone included) drawn ${width} px wide: ` +
          `${(width / modules).toFixed(2)} px each`,
      );
      assert.ok(modules >= 29, `module count ${modules}`);
      assert.ok(width / modules >= 4, `${width / modules} px per module`);
      const code = (await page.locator("[data-testid=ticket-code]").textContent()) ?? "";
      assert.match(code, /^T1\./);
      await img.scrollIntoViewIfNeeded();
      await shot(page, `s1-ticket-view-${tag}`);
      assert.equal(await decodeShot(page, await img.screenshot()), code);

      // Add to calendar: an .ics download naming the event.
      const [download] = await Promise.all([
        page.waitForEvent("download"),
        page.click("[data-testid=add-to-calendar]"),
      ]);
      const ics = readFileSync(await download.path(), "utf8");
      assert.match(ics, /^BEGIN:VCALENDAR\r\n/);
      assert.match(ics, /\r\nSUMMARY:Hamlet\r\n/);

      // Cancel: the refund amount first, then the confirmation, then the order refunded.
      const total = (await page.locator("[data-testid=order-status] + strong").textContent())?.trim();
      await page.click("[data-testid=cancel-start]");
      const amount = page.locator("[data-testid=refund-amount]");
      await amount.waitFor();
      assert.equal((await amount.textContent())?.trim(), total);
      await page.locator("[data-testid=cancel-panel]").scrollIntoViewIfNeeded();
      await shot(page, `s2-cancel-confirm-${tag}`);
      await page.click("[data-testid=cancel-confirm]");
      await page.locator("[data-testid=cancel-result]", { hasText: "Cancelled" }).waitFor();
      await page.locator("[data-testid=order-status]", { hasText: "Refunded" }).waitFor();
      await page.locator("[data-testid=ticket-status]", { hasText: "Refunded" }).waitFor();
      assert.equal(await page.locator("[data-testid=ticket-qr]").count(), 0);
      assert.equal(await page.locator("[data-testid=cancel-start]").count(), 0);
    } finally {
      await page.context().close();
    }
  });
}

test("the account page saves a notification choice and signs out everywhere", { timeout: 40_000 }, async () => {
  const email = await newFan(env.base);
  const here = await newPage(env.browser, env.base);
  const there = await newPage(env.browser, env.base);
  try {
    await Promise.all([signIn(here, email), signIn(there, email)]);
    await here.click("[data-testid=who]");
    await here.waitForURL(/\/account$/);
    assert.equal(await here.locator("[data-testid=account-email]").textContent(), email);
    const form = here.locator("[data-testid=account-form]");
    await form.locator("input[name=notifySms]").check();
    await form.locator("input[name=phone]").fill("+447700900123");
    await form.locator("button[type=submit]").click();
    await here.locator("[data-testid=account-saved]", { hasText: "Saved." }).waitFor();
    // The choice is stored on the account: a fresh load shows it.
    await here.reload();
    assert.equal(await here.locator("input[name=notifySms]").isChecked(), true);
    assert.equal(await here.locator("input[name=phone]").inputValue(), "+447700900123");
    await shot(here, "s3-account");

    const tokenThere = await there.evaluate(() => JSON.parse(localStorage.getItem("edge-tickets.session")).accessToken);
    const meThere = () =>
      there.evaluate(
        async (t) => (await fetch("/v1/me", { headers: { Authorization: `Bearer ${t}` } })).status,
        tokenThere,
      );
    assert.equal(await meThere(), 200);
    await Promise.all([here.waitForURL(/\/login/), here.click("[data-testid=logout-all]")]);
    // The other browser's access token is refused, and its page sends it to sign in again.
    assert.equal(await meThere(), 401);
    await there.goto("/orders");
    await there.waitForURL(/\/login\?next=%2Forders/);
  } finally {
    await here.context().close();
    await there.context().close();
  }
});
