// Browser test of the links in a fan's emails: a fan buys two seats; the confirmation email (from
// the local mailbox) links to the site's order page and to each ticket. Opened in a browser that
// is signed out, on a desktop and on a phone, a link asks for sign-in, says why, and after sign-in
// lands where it pointed: the order with its tickets, scrolled to the ticket the link named.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import { STEP_MS, eventIdByName, newPage, serverForFile, shot } from "./harness.mjs";

const env = serverForFile();
const PASSWORD = "correct horse battery";

async function api(method, path, { token, body, headers = {} } = {}) {
  const res = await fetch(`${env.base}${path}`, {
    method,
    headers: {
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...(body ? { "content-type": "application/json" } : {}),
      ...headers,
    },
    body: body ? JSON.stringify(body) : undefined,
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}

/** A new fan buys `seats` through the API and gets the confirmation email; returns its links. */
async function buyAndReadEmail(eventId, seats) {
  const email = `linker.${randomUUID().slice(0, 8)}@example.test`;
  const { accessToken: token } = await api("POST", "/v1/auth/signup", { body: { email, password: PASSWORD } });
  const { holdId } = await api("POST", `/v1/events/${eventId}/holds`, { token, body: { seats } });
  const order = await api("POST", `/v1/holds/${encodeURIComponent(holdId)}/checkout`, {
    token,
    headers: { "Idempotency-Key": randomUUID() },
  });
  await api("POST", order.payment.paymentUrl, { token, body: { card: "4242424242424242" } });
  const deadline = Date.now() + 30_000;
  while (Date.now() < deadline) {
    const { items } = await api("GET", "/mailbox.json");
    const mail = items.find((n) => n.recipient === email && n.kind === "booking_confirmed" && n.channel === "email");
    if (mail?.bodyHtml) {
      const links = [...mail.bodyHtml.matchAll(/<a href="([^"]+)">([^<]+)<\/a>/g)].map((m) => ({
        url: m[1].replaceAll("&amp;", "&"),
        label: m[2],
      }));
      return { email, orderId: order.orderId, links };
    }
    await new Promise((r) => setTimeout(r, 300));
  }
  throw new Error(`no confirmation email for ${email}`);
}

/** The link as this test server serves it: the email names the configured public address. */
const here = (url) => {
  const u = new URL(url);
  return `${u.pathname}${u.search}${u.hash}`;
};

for (const phone of [false, true]) {
  const tag = phone ? "phone" : "desktop";
  test(`an email's ticket link, opened signed out on a ${tag}, signs in and lands on that ticket`, {
    timeout: 60_000,
  }, async () => {
    const eventId = await eventIdByName(env.base, "Hamlet");
    const seats = phone ? ["STALLS-M-1", "STALLS-M-2"] : ["STALLS-M-5", "STALLS-M-6"];
    const { email, orderId, links } = await buyAndReadEmail(eventId, seats);
    const ticketLinks = links.filter((l) => l.label.startsWith("Ticket "));
    const orderLink = links.find((l) => l.label === "Your order");
    assert.equal(ticketLinks.length, 2);
    assert.ok(orderLink, "the email links to the order");
    // Every link is a page of the site, never an API address.
    for (const l of links) assert.doesNotMatch(new URL(l.url).pathname, /^\/v1\//, l.url);
    assert.equal(here(orderLink.url), `/orders/${encodeURIComponent(orderId)}`);
    // Seats are named as people say them.
    assert.match(ticketLinks[1].label, /^Ticket Stalls · Row M · Seat \d \(QR code\)$/);

    const page = await newPage(env.browser, env.base, { phone });
    try {
      const target = here(ticketLinks[1].url);
      await page.goto(target);
      await page.waitForURL(/\/login\?next=/, { timeout: STEP_MS });
      assert.equal(new URL(page.url()).searchParams.get("next"), target);
      await page
        .locator("[data-testid=signin-reason]", { hasText: "Sign in to see your order and its tickets." })
        .waitFor();
      await shot(page, `el1-signin-from-email-${tag}`);
      await page.fill("[data-testid=login-form] input[name=email]", email);
      await page.fill("[data-testid=login-form] input[name=password]", PASSWORD);
      await Promise.all([
        page.waitForURL((u) => u.pathname.startsWith("/orders/")),
        page.click("[data-testid=login-form] button[type=submit]"),
      ]);
      const landed = new URL(page.url());
      assert.equal(`${landed.pathname}${landed.hash}`, target);
      await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor();
      // The ticket the link named is on screen, with its QR code.
      const ticket = page.locator(target.slice(target.indexOf("#")));
      await ticket.locator("svg, img, canvas").first().waitFor();
      const box = await ticket.boundingBox();
      const view = page.viewportSize();
      assert.ok(
        box && box.y < view.height && box.y + box.height > 0,
        `the linked ticket is in view: ${JSON.stringify(box)}`,
      );
      await shot(page, `el2-ticket-from-email-${tag}`);
    } finally {
      await page.context().close();
    }
  });
}
