// Browser tests of what a fan sees change live: no "just taken" for the fan's own hold (in any
// tab), one grouped notice beside the map when someone else takes seats the fan had picked, a
// socket that signs in with a ticket (never the access token in its URL), "Show more" paging to the
// end, and times in the venue's zone, named. Run: npm run build:ui && node --test test/e2e/fan-live.test.mjs
import assert from "node:assert/strict";
import { test } from "node:test";
import {
  DEMO_ACCOUNTS,
  DEMO_PASSWORD,
  STEP_MS,
  eventIdByName,
  newPage,
  serverForFile,
  shot,
  signIn,
} from "./harness.mjs";

const env = serverForFile();

async function api(method, path, body, token, headers = {}) {
  const res = await fetch(env.base + path, {
    method,
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": "127.0.0.1",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

const login = (email) => api("POST", "/v1/auth/login", { email, password: DEMO_PASSWORD });

/** Picks seats next to each other in one row: a click on the first, then arrow and Space (as a keyboard user). */
async function pick(page, seats) {
  await page.locator(`[data-seat="${seats[0]}"]`).click();
  for (let i = 1; i < seats.length; i++) {
    await page.keyboard.press("ArrowRight");
    await page.keyboard.press("Space");
  }
  await page.waitForFunction(
    (ids) => ids.every((id) => document.querySelector(`[data-seat="${id}"]`)?.dataset.state === "selected"),
    seats,
  );
}

async function goLive(page, id) {
  await page.goto(`/events/${id}`);
  await page.locator("[data-testid=live-mode]", { hasText: "Live" }).waitFor({ timeout: STEP_MS });
}

/** Every "taken" word the page shows: toasts and notices in the live region. */
const takenWords = (page) =>
  page.evaluate(() =>
    [...document.querySelectorAll("#toasts .toast, [data-testid=taken-notice]")]
      .map((e) => e.textContent ?? "")
      .filter((t) => /taken/i.test(t)),
  );

/**
 * One viewport's pass: the rival takes seats the fan had picked (one grouped notice for the fan),
 * then the fan holds seats that a second tab of the fan had picked too (no notice anywhere).
 */
async function ownAndOthers({ fan, tab2, rival, id, row, label, mark }) {
  await Promise.all([goLive(fan, id), goLive(tab2, id), goLive(rival, id)]);
  mark("three pages live");

  // Someone else takes three seats the fan had picked: one grouped notice, beside the map.
  const theirs = [10, 11, 12].map((n) => `STALLS-${row}-${n}`);
  await pick(fan, theirs);
  await pick(rival, theirs);
  await rival.click("[data-testid=hold-button]");
  await rival.locator("[data-testid=hold-countdown]").waitFor();
  const notice = fan.locator("[data-testid=taken-notice]");
  await notice.waitFor();
  mark("notice shown");
  assert.equal(await notice.count(), 1);
  assert.match(await notice.innerText(), /3 seats you were looking at were taken: Row \w seat 10, Stalls/);
  assert.equal(await fan.locator("aside.side-col [data-testid=taken-notices][aria-live=polite]").count(), 1);
  const box = await notice.boundingBox();
  const map = await fan.locator(".map-col").boundingBox();
  const overlaps =
    box.x < map.x + map.width && map.x < box.x + box.width && box.y < map.y + map.height && map.y < box.y + box.height;
  assert.ok(!overlaps, "the notice is beside the map, not over it");
  assert.equal(await fan.locator("[data-testid=selection]").count(), 0, "the taken seats left the selection");
  assert.equal(await rival.locator("[data-testid=taken-notice]").count(), 0);
  assert.deepEqual(await takenWords(rival), [], "the rival's own hold is no news to the rival");
  await shot(fan, `fl-${label}-1-taken-notice`);

  // The fan's own hold, while a second tab of the same fan has the same seats picked: nothing.
  const mine = [14, 15].map((n) => `STALLS-${row}-${n}`);
  await pick(tab2, mine);
  await pick(fan, mine);
  await fan.click("[data-testid=hold-button]");
  await fan.locator("[data-testid=hold-countdown]").waitFor();
  await tab2.waitForFunction(
    (ids) => ids.every((s) => document.querySelector(`[data-seat="${s}"]`)?.dataset.state === "h"),
    mine,
  );
  await fan.waitForTimeout(600); // past the notices' grouping delay
  assert.equal(await fan.locator(`[data-seat="${mine[0]}"]`).getAttribute("data-state"), "mine");
  assert.equal(await notice.count(), 1, "no new notice for the fan's own hold");
  assert.equal((await takenWords(fan)).length, 1, "only the rival's seats were news");
  assert.deepEqual(await takenWords(tab2), [], "the other tab of the same fan says nothing either");
  assert.equal(await tab2.locator("[data-testid=selection]").count(), 0, "its picked seats were cleared quietly");
  await shot(fan, `fl-${label}-2-own-hold`);
  mark("own hold checked");
  // Leave the seats for nobody: the next pass starts with no hold.
  await Promise.all([fan, rival].map((p) => p.getByRole("button", { name: "Release", exact: true }).click()));
  await fan.locator("[data-testid=hold-panel]").waitFor({ state: "hidden" });
  await rival.locator("[data-testid=hold-panel]").waitFor({ state: "hidden" });
}

const OWN_AND_OTHERS =
  "on a desktop and a 390-px phone: a fan's own hold raises no \"just taken\"; another fan's hold of " +
  "picked seats raises one notice; the socket carries a ticket, never the token, and renews it";
test(OWN_AND_OTHERS, { timeout: 60_000 }, async () => {
  const id = await eventIdByName(env.base, "Hamlet");
  const other = `rival-${Date.now()}@example.test`;
  await api("POST", "/v1/auth/signup", { email: other, password: DEMO_PASSWORD, name: "Rival Fan" });
  const fan = await newPage(env.browser, env.base);
  const rival = await newPage(env.browser, env.base);
  const sockets = [];
  fan.context().on("page", (p) => p.on("websocket", (ws) => sockets.push(ws.url())));
  fan.on("websocket", (ws) => sockets.push(ws.url()));
  const t0 = Date.now();
  const mark = (what) => console.log(`# ${what} at ${Date.now() - t0} ms`);
  try {
    await Promise.all([signIn(fan, DEMO_ACCOUNTS.fan), signIn(rival, other)]);
    const tab2 = await fan.context().newPage();
    mark("signed in");
    await ownAndOthers({ fan, tab2, rival, id, row: "D", label: "desktop", mark });

    // The phone pass starts after the fan's access token went bad (as after 15 idle minutes): the
    // socket ticket is fetched with a refreshed token, and the map is live, not polling.
    const stale = await fan.evaluate(() => {
      const key = "edge-tickets.session";
      const s = JSON.parse(localStorage.getItem(key));
      s.accessToken = `${s.accessToken.split(".").slice(0, 2).join(".")}.expired`;
      localStorage.setItem(key, JSON.stringify(s));
      return s.accessToken;
    });
    for (const p of [fan, tab2]) await p.setViewportSize({ width: 390, height: 844 });
    await ownAndOthers({ fan, tab2, rival, id, row: "E", label: "phone", mark });
    const fresh = await fan.evaluate(() => JSON.parse(localStorage.getItem("edge-tickets.session")).accessToken);
    assert.notEqual(fresh, stale, "the client refreshed its token to get a ticket");

    // Every socket signed in with a ticket: no URL carried an access token, old or new.
    const live = sockets.filter((u) => u.includes("/live"));
    assert.ok(live.length >= 4, `sockets seen: ${live.length}`);
    for (const url of live) {
      assert.ok(!url.includes(stale) && !url.includes(fresh), "no access token in the socket URL");
      assert.doesNotMatch(url, /[?&]token=/);
      assert.match(url, /[?&]ticket=/);
    }
  } finally {
    await fan.context().close();
    await rival.context().close();
  }
});

test('"Show more" pages to the end without repeating an event, then hides; never under "No events match"', {
  timeout: 60_000,
}, async () => {
  // The demo has six events; a dozen more at the club make two pages of twelve.
  const org = await login(DEMO_ACCOUNTS.organizer);
  const techno = (await api("GET", "/v1/admin/events", undefined, org.accessToken)).items.find(
    (e) => e.name === "Techno Nacht",
  );
  const tiers = [{ key: "all", name: "Standing", amount: 2000, appliesTo: { areas: ["FLOOR", "BALCONY"] } }];
  const day = 86_400_000;
  await Promise.all(
    Array.from({ length: 12 }, async (_, i) => {
      const start = Date.now() + (40 + i) * day;
      const e = await api(
        "POST",
        "/v1/admin/events",
        {
          organizerId: techno.organizerId,
          venueId: techno.venueId,
          layoutId: techno.layoutId,
          name: `Club night ${i + 1}`,
          category: "concert",
          performers: ["Resident DJ"],
          description: "Paging test",
          startsAt: new Date(start).toISOString(),
          endsAt: new Date(start + 4 * 3_600_000).toISOString(),
          currency: "EUR",
        },
        org.accessToken,
      );
      await api("PUT", `/v1/admin/events/${e.id}/tiers`, { tiers }, org.accessToken);
      await api("POST", `/v1/admin/events/${e.id}/publish`, {}, org.accessToken);
    }),
  );
  const total = (await api("GET", "/v1/events?limit=100")).items.length;
  assert.ok(total > 12 && total <= 24, `listed events: ${total}`);

  const page = await newPage(env.browser, env.base, { phone: true });
  try {
    await page.goto("/");
    const cards = page.locator("[data-testid=event-card]");
    const more = page.locator("[data-testid=show-more]");
    await cards.nth(11).waitFor();
    assert.equal(await cards.count(), 12);
    assert.ok(await more.isVisible());
    await more.click();
    await cards.nth(total - 1).waitFor();
    await more.waitFor({ state: "hidden" });
    const ids = await cards.evaluateAll((els) => els.map((e) => e.getAttribute("data-event-id")));
    assert.equal(ids.length, total);
    assert.equal(new Set(ids).size, total, "no event twice");

    await page.fill("[data-testid=search]", "zzzqqq nothing here");
    await page.locator(".empty", { hasText: "No events match" }).waitFor();
    assert.equal(await more.isVisible(), false);
    assert.equal(await cards.count(), 0);
    await shot(page, "fl-3-no-match");
  } finally {
    await page.context().close();
  }
});

test("the event page, its card and My orders show the same time, in the venue's zone and named", {
  timeout: 60_000,
}, async () => {
  const id = await eventIdByName(env.base, "Techno Nacht");
  const fan = await login(DEMO_ACCOUNTS.fan);
  const h = await api("POST", `/v1/events/${id}/holds`, { area: "FLOOR", quantity: 1 }, fan.accessToken);
  await api("POST", `/v1/holds/${encodeURIComponent(h.holdId)}/checkout`, undefined, fan.accessToken, {
    "Idempotency-Key": crypto.randomUUID(),
  });
  // A visitor far from Berlin: the times must still be the club's, not the browser's.
  const context = await env.browser.newContext({
    baseURL: env.base,
    viewport: { width: 1280, height: 860 },
    timezoneId: "America/Los_Angeles",
  });
  context.setDefaultTimeout(STEP_MS);
  const page = await context.newPage();
  try {
    await signIn(page, DEMO_ACCOUNTS.fan);
    await page.goto(`/events/${id}`);
    const onEvent = (await page.locator("[data-testid=event-time]").innerText()).trim();
    assert.match(onEvent, /(CET|CEST|GMT\+[12] \(Europe\/Berlin\))$/, onEvent);
    assert.match(onEvent, /\b(19|20|07|08):00\b/, "the demo's events start at 19:00 UTC, 20:00 in Berlin in winter");

    await page.goto("/");
    const card = page.locator(`[data-testid=event-card][data-event-id="${id}"] [data-testid=event-card-time]`);
    assert.equal((await card.innerText()).trim(), onEvent);

    // The list reads the ledger, a moment behind the order.
    const row = page.locator("[data-testid=orders] li", { hasText: "Techno Nacht" });
    for (let i = 0; i < 20; i++) {
      await page.goto("/orders");
      await page.locator("h1", { hasText: "My orders" }).waitFor();
      if ((await row.count()) > 0) break;
      await page.waitForTimeout(500);
    }
    const inOrders = (await row.first().locator("[data-testid=order-event-time]").innerText()).trim();
    assert.equal(inOrders, onEvent);
    await shot(page, "fl-4-orders-time");
    console.log(`# Techno Nacht: "${onEvent}" on the event page, its card and My orders`);
  } finally {
    await context.close();
  }
});

test("two tabs whose access token went bad refresh it together, round after round, and stay signed in", {
  timeout: 90_000,
}, async () => {
  // Each tab holds its own copy of localStorage; the tab that refreshes second must not present
  // the refresh token the first one just spent (the server would take it for a stolen one and end
  // the sign-in, sending both tabs to /login).
  const id = await eventIdByName(env.base, "Hamlet");
  const one = await newPage(env.browser, env.base);
  try {
    await signIn(one, DEMO_ACCOUNTS.fan);
    const two = await one.context().newPage();
    const tabs = [one, two];
    await Promise.all(tabs.map((p) => goLive(p, id)));
    const read = (p) => p.evaluate(() => JSON.parse(localStorage.getItem("edge-tickets.session"))?.accessToken ?? null);
    for (let round = 0; round < 8; round++) {
      const stale = await one.evaluate(() => {
        const s = JSON.parse(localStorage.getItem("edge-tickets.session"));
        s.accessToken = `${s.accessToken.split(".").slice(0, 2).join(".")}.expired`;
        localStorage.setItem("edge-tickets.session", JSON.stringify(s));
        return s.accessToken;
      });
      await two.waitForFunction(
        (t) => JSON.parse(localStorage.getItem("edge-tickets.session")).accessToken === t,
        stale,
      );
      await Promise.all(tabs.map((p) => goLive(p, id)));
      for (const p of tabs) {
        assert.match(new URL(p.url()).pathname, /^\/events\//, `round ${round}: the tab stayed on the event`);
        const now = await read(p);
        assert.ok(now && now !== stale, `round ${round}: the tab holds a refreshed token`);
      }
    }
    // The session the tabs ended with is good at the server, not only in the browser.
    const res = await fetch(`${env.base}/v1/me`, { headers: { authorization: `Bearer ${await read(one)}` } });
    assert.equal(res.status, 200);
  } finally {
    await one.context().close();
  }
});
