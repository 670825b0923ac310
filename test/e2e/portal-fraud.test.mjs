// Browser test of the portal's fraud signals: a fan holds seats and lets them go five times and has
// three payments declined; the organizer opens Fraud signals from the portal's home, finds the fan
// by email under hold churn and payment failures, follows a link to one of the failed orders, and
// axe finds nothing serious on the page.
import assert from "node:assert/strict";
import { randomUUID } from "node:crypto";
import { test } from "node:test";
import AxeBuilder from "@axe-core/playwright";
import { DEMO_ACCOUNTS, STEP_MS, eventIdByName, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

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

test("an organizer sees a fan's hold churn and failed payments, and follows a link to the order", {
  timeout: 90_000,
}, async () => {
  const eventId = await eventIdByName(env.base, "Hamlet");
  const email = `churner.${randomUUID().slice(0, 8)}@example.test`;
  const { accessToken: token } = await api("POST", "/v1/auth/signup", {
    body: { email, password: "correct horse battery" },
  });
  const seats = ["STALLS-K-1", "STALLS-K-2", "STALLS-K-3", "STALLS-K-4", "STALLS-K-5"];
  for (const seat of seats) {
    const { holdId } = await api("POST", `/v1/events/${eventId}/holds`, { token, body: { seats: [seat] } });
    await api("DELETE", `/v1/holds/${encodeURIComponent(holdId)}`, { token });
  }
  const failed = [];
  for (const seat of seats.slice(0, 3)) {
    const { holdId } = await api("POST", `/v1/events/${eventId}/holds`, { token, body: { seats: [seat] } });
    const order = await api("POST", `/v1/holds/${encodeURIComponent(holdId)}/checkout`, {
      token,
      headers: { "Idempotency-Key": randomUUID() },
    });
    const paid = await api("POST", order.payment.paymentUrl, { token, body: { action: "decline" } });
    assert.equal(paid.result, "declined");
    failed.push(order.orderId);
  }

  const org = await newPage(env.browser, env.base);
  try {
    await signIn(org, DEMO_ACCOUNTS.organizer);
    await org.goto("/admin");
    await Promise.all([
      org.waitForURL(/\/admin\/fraud/),
      org.getByRole("link", { name: "Fraud signals", exact: true }).click(),
    ]);
    // The audit log (which the report reads) follows the requests through a queue: reload until it shows.
    const churn = org.getByRole("region", { name: "Hold churn by account" }).locator("tr", { hasText: email });
    const failures = org.getByRole("region", { name: "Payment failures by account" }).locator("tr", { hasText: email });
    const deadline = Date.now() + 30_000;
    while (Date.now() < deadline && !((await churn.count()) && (await failures.count()))) {
      await org.waitForTimeout(500);
      await org.reload();
      await org.locator("h1", { hasText: "Fraud signals" }).waitFor({ timeout: STEP_MS });
    }
    // Five holds, five let go (at least: the declines' holds also ended without a sale), none bought.
    const cells = (await churn.locator("td").allTextContents()).map((t) => t.trim());
    assert.ok(Number(cells[1]) >= 5 && cells[4] === "0" && cells[5] === "100%", cells.join(" | "));
    assert.equal((await failures.locator("td").nth(1).textContent())?.trim(), "3");
    assert.match(await org.locator("main").textContent(), /Your organizer's events only/);
    await shot(org, "f1-portal-fraud");

    const axe = await new AxeBuilder({ page: org }).withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"]).analyze();
    const serious = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
    assert.deepEqual(
      serious.map((v) => `${v.id}: ${v.nodes[0]?.target}`),
      [],
    );

    const link = failures.getByRole("link").first();
    const href = decodeURIComponent((await link.getAttribute("href")) ?? "");
    assert.ok(
      failed.some((id) => href.endsWith(id)),
      `${href} is one of the declined orders`,
    );
    await Promise.all([org.waitForURL(/\/admin\/orders\//), link.click()]);
    await org.locator("[data-testid=admin-order-status]", { hasText: "Failed" }).waitFor({ timeout: STEP_MS });
  } finally {
    await org.context().close();
  }
});
