import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { buildAuditMessage, hashIp } from "../../src/audit/emit";
import { AuditPageSchema, FraudSchema } from "../../src/routes/admin/audit";
import { seedEvent } from "../helpers/catalog";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { auditMsg, runAudit, waitForRows } from "./helpers";

const list = async (token: string, qs: string) =>
  AuditPageSchema.parse(await expectJson(await call("GET", `/v1/admin/audit?${qs}`, { token }), 200));

describe("GET /v1/admin/audit", () => {
  it("filters by action prefix, entity and actor, newest first, with a seq cursor", async () => {
    const admin = await createUser({ role: "admin" });
    const actor = `usr_${uniq()}`;
    const ns = `t${uniq()}`;
    await runAudit([
      auditMsg({ action: `${ns}.paid`, actorId: actor, entityType: "order", entityId: "ord_1" }),
      auditMsg({ action: `${ns}.refund`, actorId: actor, entityType: "order", entityId: "ord_1" }),
      auditMsg({ action: `${ns}x.other`, actorId: actor }),
      auditMsg({ action: `${ns}.paid`, actorId: `usr_${uniq()}`, entityType: "order", entityId: "ord_2" }),
    ]);
    const byPrefix = await list(admin.token, `action=${ns}.`);
    expect(byPrefix.items.map((i) => i.action)).toEqual([`${ns}.paid`, `${ns}.refund`, `${ns}.paid`]);
    expect(byPrefix.items[0]!.seq).toBeGreaterThan(byPrefix.items[1]!.seq);
    expect((await list(admin.token, `action=${ns}.paid`)).items).toHaveLength(2);
    expect(
      (await list(admin.token, `action=${ns}.&entityType=order&entityId=ord_1`)).items.map((i) => i.action),
    ).toEqual([`${ns}.refund`, `${ns}.paid`]);
    expect((await list(admin.token, `actorId=${actor}`)).items).toHaveLength(3);
    const page1 = await list(admin.token, `actorId=${actor}&limit=2`);
    expect(page1.items).toHaveLength(2);
    const page2 = await list(admin.token, `actorId=${actor}&limit=2&cursor=${page1.nextCursor}`);
    expect(page2.items).toHaveLength(1);
    expect(page2.nextCursor).toBeNull();
  });

  it("shows organizers only their own entries, including order entries of their events", async () => {
    const ns = `t${uniq()}`;
    const mine = await seedEvent();
    const theirs = await seedEvent();
    const me = await createUser({
      role: "organizer",
      organizerId: (await env.DB.prepare("SELECT organizer_id AS o FROM events WHERE id = ?")
        .bind(mine.id)
        .first<{ o: string }>())!.o,
    });
    await runAudit([
      auditMsg({ action: `${ns}.catalog`, organizerId: me.organizerId, eventId: mine.id }),
      auditMsg({ action: `${ns}.paid`, eventId: mine.id, orderId: "ord_a" }),
      auditMsg({ action: `${ns}.paid`, eventId: theirs.id, orderId: "ord_b" }),
      auditMsg({ action: `${ns}.other` }),
    ]);
    const seen = await list(me.token, `action=${ns}.`);
    expect(seen.items.map((i) => i.action).sort()).toEqual([`${ns}.catalog`, `${ns}.paid`]);
    expect(seen.items.every((i) => i.ipHash === null)).toBe(true);
  });
});

describe("emission", () => {
  it("a failed login is audited without actor or email, and a sign-up with its account", async () => {
    const email = `Audit-${uniq()}@example.test`;
    const ip = `203.0.113.${Math.floor(Math.random() * 200)}`;
    const headers = { "CF-Connecting-IP": ip };
    const signup = await expectJson(
      await call("POST", "/v1/auth/signup", { headers, body: { email, password: "correct horse battery" } }),
      201,
    );
    expect(
      (await call("POST", "/v1/auth/login", { headers, body: { email, password: "wrong password!" } })).status,
    ).toBe(401);
    const ipHash = await hashIp(env, ip);
    // The real queue delivers the helper's messages to the worker's consumer.
    const rows = await waitForRows("ip_hash = ?", [ipHash], 2);
    const byAction = Object.fromEntries(rows.map((r) => [r.action, r]));
    expect(byAction["auth.signup"]).toMatchObject({
      actor_id: signup.user.id,
      entity_type: "user",
      entity_id: signup.user.id,
    });
    const failed = byAction["auth.login_failed"]!;
    expect(failed.actor_id).toBeNull();
    expect(failed.data).not.toContain(email.toLowerCase());
    expect(JSON.parse(failed.data!).emailHash).toMatch(/^[0-9a-f]{64}$/);
  });

  it("the helper's message, as built, is appended by the consumer", async () => {
    const msg = buildAuditMessage(
      { action: "auth.login_failed", actorId: null, data: { emailHash: "e".repeat(64) } },
      { actorId: "usr_x", ipHash: "i".repeat(64), requestId: "req-1" },
    );
    expect(msg.actorId).toBeNull();
    await runAudit([msg]);
    const [row] = await waitForRows("entry_id = ?", [msg.id], 1);
    expect(JSON.parse(row!.data!)).toEqual({ emailHash: "e".repeat(64), requestId: "req-1" });
  });

  it("a hold created then released through the Worker yields hold.created and hold.released", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const hold = await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, {
        token: fan.token,
        body: { seats: ["A-1-1", "A-1-2"] },
        headers: { "CF-Connecting-IP": "198.51.100.7" },
      }),
      201,
    );
    expect((await call("DELETE", `/v1/holds/${encodeURIComponent(hold.holdId)}`, { token: fan.token })).status).toBe(
      204,
    );
    const rows = await waitForRows("entity_type = 'hold' AND entity_id = ?", [hold.holdId], 2);
    expect(rows.map((r) => r.action)).toEqual(["hold.created", "hold.released"]);
    for (const r of rows)
      expect(r).toMatchObject({ actor_id: fan.id, event_id: event.id, ip_hash: await hashIp(env, "198.51.100.7") });
    expect(JSON.parse(rows[0]!.data!)).toMatchObject({ quantity: 2, seats: ["A-1-1", "A-1-2"] });
  });
});

describe("GET /v1/admin/fraud", () => {
  it("flags an account with 6 released holds and no purchase, and an IP hash with 5 failed logins", async () => {
    const admin = await createUser({ role: "admin" });
    const churner = `usr_${uniq()}`;
    const honest = `usr_${uniq()}`;
    const badIp = "b".repeat(56) + uniq();
    const now = Date.now();
    const msgs = [];
    for (let i = 0; i < 6; i++) {
      msgs.push(auditMsg({ action: "hold.created", actorId: churner, entityType: "hold", entityId: `h${i}`, at: now }));
      msgs.push(
        auditMsg({ action: "hold.released", actorId: churner, entityType: "hold", entityId: `h${i}`, at: now }),
      );
      msgs.push(auditMsg({ action: "hold.created", actorId: honest, at: now }));
      msgs.push(auditMsg({ action: "order.paid", actorId: honest, at: now }));
    }
    for (let i = 0; i < 5; i++)
      msgs.push(
        auditMsg({ action: "auth.login_failed", actorId: null, ipHash: badIp, data: { emailHash: `x${i}` }, at: now }),
      );
    await runAudit(msgs);
    const report = FraudSchema.parse(
      await expectJson(await call("GET", "/v1/admin/fraud?windowHours=1", { token: admin.token }), 200),
    );
    const flagged = report.holdChurn.accounts.find((a) => a.key === churner);
    expect(flagged).toMatchObject({ created: 6, released: 6, expired: 0, purchases: 0, churn: 1 });
    expect(report.holdChurn.accounts.find((a) => a.key === honest)).toBeUndefined();
    expect(report.failedLogins.ipHashes.find((r) => r.key === badIp)?.count).toBe(5);
    expect(report.scope).toBe("platform");
    const fan = await createUser();
    expect((await call("GET", "/v1/admin/fraud", { token: fan.token })).status).toBe(403);
  });

  it("shows an organizer its own events' signals, accounts with email and orders, no failed logins", async () => {
    const { org, event } = await setupEvent();
    const other = await setupEvent();
    const churner = await createUser({ email: `churn.${uniq()}@example.test` });
    const now = Date.now();
    const msgs = [];
    for (let i = 0; i < 5; i++) {
      for (const e of [event.id, other.event.id]) {
        const hold = { actorId: churner.id, eventId: e, entityType: "hold", entityId: `h${i}${e}`, at: now };
        msgs.push(auditMsg({ action: "hold.created", ...hold }), auditMsg({ action: "hold.released", ...hold }));
      }
      const orderId = `${other.event.id}~ord_f${i}${uniq()}`;
      msgs.push(auditMsg({ action: "payment.failed", actorId: churner.id, eventId: other.event.id, orderId, at: now }));
    }
    const failedOrder = `${event.id}~ord_mine${uniq()}`;
    msgs.push(
      auditMsg({ action: "payment.failed", actorId: churner.id, eventId: event.id, orderId: failedOrder, at: now }),
    );
    msgs.push(auditMsg({ action: "auth.login_failed", actorId: null, ipHash: "c".repeat(64), at: now }));
    await runAudit(msgs);

    const report = FraudSchema.parse(
      await expectJson(await call("GET", "/v1/admin/fraud?windowHours=1&minFailedLogins=1", { token: org.token }), 200),
    );
    expect(report.scope).toBe("organizer");
    // Only the five holds on this organizer's event count, not the five on the other organizer's.
    expect(report.holdChurn.accounts.find((a) => a.key === churner.id)).toMatchObject({ created: 5, released: 5 });
    // One failure here is under the threshold of 3; the other organizer's five are not seen.
    expect(report.paymentFailures.accounts.find((a) => a.key === churner.id)).toBeUndefined();
    expect(report.failedLogins).toEqual({ ipHashes: [], emailHashes: [] });
    expect(report.accountsInvolved[churner.id]).toEqual({
      email: churner.email,
      orders: [{ orderId: failedOrder, eventId: event.id }],
    });

    const theirs = FraudSchema.parse(
      await expectJson(await call("GET", "/v1/admin/fraud?windowHours=1", { token: other.org.token }), 200),
    );
    expect(theirs.paymentFailures.accounts.find((a) => a.key === churner.id)?.count).toBe(5);
    expect(theirs.accountsInvolved[churner.id]!.orders).toHaveLength(5);
    expect(theirs.accountsInvolved[churner.id]!.orders.every((o) => o.eventId === other.event.id)).toBe(true);
  });
});
