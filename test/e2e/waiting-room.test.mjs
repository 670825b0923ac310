// A flash sale through the waiting room, in the browser: the organizer switches the room on in the
// portal, four fans (each in their own browser context, phone-sized) pre-queue before the start,
// are admitted in the published shuffle order, two buy the only two seats, and the others are told
// "sold out" on the page they are looking at. A fan who leaves loses the admission token at once.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, SHOTS, newPage, serverForFile, shot, signIn } from "./harness.mjs";

/** The sale starts this long after the event is created: time for the portal step and four joins. */
const START_IN_MS = Number(process.env.E2E_QUEUE_START_MS ?? 30_000);
const SEATS = ["FRONT-A-1", "FRONT-A-2"];
const env = serverForFile();

async function call(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(env.base + path, {
    method,
    headers: {
      "content-type": "application/json",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : null };
}

async function ok(method, path, opts) {
  const r = await call(method, path, opts);
  if (r.status >= 300) throw new Error(`${method} ${path} → ${r.status}: ${JSON.stringify(r.body)}`);
  return r.body;
}

/** A two-seat event of the demo organizer whose sale opens START_IN_MS from now. */
async function twoSeatEvent(token, organizerId, tag) {
  const venue = await ok("POST", "/v1/admin/venues", {
    token,
    body: {
      organizerId,
      name: `Tiny Room ${tag}`,
      address: "2 Small Street",
      city: "London",
      country: "GB",
      timezone: "Europe/London",
      region: "weur",
    },
  });
  const layout = await ok("POST", `/v1/admin/venues/${venue.id}/layouts`, {
    token,
    body: {
      name: "Two seats",
      generate: { sections: [{ id: "FRONT", name: "Front", rows: 1, seatsPerRow: 2, shape: "straight" }] },
    },
  });
  const now = Date.now();
  const day = 86_400_000;
  const event = await ok("POST", "/v1/admin/events", {
    token,
    body: {
      organizerId,
      venueId: venue.id,
      layoutId: layout.id,
      name: `Flash Sale ${tag}`,
      category: "concert",
      performers: ["The Queue Band"],
      description: "Two seats, four fans, one fair queue.",
      startsAt: new Date(now + 10 * day).toISOString(),
      endsAt: new Date(now + 10 * day + 3 * 3_600_000).toISOString(),
      salesStartAt: new Date(now + START_IN_MS).toISOString(),
      salesEndAt: new Date(now + 9 * day).toISOString(),
      currency: "GBP",
      refundDeadlineHours: 48,
    },
  });
  const path = `/v1/admin/events/${event.id}`;
  await ok("PUT", `${path}/tiers`, {
    token,
    body: { tiers: [{ key: "front", name: "Front", amount: 5000, appliesTo: { sections: ["FRONT"] } }] },
  });
  await ok("POST", `${path}/publish`, { token, body: {} });
  await ok("POST", `${path}/status`, { token, body: { status: "on_sale" } });
  return { id: event.id, startsAt: now + START_IN_MS };
}

const state = (page) => page.getByTestId("queue-state");
/** The queue panel's one polite live region (what a screen reader is told). */
const spoken = (page) => page.getByTestId("queue-panel").locator('[aria-live="polite"]');
const inState = (page, s, timeout) => page.locator(`[data-testid=queue-state][data-state="${s}"]`).waitFor({ timeout });
const placeShown = (page, n) =>
  page
    .getByTestId("queue-position")
    .filter({ hasText: `You are number ${n} in the queue` })
    .waitFor();

/** Clicks "Join the queue" and returns the ticket the API handed out. */
async function join(fan, eventId, expected = 201) {
  const joined = fan.page.waitForResponse(
    (r) => r.url().endsWith(`/v1/events/${eventId}/queue`) && r.request().method() === "POST",
  );
  await fan.page.getByTestId("queue-join").click();
  const res = await joined;
  assert.equal(res.status(), expected, `${fan.name} joined with ${res.status()}`);
  fan.ticket = (await res.json()).ticket;
  await inState(fan.page, "waiting");
  return fan.ticket;
}

/** Holds one seat on the shop view (with the admission token), checks out and pays. */
async function buy(fan, eventId, seat) {
  const page = fan.page;
  // The map is drawn before the live seat states arrive, and a seat is not selectable until they
  // have: click until the page shows it selected.
  const selected = page.locator(`[data-seat="${seat}"][data-state="selected"]`);
  for (let i = 0; i < 20 && !(await selected.count()); i++) {
    await page.locator(`[data-seat="${seat}"][data-state="a"]`).click();
    await selected.waitFor({ timeout: 500 }).catch(() => {});
  }
  const holdReq = page.waitForRequest((r) => r.url().endsWith(`/v1/events/${eventId}/holds`) && r.method() === "POST");
  const holdRes = page.waitForResponse((r) => r.url().endsWith(`/v1/events/${eventId}/holds`));
  await page.getByTestId("hold-button").click();
  assert.ok((await holdReq).headers()["x-admission-token"], `${fan.name}'s hold carried no admission token`);
  assert.equal((await holdRes).status(), 201, `${fan.name}'s hold`);
  await page.getByTestId("hold-countdown").waitFor();
  const checkout = page.waitForRequest((r) => /\/v1\/holds\/[^/]+\/checkout$/.test(r.url()));
  await Promise.all([page.waitForURL(/\/orders\/[^/]+$/), page.getByTestId("checkout-button").click()]);
  assert.ok((await checkout).headers()["x-admission-token"], `${fan.name}'s checkout carried no admission token`);
  const pay = page.getByTestId("pay-form").locator("button[value=pay]");
  await pay.click();
  await page.getByTestId("order-status").filter({ hasText: "Paid" }).waitFor({ timeout: 20_000 });
}

test("a flash sale: pre-queue, fair admission, two buyers, sold out pushed, a leaver's token refused", {
  timeout: 90_000,
}, async () => {
  const t0 = Date.now();
  const mark = (what) => console.log(`# ${((Date.now() - t0) / 1000).toFixed(1)} s: ${what}`);
  const tag = Date.now().toString(36);
  const org = await ok("POST", "/v1/auth/login", {
    body: { email: DEMO_ACCOUNTS.organizer, password: DEMO_PASSWORD },
  });
  const event = await twoSeatEvent(org.accessToken, org.user.organizerId, tag);
  mark("event created");
  const pages = [];
  try {
    // The organizer switches the room on in the portal: 30 fans a minute, 2 shopping at once.
    const portal = await newPage(env.browser, env.base);
    pages.push(portal);
    await signIn(portal, DEMO_ACCOUNTS.organizer);
    await portal.goto(`/admin/events/${event.id}`);
    const room = portal.getByRole("region", { name: "Waiting room" });
    await room.getByLabel("Waiting room on").check();
    await room.getByLabel("Fans admitted per minute").fill("30");
    await room.getByLabel("Shoppers at once").fill("2");
    const saved = portal.waitForResponse(
      (r) => r.url().endsWith(`/v1/admin/events/${event.id}/queue`) && r.request().method() === "PUT",
    );
    await room.getByRole("button", { name: "Save waiting room" }).click();
    assert.equal((await saved).status(), 200);
    const fairness0 = await ok("GET", `/v1/events/${event.id}/queue/fairness`);
    assert.equal(fairness0.revealed, false);
    await room.getByTestId("room-commitment").filter({ hasText: fairness0.commitment }).waitFor();
    mark("room switched on in the portal");

    // Four fans, each signed up through the API and signed in through the site in their own context.
    const fans = await Promise.all(
      [0, 1, 2, 3].map(async (i) => {
        const email = `queue-fan-${i}-${tag}@demo.test`;
        const s = await ok("POST", "/v1/auth/signup", { body: { email, password: DEMO_PASSWORD, name: `Fan ${i}` } });
        const page = await newPage(env.browser, env.base, { phone: true });
        page.on("console", (m) => m.type() === "error" && console.log(`# [fan ${i} console] ${m.text()}`));
        pages.push(page);
        return { name: `fan ${i}`, email, token: s.accessToken, page, ticket: null };
      }),
    );
    // The first fan arrives signed out: the sign-in link brings them back to the event.
    const first = fans[0].page;
    await first.goto(`/events/${event.id}`);
    await first.getByTestId("queue-sign-in").click();
    await first.fill("[data-testid=login-form] input[name=email]", fans[0].email);
    await first.fill("[data-testid=login-form] input[name=password]", DEMO_PASSWORD);
    await Promise.all([
      first.waitForURL((u) => u.pathname === `/events/${event.id}`),
      first.click("[data-testid=login-form] button[type=submit]"),
    ]);
    await Promise.all(
      fans.slice(1).map(async (f) => {
        await signIn(f.page, f.email);
        await f.page.goto(`/events/${event.id}`);
      }),
    );
    for (const f of fans) await join(f, event.id);
    mark("four fans joined");
    assert.ok(Date.now() < event.startsAt, "the fans joined after the start; raise E2E_QUEUE_START_MS");

    // Before the start: every fan is in, with a countdown and the seed's commitment, but no number.
    for (const f of fans) {
      await f.page.getByTestId("queue-position").filter({ hasText: "drawn at random" }).waitFor();
      assert.match((await f.page.getByTestId("queue-countdown").textContent()) ?? "", /^\d+:\d\d$/);
      assert.equal(await f.page.getByTestId("queue-commitment").textContent(), fairness0.commitment);
    }
    await shot(fans[0].page, "q1-queue-before-start");
    // A reload (or a second tab) finds the same ticket instead of joining again.
    await fans[1].page.reload();
    await inState(fans[1].page, "waiting");
    assert.equal(await fans[1].page.getByTestId("queue-join").count(), 0);
    await portal.getByTestId("room-length").filter({ hasText: /^4$/ }).waitFor();
    // From here on no fan page reloads: everything after arrives over the socket (or its polling).
    for (const f of fans) await f.page.evaluate(() => (window.__noReload = true));

    // The start: the draw is revealed; the first two in the published order are admitted (the room
    // lets two shop at once) while the other two wait, numbered 1 and 2.
    const drawWait = event.startsAt - Date.now() + 15_000;
    await Promise.all(
      fans.map((f) =>
        f.page
          .getByTestId("queue-position")
          .filter({ hasText: /You are number \d/ })
          .or(f.page.locator('[data-testid=queue-state][data-state="admitted"]'))
          .first()
          .waitFor({ timeout: drawWait }),
      ),
    );
    const fairness = await ok("GET", `/v1/events/${event.id}/queue/fairness`);
    assert.equal(fairness.revealed, true);
    assert.equal(fairness.commitment, fairness0.commitment);
    assert.deepEqual([...fairness.order].sort(), fans.map((f) => f.ticket).sort());
    const ranked = fairness.order.map((t) => fans.find((f) => f.ticket === t));
    mark("the draw is out");
    await Promise.all([inState(ranked[0].page, "admitted"), inState(ranked[1].page, "admitted")]);
    await Promise.all([placeShown(ranked[2].page, 1), placeShown(ranked[3].page, 2)]);
    for (const f of ranked.slice(2)) assert.equal(await state(f.page).getAttribute("data-state"), "waiting");
    const views = await Promise.all(
      ranked.slice(0, 2).map((f) => ok("GET", `/v1/events/${event.id}/queue/${f.ticket}`, { token: f.token })),
    );
    assert.ok(Date.parse(views[0].admission.expiresAt) <= Date.parse(views[1].admission.expiresAt));
    await ranked[0].page.locator(`[data-seat="${SEATS[0]}"]`).waitFor();
    assert.match((await ranked[0].page.getByTestId("admission-time-left").textContent()) ?? "", /^\d+:\d\d$/);
    await spoken(ranked[0].page).filter({ hasText: "your turn" }).waitFor();
    await ranked[3].page.getByTestId("queue-shuffle").locator("summary").click();
    await ranked[3].page.getByTestId("queue-my-draw").filter({ hasText: "number 4 in the published order" }).waitFor();
    await shot(ranked[3].page, "q2-queue-waiting");
    // The fan's browser re-runs the draw from the revealed seed and gets the same order.
    await ranked[3].page.getByRole("button", { name: "Re-run the draw in this browser" }).click();
    await ranked[3].page.getByTestId("shuffle-result").filter({ hasText: "✓" }).waitFor();
    await ranked[3].page.getByTestId("queue-shuffle").scrollIntoViewIfNeeded();
    await shot(ranked[3].page, "q6-queue-check-the-shuffle");
    await shot(ranked[0].page, "q3-queue-admitted");
    mark("two admitted, two waiting");

    // The first admitted fan gives up: Leave. Their old token must stop working at once.
    const leaver = ranked[0];
    const oldToken = views[0].admission.token;
    await leaver.page.getByTestId("queue-leave").click();
    await inState(leaver.page, "left");
    await leaver.page.getByTestId("queue-join").filter({ hasText: "Join the queue again" }).waitFor();
    await shot(leaver.page, "q5-queue-left");
    const stale = await call("POST", `/v1/events/${event.id}/holds`, {
      token: leaver.token,
      headers: { "X-Admission-Token": oldToken },
      body: { seats: [SEATS[0]] },
    });
    // Not refused (the revocation is missing): give the seat back so the sale below still means something.
    if (stale.status === 201) await call("DELETE", `/v1/holds/${stale.body.holdId}`, { token: leaver.token });
    // They queue again, at the back: a new ticket behind the fourth fan.
    const again = await join(leaver, event.id);
    assert.notEqual(again, fairness.order[0]);

    // The freed slot goes to the third in the published order; the fourth is now first in line.
    await inState(ranked[2].page, "admitted");
    await Promise.all([placeShown(ranked[3].page, 1), placeShown(leaver.page, 2)]);
    mark("the leaver's slot went to the third");

    // Two buyers take the two seats (both hold before either pays, so nobody else is let in).
    await Promise.all([ranked[1].page, ranked[2].page].map((p, i) => p.locator(`[data-seat="${SEATS[i]}"]`).waitFor()));
    await Promise.all([buy(ranked[1], event.id, SEATS[0]), buy(ranked[2], event.id, SEATS[1])]);
    mark("both seats paid");

    // Sold out reaches the two still waiting on the page they have open.
    await Promise.all([inState(ranked[3].page, "sold_out", 20_000), inState(leaver.page, "sold_out", 20_000)]);
    for (const f of [ranked[3], leaver]) {
      assert.match((await state(f.page).textContent()) ?? "", /sold out/i);
      await spoken(f.page).filter({ hasText: "Sold out" }).waitFor();
      assert.equal(await f.page.evaluate(() => window.__noReload), true, `${f.name} reloaded`);
    }
    await shot(ranked[3].page, "q4-queue-sold-out");
    await portal.getByTestId("room-sold-out").filter({ hasText: "Yes" }).waitFor();

    assert.equal(stale.status, 403, `a hold with the leaver's old token answered ${stale.status}`);
    assert.match(stale.body?.code ?? "", /^admission_/);
    mark(`sold out seen; published order was ${ranked.map((f) => f.name).join(", ")}`);
  } catch (err) {
    // Where every page was when the scenario failed; bounded, so a stuck page cannot hang the report.
    for (const [i, p] of pages.entries()) {
      const seen = await Promise.race([
        p.evaluate(() => `${location.pathname} ${document.getElementById("toasts")?.textContent ?? ""}`),
        new Promise((r) => setTimeout(() => r("(page did not answer)"), 3000)),
      ]).catch(String);
      console.log(`# page ${i}: ${seen}`);
      await p.screenshot({ path: `${SHOTS}/q-failed-${i}.png`, timeout: 3000 }).catch(() => {});
    }
    throw err;
  } finally {
    for (const p of pages) await p.context().close();
  }
});
