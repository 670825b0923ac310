// Browser test of the portal's orders: a fan buys two seats; the organizer finds the order by the
// fan's email, refunds one ticket after confirming the amount, downloads the attendee and order
// exports (CSV) and parses them, and resends the confirmation.
// One throw-away server for the file (test/e2e/harness.mjs); screenshots go to screenshots/.
import assert from "node:assert/strict";
import { readFileSync } from "node:fs";
import { test } from "node:test";
import { DEMO_ACCOUNTS, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

/** RFC 4180 rows (quoted cells, doubled quotes, CRLF), without the byte-order mark. */
function parseCsv(text) {
  const rows = [];
  let row = [];
  let cell = "";
  let quoted = false;
  const s = text.replace(/^\uFEFF/, "");
  for (let i = 0; i < s.length; i++) {
    const ch = s[i];
    if (quoted && ch === '"' && s[i + 1] === '"') {
      cell += '"';
      i++;
    } else if (ch === '"') {
      quoted = !quoted;
    } else if (!quoted && ch === ",") {
      row.push(cell);
      cell = "";
    } else if (!quoted && ch === "\n") {
      row.push(cell);
      rows.push(row);
      row = [];
      cell = "";
    } else if (quoted || ch !== "\r") {
      cell += ch;
    }
  }
  return rows;
}
const SEATS = ["STALLS-J-4", "STALLS-J-5"];

/** The fan holds `SEATS`, checks out and pays on the simulated form; returns the order id. */
async function fanBuys(page, eventId) {
  await signIn(page, DEMO_ACCOUNTS.fan);
  await page.goto(`/events/${eventId}`);
  for (const seat of SEATS) {
    // The map is drawn before the live seat states arrive: click until the seat shows selected.
    const el = page.locator(`[data-seat="${seat}"]`);
    await el.waitFor();
    for (let i = 0; i < 20 && (await el.getAttribute("data-state")) !== "selected"; i++) {
      await el.click();
      await page.waitForTimeout(100);
    }
  }
  await page.click("[data-testid=hold-button]");
  await page.locator("[data-testid=hold-countdown]").waitFor();
  await Promise.all([page.waitForURL(/\/orders\/[^/]+$/), page.click("[data-testid=checkout-button]")]);
  const orderId = decodeURIComponent(new URL(page.url()).pathname.split("/").pop());
  await page.locator("[data-testid=pay-form] button[value=pay]").click();
  await page.locator("[data-testid=order-status]", { hasText: "Paid" }).waitFor({ timeout: 20_000 });
  return orderId;
}

test("an organizer finds an order by email, refunds a ticket after confirming, resends the email, exports CSV", {
  timeout: 60_000,
}, async () => {
  const eventId = await eventIdByName(env.base, "Hamlet");
  const fan = await newPage(env.browser, env.base);
  const org = await newPage(env.browser, env.base);
  try {
    const t0 = Date.now();
    const step = (name) => console.log(`# ${name} at ${Date.now() - t0} ms`);
    const orderId = await fanBuys(fan, eventId);
    step("fan paid");

    await signIn(org, DEMO_ACCOUNTS.organizer);
    await org.goto(`/admin/events/${eventId}`);
    await Promise.all([org.waitForURL(/\/orders$/), org.click("[data-testid=orders-link]")]);
    // Part of the email, in another case: the list is D1's, about a second behind the sale.
    await org.getByLabel("Search orders").fill("FAN@Demo");
    const row = org.locator(`[data-testid=order-row][data-order="${orderId}"]`);
    for (let i = 0; i < 30 && !(await row.count()); i++) {
      await org.getByRole("button", { name: "Search", exact: true }).click();
      await org.waitForTimeout(300);
    }
    await row.waitFor();
    step("order found");
    assert.match(await row.textContent(), /Stalls · Row J · Seat 4, Stalls · Row J · Seat 5/);
    assert.equal(await org.locator("[data-testid=orders-table] th[scope=col]").count(), 6);
    await shot(org, "o1-portal-orders");

    await Promise.all([org.waitForURL(/\/admin\/orders\//), row.getByRole("link").click()]);
    await org.locator("[data-testid=admin-ticket]").nth(1).waitFor();
    await org.getByLabel("Select Stalls · Row J · Seat 5 for a refund").check();
    const trigger = org.getByRole("button", { name: "Refund selected tickets" });
    await trigger.click();
    const dialog = org.getByRole("dialog", { name: "Confirm the refund" });
    await dialog.waitFor();
    // The amount is shown before anything is sent, and focus is inside the dialog.
    assert.equal(await dialog.getByTestId("refund-amount").textContent(), "£65.00");
    assert.ok(await dialog.evaluate((d) => d.contains(document.activeElement)));
    await shot(org, "o2-portal-refund-confirm");
    const sent = org.waitForRequest((r) => r.url().endsWith("/refund") && r.method() === "POST");
    await dialog.getByRole("button", { name: "Refund £65.00" }).click();
    const request = await sent;
    assert.ok(request.headers()["idempotency-key"], "the confirmation carries an Idempotency-Key");
    assert.deepEqual(request.postDataJSON().ticketIds.length, 1);
    await org.locator("[data-testid=order-notice]", { hasText: "Refund of £65.00: succeeded" }).waitFor();
    await org.locator("[data-testid=admin-order-status]", { hasText: "Partially refunded" }).waitFor();
    await org.locator("[data-testid=admin-refund]", { hasText: "Stalls · Row J · Seat 5" }).waitFor();
    await shot(org, "o3-portal-order-refunded");

    step("refunded");
    // The fan's own order page shows that ticket refunded and the other still valid.
    await fan.reload();
    const ticket = (seat) => fan.locator("[data-testid=ticket]", { hasText: `Stalls · Row J · Seat ${seat}` });
    await ticket(5).locator(".badge", { hasText: "Refunded" }).waitFor();
    assert.equal(await ticket(4).locator(".badge").textContent(), "Valid");

    // A second confirmation email, as its own message in the local mailbox.
    await org.getByRole("button", { name: "Resend confirmation" }).click();
    await org
      .locator("[data-testid=order-notice]", { hasText: /Confirmation to .+: sent/ })
      .waitFor({ timeout: 25_000 });
    step("resent");
    const mail = await (await fetch(`${env.base}/mailbox.json`)).json();
    const confirmations = mail.items.filter(
      (n) => n.orderId === orderId && n.kind === "booking_confirmed" && n.channel === "email",
    );
    assert.deepEqual(
      confirmations.map((n) => n.status),
      ["sent", "sent"],
    );
    await org.goto("/mailbox");
    const shown = org.locator("article", { hasText: "booking_confirmed" }).filter({ hasText: DEMO_ACCOUNTS.fan });
    assert.equal(await shown.count(), 2);
    // The attendee export, downloaded from the orders page and parsed, lists both tickets with their
    // state; the ledger follows the refund about a second later, so it is fetched until it shows.
    await org.goto(`/admin/events/${eventId}/orders`);
    let mine = [];
    for (let i = 0; i < 20; i++) {
      const [download] = await Promise.all([org.waitForEvent("download"), org.getByTestId("export-attendees").click()]);
      assert.match(download.suggestedFilename(), /^hamlet.*-attendees\.csv$/);
      const rows = parseCsv(readFileSync(await download.path(), "utf8"));
      assert.deepEqual(rows[0].slice(0, 4), ["ticket_id", "order_id", "place", "tier"]);
      mine = rows.filter((r) => r[1] === orderId).map((r) => `${r[2]}: ${r[6]}`);
      if (mine.includes("Stalls · Row J · Seat 5: refunded")) break;
      await org.waitForTimeout(500);
    }
    assert.deepEqual(mine.sort(), ["Stalls · Row J · Seat 4: valid", "Stalls · Row J · Seat 5: refunded"]);
    const [orders] = await Promise.all([org.waitForEvent("download"), org.getByTestId("export-orders").click()]);
    const orderRow = parseCsv(readFileSync(await orders.path(), "utf8")).find((r) => r[0] === orderId);
    assert.deepEqual(orderRow?.slice(1, 7), ["partially_refunded", DEMO_ACCOUNTS.fan, "2", "130.00", "65.00", "GBP"]);
    step("exports downloaded");
  } finally {
    await fan.context().close();
    await org.context().close();
  }
});
