import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { cacheSeconds, checkCurrent, currentUser, MAX_CACHE_SECONDS } from "../../src/auth/revocation";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

const ip = () => `192.168.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const post = (path: string, body: unknown) => call("POST", path, { body, headers: { "CF-Connecting-IP": ip() } });
const password = "a long enough password";

type Session = { user: { id: string; email: string }; accessToken: string; refreshToken: string };

async function signedUp(): Promise<Session> {
  return (await expectJson(
    await post("/v1/auth/signup", { email: `rv-${uniq()}@example.test`, password }),
    201,
  )) as Session;
}

/** Holds read no store and are not guarded: an old token still holds seats until it expires. */
async function expectHoldWorks(token: string, eventId: string, seat: string) {
  await expectJson(await call("POST", `/v1/events/${eventId}/holds`, { token, body: { seats: [seat] } }), 201);
}

describe("revoked access stops working on guarded routes", () => {
  it("a removed member's existing token no longer reads the organizer's events and orders", async () => {
    const { event, org } = await setupEvent();
    const member = await createUser({ role: "organizer", organizerId: org.organizerId! });
    const admin = await createUser({ role: "admin" });
    const reads = [`/v1/admin/events/${event.id}`, `/v1/admin/events/${event.id}/orders`];
    for (const path of reads) expect((await call("GET", path, { token: member.token })).status).toBe(200);

    const removed = await call("DELETE", `/v1/admin/organizers/${org.organizerId}/members/${member.id}`, {
      token: admin.token,
    });
    expect(removed.status).toBe(204);
    for (const path of reads) {
      const res = await call("GET", path, { token: member.token });
      expect([403, 404]).toContain(res.status);
      await res.body?.cancel();
    }
    await expectHoldWorks(member.token, event.id, "A-1-1");
  });

  it("after logout-all the old token is 401 on /v1/me, its refresh token is dead, and holds still work", async () => {
    const { event } = await setupEvent();
    const s = await signedUp();
    expect((await call("GET", "/v1/me", { token: s.accessToken })).status).toBe(200);
    expect((await call("POST", "/v1/auth/logout-all", { token: s.accessToken })).status).toBe(204);

    const me = await call("GET", "/v1/me", { token: s.accessToken });
    expect(me.headers.get("www-authenticate")).toContain("invalid_token");
    await expectProblem(me, 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/orders", { token: s.accessToken }), 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/tickets", { token: s.accessToken }), 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/me/invitations", { token: s.accessToken }), 401, "unauthenticated");
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: s.refreshToken }), 401, "unauthenticated");
    await expectHoldWorks(s.accessToken, event.id, "A-1-2");

    // Signing in again starts a session at the new version.
    const again = (await expectJson(await post("/v1/auth/login", { email: s.user.email, password }), 200)) as Session;
    expect((await call("GET", "/v1/me", { token: again.accessToken })).status).toBe(200);
  });

  it("logout-all needs an access token", async () => {
    await expectProblem(await call("POST", "/v1/auth/logout-all"), 401, "unauthenticated");
  });

  it("after a role change the old token is refused on admin routes, operator routes included", async () => {
    const admin = await createUser({ role: "admin" });
    expect((await call("GET", "/v1/admin/organizers", { token: admin.token })).status).toBe(200);
    await env.DB.prepare("UPDATE users SET role = 'fan' WHERE id = ?").bind(admin.id).run();
    await expectProblem(await call("GET", "/v1/admin/organizers", { token: admin.token }), 403, "forbidden");
    await expectProblem(await call("GET", "/v1/admin/fraud", { token: admin.token }), 403, "forbidden");
    await expectProblem(await call("GET", "/v1/admin/metrics", { token: admin.token }), 403, "forbidden");
  });

  it("after refresh-token reuse revokes the family, its access tokens are refused on /v1/me", async () => {
    const { event } = await setupEvent();
    const s = await signedUp();
    const next = (await expectJson(await post("/v1/auth/refresh", { refreshToken: s.refreshToken }), 200)) as Session;
    expect((await call("GET", "/v1/me", { token: next.accessToken })).status).toBe(200);

    // The spent token again: reuse, so the family is revoked and the session version bumped.
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: s.refreshToken }), 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/me", { token: next.accessToken }), 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/me", { token: s.accessToken }), 401, "unauthenticated");
    await expectHoldWorks(next.accessToken, event.id, "A-1-3");
  });

  it("logout ends that session's access token; another device recovers with one refresh", async () => {
    const phone = await signedUp();
    const laptop = (await expectJson(
      await post("/v1/auth/login", { email: phone.user.email, password }),
      200,
    )) as Session;
    expect((await post("/v1/auth/logout", { refreshToken: phone.refreshToken })).status).toBe(204);
    await expectProblem(await call("GET", "/v1/me", { token: phone.accessToken }), 401, "unauthenticated");

    // The version is per account, so the laptop's access token is refused too; its refresh token lives.
    await expectProblem(await call("GET", "/v1/me", { token: laptop.accessToken }), 401, "unauthenticated");
    const renewed = (await expectJson(
      await post("/v1/auth/refresh", { refreshToken: laptop.refreshToken }),
      200,
    )) as Session;
    expect((await call("GET", "/v1/me", { token: renewed.accessToken })).status).toBe(200);
    // A repeated logout of an ended session bumps nothing.
    expect((await post("/v1/auth/logout", { refreshToken: phone.refreshToken })).status).toBe(204);
    expect((await call("GET", "/v1/me", { token: renewed.accessToken })).status).toBe(200);
  });
});

describe("the per-isolate cache", () => {
  it("serves an account for at most 60 s, then reads D1 again", async () => {
    const user = await createUser();
    const t0 = Date.now();
    const ttl = { ttlSeconds: MAX_CACHE_SECONDS };
    expect(await currentUser(env, user.id, t0, ttl)).toMatchObject({ cached: false, current: { tokenVersion: 0 } });
    await env.DB.prepare("UPDATE users SET token_version = 1 WHERE id = ?").bind(user.id).run();
    expect(await currentUser(env, user.id, t0 + 59_999, ttl)).toMatchObject({
      cached: true,
      current: { tokenVersion: 0 },
    });
    expect(await currentUser(env, user.id, t0 + 60_000, ttl)).toMatchObject({
      cached: false,
      current: { tokenVersion: 1 },
    });
  });

  it("re-reads a cached entry that a newer token disagrees with instead of refusing it", async () => {
    const user = await createUser();
    const t0 = Date.now();
    await currentUser(env, user.id, t0, { ttlSeconds: MAX_CACHE_SECONDS });
    await env.DB.prepare("UPDATE users SET token_version = 1 WHERE id = ?").bind(user.id).run();
    const auth = { userId: user.id, email: user.email, role: user.role, organizerId: null, tokenVersion: 1 };
    expect(await checkCurrent(env, auth, t0 + 1_000)).toMatchObject({ userId: user.id, tokenVersion: 1 });
  });

  it("never trusts an entry longer than 60 s, whatever the variable says", () => {
    const at = (v: string) => cacheSeconds({ ...env, SESSION_CACHE_SECONDS: v });
    expect([at("3600"), at("30"), at("0"), at("-5"), at("soon")]).toEqual([60, 30, 0, 0, 60]);
  });
});
