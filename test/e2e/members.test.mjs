// Browser test of membership by invitation: an owner invites a fan by email in the portal, the
// fan accepts on the site and then works in the portal. Run with `npm run test:e2e` (or
// `npm run build:ui && node --test test/e2e/members.test.mjs`); screenshots go to screenshots/.
import assert from "node:assert/strict";
import { test } from "node:test";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, newPage, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

/** A fresh fan account, signed up through the API, so the demo fan stays a fan for other tests. */
async function newFan(base) {
  const email = `invitee-${Date.now().toString(36)}@demo.test`;
  const res = await fetch(`${base}/v1/auth/signup`, {
    method: "POST",
    headers: { "content-type": "application/json", "x-forwarded-for": "127.0.0.2" },
    body: JSON.stringify({ email, password: DEMO_PASSWORD, name: "Ivy Invitee" }),
  });
  assert.equal(res.status, 201, await res.text());
  return email;
}

test("an owner invites a fan by email; the fan accepts on the site and opens the portal", {
  timeout: 90_000,
}, async () => {
  const email = await newFan(env.base);
  const owner = await newPage(env.browser, env.base);
  const fan = await newPage(env.browser, env.base);
  try {
    await signIn(owner, DEMO_ACCOUNTS.organizer);
    await owner.goto("/admin/team");
    const form = owner.locator("[data-testid=invite-form]");
    await form.locator("input[name=email]").fill(email);
    await form.locator("select[name=role]").selectOption("staff");
    await form.locator("button[type=submit]").click();
    const pending = owner.locator("[data-testid=invitations] tr", { hasText: email });
    await pending.waitFor();
    assert.match((await pending.textContent()) ?? "", /Pending/);
    await shot(owner, "m1-owner-invited");

    // Not a member yet: the portal still turns the fan away.
    await signIn(fan, email);
    await fan.goto("/admin");
    await fan.getByText("Organizers only").waitFor();

    await fan.goto("/");
    await fan.locator("nav a[href='/invitations']").click();
    const card = fan.locator("[data-testid=invitation]", { hasText: "Demo Live" });
    await card.waitFor();
    await shot(fan, "m2-fan-invitation");
    await card.locator("[data-testid=accept-invitation]").click();
    await fan.locator("[data-testid=invitation-accepted]").waitFor();
    await fan.click("[data-testid=open-portal]");
    await fan.locator("[data-testid=admin-events]").waitFor();
    assert.ok((await fan.locator("[data-testid=admin-events] tbody tr").count()) > 0, "the organizer's events");
    await shot(fan, "m3-fan-in-portal");

    // The owner's team page now lists the new member and no longer the invitation.
    await owner.reload();
    await owner.locator("[data-testid=members] tr", { hasText: email }).waitFor();
    assert.equal(await owner.locator("[data-testid=invitations] tr", { hasText: email }).count(), 0);
  } finally {
    await owner.context().close();
    await fan.context().close();
  }
});
