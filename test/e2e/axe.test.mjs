// Accessibility of every page of the fan site and the organizer portal: axe-core (WCAG 2.0/2.1
// A and AA rules) runs on each page once its own content is drawn, and no serious or critical
// violation may remain. Live pages keep a WebSocket open, so each page waits for a selector of its
// own, never for network idle. The pages on a desktop (with their states: a seat picked, seats held,
// an order before and after paying, the cancel and refund confirmations, an open venue editor),
// then a phone's share of them, then the club's standing areas and the stadium's section overview.
// One throw-away server for the file (test/e2e/harness.mjs). About 100 s on a quiet machine.
import assert from "node:assert/strict";
import { test } from "node:test";
import { AxeBuilder } from "@axe-core/playwright";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, eventIdByName, newPage, serverForFile, signIn } from "./harness.mjs";

const env = serverForFile();
const TAGS = ["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"];
/** Each page (drawing and analysis) gets this long; a page over it counts as a failure. */
const PAGE_MS = 20_000;
const SEAT = "STALLS-H-7";

async function call(method, path, { token, body } = {}) {
  const res = await fetch(env.base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (res.status >= 300) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : null;
}

/** A one-row event of the demo organizer behind a waiting room whose sale opens in an hour. */
async function queuedEvent(token, organizerId) {
  const tag = Date.now().toString(36);
  const venue = await call("POST", "/v1/admin/venues", {
    token,
    body: {
      organizerId,
      name: `Queue Hall ${tag}`,
      address: "3 Line Street",
      city: "London",
      country: "GB",
      timezone: "Europe/London",
      region: "weur",
    },
  });
  const layout = await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
    token,
    body: { name: "One row", generate: { sections: [{ id: "A", name: "Front", rows: 1, seatsPerRow: 8 }] } },
  });
  const now = Date.now();
  const day = 86_400_000;
  const event = await call("POST", "/v1/admin/events", {
    token,
    body: {
      organizerId,
      venueId: venue.id,
      layoutId: layout.id,
      name: `Queued Sale ${tag}`,
      category: "concert",
      performers: ["The Line"],
      description: "A sale behind the waiting room.",
      startsAt: new Date(now + 10 * day).toISOString(),
      endsAt: new Date(now + 10 * day + 3 * 3_600_000).toISOString(),
      salesStartAt: new Date(now + 3_600_000).toISOString(),
      salesEndAt: new Date(now + 9 * day).toISOString(),
      currency: "GBP",
      refundDeadlineHours: 48,
    },
  });
  const path = `/v1/admin/events/${event.id}`;
  await call("PUT", `${path}/tiers`, {
    token,
    body: { tiers: [{ key: "front", name: "Front", amount: 4000, appliesTo: { sections: ["A"] } }] },
  });
  await call("POST", `${path}/publish`, { token, body: {} });
  await call("POST", `${path}/status`, { token, body: { status: "on_sale" } });
  await call("PUT", `${path}/queue`, { token, body: { enabled: true, ratePerMinute: 30, maxShopping: 2 } });
  return event.id;
}

/**
 * The analysis of one page. Only violations are returned in full: a seat map's hundreds of passing
 * seats would otherwise be copied out of the page for every rule (3.5 MB on the theatre). Pages
 * without frames run axe in the page itself (legacy mode), about four times faster on a seat map
 * than the default, which copies each frame's partial results into a blank page to finish there;
 * framed pages (the mailbox's sandboxed emails) keep the default, which reaches into the frames.
 */
const axe = (page) =>
  new AxeBuilder({ page })
    .withTags(TAGS)
    .options({ resultTypes: ["violations"] })
    .setLegacyMode(page.frames().length === 1);

const withDeadline = (promise, ms, what) => {
  let timer;
  const late = new Promise((_, reject) => {
    timer = setTimeout(() => reject(new Error(`${what} took over ${ms} ms`)), ms);
  });
  return Promise.race([promise, late]).finally(() => clearTimeout(timer));
};

/**
 * Audits pages one by one, printing each page's count as it goes (so a run cut short still shows
 * how far it got), and keeps every serious or critical violation and every page it could not check.
 */
function auditor() {
  const found = [];
  let checked = 0;
  const t0 = Date.now();
  /** Waits for the page's own `ready` selector, then runs axe on it; both within PAGE_MS. */
  const audit = async (page, name, ready) => {
    const start = Date.now();
    try {
      await page.locator(ready).first().waitFor({ timeout: PAGE_MS });
      const left = PAGE_MS - (Date.now() - start);
      const result = await withDeadline(axe(page).analyze(), left, "axe");
      const bad = result.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
      for (const v of bad) {
        found.push({
          page: name,
          id: v.id,
          impact: v.impact,
          nodes: v.nodes.length,
          target: v.nodes[0]?.target,
          why: v.nodes[0]?.failureSummary?.split("\n").slice(1).join(" ").trim(),
        });
      }
      checked++;
      const detail = bad.map((v) => `${v.id}×${v.nodes.length}`).join(", ");
      console.log(`# ${name}: ${bad.length} serious/critical${detail ? ` (${detail})` : ""}, ${Date.now() - start} ms`);
    } catch (err) {
      const why = err.message.split("\n")[0];
      found.push({ page: name, id: "not-checked", impact: "-", nodes: 0, target: [], why });
      console.log(`# ${name}: NOT CHECKED: ${why}`);
    }
  };
  return {
    audit,
    async visit(page, path, name, ready) {
      await page.goto(path);
      await audit(page, name, ready);
    },
    /** Prints what was found and fails on any of it. */
    verdict() {
      console.log(`# ${checked} pages checked in ${((Date.now() - t0) / 1000).toFixed(1)} s`);
      for (const f of found)
        console.log(`# ${f.impact} ${f.id} on ${f.page}: ${f.nodes} node(s), first ${f.target?.join(" ")}: ${f.why}`);
      assert.deepEqual(
        found.map((f) => `${f.page}: ${f.id}`),
        [],
      );
    },
  };
}

async function eventIds() {
  const ids = {};
  for (const [key, name] of [
    ["theatre", "Hamlet"],
    ["stadium", "Aurora World Tour"],
    ["club", "Techno Nacht"],
  ])
    ids[key] = await eventIdByName(env.base, name);
  return ids;
}

test("axe finds no serious or critical violation on the pages of the site and the portal", {
  timeout: 240_000,
}, async () => {
  const { audit, visit, verdict } = auditor();
  const org = await call("POST", "/v1/auth/login", {
    body: { email: DEMO_ACCOUNTS.organizer, password: DEMO_PASSWORD },
  });
  const organizerId = org.user.organizerId;
  const queued = await queuedEvent(org.accessToken, organizerId);
  // An open invitation, so the fan's invitations page and the portal's team page show one.
  await call("POST", `/v1/admin/organizers/${organizerId}/invitations`, {
    token: org.accessToken,
    body: { email: DEMO_ACCOUNTS.fan, role: "staff" },
  });
  const ids = await eventIds();
  const pages = [];
  try {
    // Signed out: the public pages and the sign-in forms.
    const guest = await newPage(env.browser, env.base);
    pages.push(guest);
    await visit(guest, "/", "home (signed out)", "[data-testid=event-card]");
    await visit(guest, `/events/${ids.theatre}`, "event: seated theatre (signed out)", "[data-seat]");
    await visit(guest, "/login", "sign in", "[data-testid=login-form] input[name=email]");
    await visit(guest, "/signup", "register", "[data-testid=signup-form] input[name=email]");
    await visit(guest, "/docs", "/docs", "#ops h2");

    // A fan: every kind of event, a hold, an order before and after paying, and their own pages.
    const fan = await newPage(env.browser, env.base);
    pages.push(fan);
    await signIn(fan, DEMO_ACCOUNTS.fan);
    await visit(fan, "/", "home", "[data-testid=event-card]");
    // The stadium opens on its section overview (checked in the last test below); one section's seats.
    await fan.goto(`/events/${ids.stadium}`);
    await fan.locator("g[data-section]").first().click();
    await audit(fan, "event: stadium, one section's seats", "[data-seat]");
    await visit(fan, `/events/${queued}`, "queue page", "[data-testid=queue-join]");
    await fan.getByTestId("queue-join").click();
    await audit(fan, "queue page (waiting)", "[data-testid=queue-state][data-state=waiting]");

    await fan.goto(`/events/${ids.theatre}`);
    // The map is drawn before the live seat states arrive: click until the seat shows selected.
    const seat = fan.locator(`[data-seat="${SEAT}"]`);
    await seat.waitFor();
    for (let i = 0; i < 20 && (await seat.getAttribute("data-state")) !== "selected"; i++) {
      await seat.click();
      await fan.waitForTimeout(100);
    }
    await audit(fan, "event: seated theatre, a seat picked", "[data-testid=hold-button]:not([disabled])");
    await fan.click("[data-testid=hold-button]");
    await audit(fan, "event: seated theatre, seats held", "[data-testid=hold-countdown]");
    await Promise.all([fan.waitForURL(/\/orders\/[^/]+$/), fan.click("[data-testid=checkout-button]")]);
    const orderId = decodeURIComponent(new URL(fan.url()).pathname.split("/").pop());
    await audit(fan, "order page (pending)", "[data-testid=pay-form]");
    await fan.locator("[data-testid=pay-form] button[value=pay]").click();
    await fan.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: PAGE_MS });
    await audit(fan, "order page with its ticket (paid)", "[data-testid=ticket-qr] img");
    await fan.getByTestId("cancel-start").click();
    await audit(fan, "order page, cancel to be confirmed", "[data-testid=cancel-confirm]");
    await fan.getByTestId("cancel-keep").click();
    await visit(fan, "/orders", "my orders", "[data-testid=orders] a");
    await visit(fan, "/account", "account", "[data-testid=account-form]");
    await visit(fan, "/invitations", "invitations", "[data-testid=invitation]");
    // The mailbox is a plain page, read once: open it once the purchase's email has been written
    // (the ledger and then the notifications queue carry it, a few seconds on a busy machine).
    for (let t0 = Date.now(); Date.now() - t0 < PAGE_MS; await fan.waitForTimeout(250)) {
      const { items } = await (await fan.request.get("/mailbox.json")).json();
      if (items.length) break;
    }
    await visit(fan, "/mailbox", "/mailbox", "article");

    // The organizer's portal, page by page.
    const owner = await newPage(env.browser, env.base);
    pages.push(owner);
    await signIn(owner, DEMO_ACCOUNTS.organizer);
    await visit(owner, "/admin", "portal: home", "[data-testid=admin-events] tbody tr");
    await visit(owner, "/admin/venues", "portal: venues", "[data-testid=venue]");
    await owner.locator("[data-testid=venue-edit] summary").first().click();
    await audit(owner, "portal: venues, a venue's editor open", "[data-testid=venue-edit-form]:visible");
    const builder = await owner.getByTestId("new-layout").first().getAttribute("href");
    await visit(owner, builder, "portal: layout builder", "[data-testid=layout-preview]");
    await visit(owner, "/admin/events/new", "portal: new event form", "[data-testid=event-form]");
    await visit(owner, `/admin/events/${ids.theatre}`, "portal: event dashboard (seated)", "[data-seat]");
    await visit(owner, `/admin/events/${ids.theatre}/edit`, "portal: event edit page", "[data-testid=details-form]");
    await visit(owner, `/admin/events/${ids.club}`, "portal: event dashboard (GA)", "[data-testid=sales-stats]");
    await visit(owner, `/admin/events/${queued}`, "portal: waiting-room panel", "[data-testid=room-commitment]");
    await visit(owner, `/admin/events/${ids.theatre}/orders`, "portal: orders list", "[data-testid=orders-table]");
    await visit(owner, `/admin/orders/${orderId}`, "portal: order page", "[data-testid=admin-ticket]");
    await owner.getByTestId("refund-all").click();
    await audit(owner, "portal: order page, refund to be confirmed", "[data-testid=refund-dialog][open]");
    await owner.keyboard.press("Escape");
    await visit(owner, "/admin/team", "portal: team", "[data-testid=invite-form]");
    await visit(owner, "/admin/check-in", "portal: check-in", "[data-testid=checkin-code]");
    await visit(owner, "/admin/fraud", "portal: fraud signals", "[data-testid=fraud-window]");
    await visit(owner, "/admin/notifications", "portal: notifications", "[data-testid=feed]");
    await visit(owner, "/admin/audit", "portal: audit log", "[data-testid=feed]");
    // Last: the scanner's start page installs a service worker for the portal's pages.
    await visit(owner, "/admin/scanner", "portal: gate scanner start page", "main h1");
  } finally {
    for (const p of pages) await p.context().close();
  }

  verdict();
});

test("axe finds no serious or critical violation on a phone", { timeout: 120_000 }, async () => {
  const { audit, visit, verdict } = auditor();
  const ids = await eventIds();
  const pages = [];
  try {
    const fan = await newPage(env.browser, env.base, { phone: true });
    pages.push(fan);
    await signIn(fan, DEMO_ACCOUNTS.fan);
    await visit(fan, "/", "phone: home", "[data-testid=event-card]");
    await visit(fan, `/events/${ids.theatre}`, "phone: event, seated theatre", "[data-seat]");
    await visit(fan, "/orders", "phone: my orders", "[data-testid=orders]");
    const first = fan.locator("[data-testid=orders] a").first();
    if (await first.count()) {
      await first.click();
      await audit(fan, "phone: order page", "[data-testid=order-status]");
    } else console.log("# phone: order page skipped: this fan has no order (the first test buys one)");
    await visit(fan, "/account", "phone: account", "[data-testid=account-form]");
    const steward = await newPage(env.browser, env.base, { phone: true });
    pages.push(steward);
    await signIn(steward, DEMO_ACCOUNTS.member);
    await visit(steward, "/admin", "phone: portal home", "[data-testid=admin-events] tbody tr");
    await visit(steward, "/admin/check-in", "phone: portal check-in", "[data-testid=checkin-code]");
    await visit(steward, `/admin/events/${ids.theatre}`, "phone: portal event dashboard", "[data-seat]");
    // Last: the scanner installs a service worker for its pages.
    await visit(steward, `/admin/events/${ids.theatre}/scanner`, "phone: gate scanner", "[data-testid=scanner-code]");
  } finally {
    for (const p of pages) await p.context().close();
  }
  verdict();
});

// The club's standing areas and the stadium's overview sections are buttons drawn as SVG text
// lines; their names start with the lines they show, in order, so what is read matches what is seen.
test("axe on the general-admission club and the stadium event pages", {
  timeout: 60_000,
}, async () => {
  const { visit, verdict } = auditor();
  const ids = await eventIds();
  const guest = await newPage(env.browser, env.base);
  try {
    await visit(guest, `/events/${ids.club}`, "event: general admission club", "[data-area-qty]");
    await visit(guest, `/events/${ids.stadium}`, "event: stadium overview", "g[data-section]");
  } finally {
    await guest.context().close();
  }
  verdict();
});
