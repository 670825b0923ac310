// Browser test of resumable purchases, on a desktop and a 390-px phone: a declined card, then
// "Try another card" on the same seats; a hold made in one browser context checked out from a
// second context of the same fan; a pending order paid from a second context; and a seat picked
// while signed out, still selected after signing in, with the sign-in page saying why it appeared.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO_PASSWORD, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

async function newFan(base) {
  const email = `fan-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 6)}@resume.test`;
  const res = await fetch(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "Content-Type": "application/json" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD, name: "Ren Resume" }),
  });
  assert.equal(res.status, 201, await res.text());
  return email;
}

/** Available Stalls seats of the event, each with the words people say for it. */
async function freeSeats(base, id, n) {
  const [layout, map] = await Promise.all(
    [`/v1/events/${id}/layout`, `/v1/events/${id}/seats`].map(async (p) => (await fetch(base + p)).json()),
  );
  const stalls = layout.sections.find((s) => s.name === "Stalls");
  const out = [];
  for (const r of stalls.rows.slice(1))
    for (const s of r.seats)
      if (map.seats[s.id] === "a" && out.length < n)
        out.push({
          id: s.id,
          name: `Stalls · Row ${r.label} · Seat ${s.label}`,
          said: `Row ${r.label} seat ${s.label}`,
        });
  assert.equal(out.length, n);
  return out;
}

/** The order the page shows, read through the API as its fan. */
async function orderOf(page) {
  const id = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  return page.evaluate(async (orderId) => {
    const { accessToken } = JSON.parse(localStorage.getItem("edge-tickets.session"));
    const res = await fetch(`/v1/orders/${encodeURIComponent(orderId)}`, {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    return res.json();
  }, id);
}

/** Opens the event page and waits for the seat to be drawn. */
async function openEvent(page, id, seat) {
  await page.goto(`/events/${id}`);
  await page.locator(`[data-seat="${seat.id}"][data-state="a"]`).waitFor({ timeout: 30_000 });
}

/** Picks a seat: the map is drawn before the live seat states arrive, so click until it shows selected. */
async function pickSeat(page, seat) {
  const el = page.locator(`[data-seat="${seat.id}"]`);
  for (let i = 0; i < 40 && (await el.getAttribute("data-state")) !== "selected"; i++) {
    await el.click();
    await page.waitForTimeout(150);
  }
  assert.equal(await el.getAttribute("data-state"), "selected");
}

async function holdSeat(page, id, seat) {
  await openEvent(page, id, seat);
  await pickSeat(page, seat);
  await page.click("[data-testid=hold-button]");
  await page.locator("[data-testid=hold-countdown]").waitFor();
}

async function payAndCheck(page, seat) {
  await page.locator("[data-testid=pay-form] input[name=card]").fill("4242 4242 4242 4242");
  await page.locator("[data-testid=pay-form] button[value=pay]").click();
  await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
  const order = await orderOf(page);
  assert.equal(order.status, "paid");
  assert.deepEqual(
    order.tickets.map((t) => t.place),
    [seat.id],
  );
}

/** A seat picked while signed out survives sign-in; the sign-in page says why it appeared. */
async function keptOverSignIn(c, id, picked) {
  const email = await newFan(env.base);
  await openEvent(c, id, picked);
  await pickSeat(c, picked);
  await Promise.all([c.waitForURL(/\/login\?next=/), c.click("[data-testid=hold-button]")]);
  assert.equal(
    (await c.locator("[data-testid=signin-reason]").textContent())?.trim(),
    `Sign in to hold ${picked.name}`,
  );
  await c.fill("[data-testid=login-form] input[name=email]", email);
  await c.fill("[data-testid=login-form] input[name=password]", DEMO_PASSWORD);
  await Promise.all([c.waitForURL(new RegExp(`/events/${id}$`)), c.click("[data-testid=login-form] button")]);
  await c.locator("[data-testid=selection]", { hasText: picked.said }).waitFor({ timeout: 30_000 });
  assert.equal(await c.locator(`[data-seat="${picked.id}"]`).getAttribute("data-state"), "selected");
}

test("resume a purchase anywhere: another card, another tab, and a seat kept over sign-in", {
  timeout: 90_000,
}, async () => {
  const id = await eventIdByName(env.base, "Hamlet");
  const seats = await freeSeats(env.base, id, 8);
  /** One viewport's pass, with its own fan and seats; the two passes run side by side. */
  const pass = async (phone) => {
    const tag = phone ? "phone" : "desktop";
    const [declined, held, pending, picked] = phone ? seats.slice(4) : seats.slice(0, 4);
    const t0 = Date.now();
    const mark = (what) => console.log(`# ${tag}: ${what} at ${Date.now() - t0} ms`);
    const email = await newFan(env.base);
    const a = await newPage(env.browser, env.base, { phone });
    const b = await newPage(env.browser, env.base, { phone });
    const c = await newPage(env.browser, env.base, { phone });
    try {
      await Promise.all([signIn(a, email), signIn(b, email)]);
      // The signed-out visitor's steps need nothing from the others: they run alongside.
      // (Another fan: this one's live holds would rightly take the place of a picked seat.)
      const signedOut = keptOverSignIn(c, id, picked).then(() => mark("seat kept over sign-in"));
      signedOut.catch(() => {}); // awaited below; this only keeps an early failure from going unhandled

      // A declined card offers "Try another card" where the decline shows; it pays on the same seat.
      await holdSeat(a, id, declined);
      await Promise.all([a.waitForURL(/\/orders\/[^/]+$/), a.click("[data-testid=checkout-button]")]);
      await a.locator("[data-testid=pay-form] button[value=decline]").click();
      await a.locator("[data-testid=payment-failed]").waitFor({ timeout: 20_000 });
      assert.equal((await orderOf(a)).status, "failed");
      await shot(a, `r1-try-another-card-${tag}`);
      if (phone) await a.click("[data-testid=try-another-card]");
      else {
        // My orders offers it too (the list reads D1, a moment behind the order itself).
        await a.locator("[data-testid=try-another-card]").waitFor();
        const retry = a.locator("[data-testid=list-try-another-card]");
        for (let i = 0; i < 20 && !(await retry.count()); i++) {
          await a.goto("/orders");
          await a.locator("[data-testid=orders]").waitFor();
          if (!(await retry.count())) await a.waitForTimeout(300);
        }
        await Promise.all([a.waitForURL(/\/orders\/[^/]+$/), retry.click()]);
      }
      await a.locator("[data-testid=order-status]", { hasText: "Pending" }).waitFor();
      await payAndCheck(a, declined);
      mark("declined, then paid with another card");

      // A hold made in one context is checked out from a second context of the same fan.
      await holdSeat(a, id, held);
      await b.goto(`/events/${id}`);
      const panel = b.locator("[data-testid=hold-panel]");
      await panel.locator("[data-testid=checkout-button]").waitFor();
      assert.match(await panel.textContent(), new RegExp(held.said));
      await Promise.all([b.waitForURL(/\/orders\/[^/]+$/), b.click("[data-testid=checkout-button]")]);
      await payAndCheck(b, held);
      mark("hold resumed in a second context");

      // A pending order (checked out in one context) is paid from the other.
      await holdSeat(a, id, pending);
      await Promise.all([a.waitForURL(/\/orders\/[^/]+$/), a.click("[data-testid=checkout-button]")]);
      await a.locator("[data-testid=pay-form]").waitFor();
      if (phone) {
        // From My orders: Pay on the pending order (the list reads D1, a moment behind).
        const pay = b.locator("[data-testid=list-pay]");
        for (let i = 0; i < 20 && !(await pay.count()); i++) {
          await b.goto("/orders");
          await b.locator("[data-testid=orders]").waitFor();
          if (!(await pay.count())) await b.waitForTimeout(300);
        }
        await Promise.all([b.waitForURL(/\/orders\/[^/]+$/), pay.click()]);
      } else {
        await b.goto(`/events/${id}`);
        await b.locator("[data-testid=hold-panel] [data-testid=pay-button]").waitFor();
        assert.match(await b.locator("[data-testid=hold-panel]").textContent(), /Awaiting your payment/);
        await shot(b, `r2-resume-pay-${tag}`);
        await Promise.all([b.waitForURL(/\/orders\/[^/]+$/), b.click("[data-testid=pay-button]")]);
      }
      assert.equal(new URL(b.url()).pathname, new URL(a.url()).pathname);
      await payAndCheck(b, pending);
      mark("pending order paid from a second context");
      await signedOut;
    } finally {
      await Promise.all([a, b, c].map((p) => p.context().close()));
    }
  };
  await Promise.all([pass(false), pass(true)]);
});
