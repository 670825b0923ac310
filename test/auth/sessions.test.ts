import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signAccessToken } from "../../src/auth/tokens";
import { call, expectProblem } from "../helpers/http";
import { createUser, uniq } from "../helpers/fixtures";

const ip = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const post = (path: string, body: unknown) => call("POST", path, { body, headers: { "CF-Connecting-IP": ip() } });

type Session = { user: { id: string; email: string }; accessToken: string; refreshToken: string };

/** Signs a fresh account up through the API. */
async function signedUp(): Promise<Session> {
  const res = await post("/v1/auth/signup", { email: `s-${uniq()}@example.test`, password: "a long enough password" });
  expect(res.status).toBe(201);
  return (await res.json()) as Session;
}

describe("/v1/me", () => {
  it("returns the caller's account", async () => {
    const s = await signedUp();
    const res = await call("GET", "/v1/me", { token: s.accessToken });
    expect(res.status).toBe(200);
    const me = (await res.json()) as Record<string, unknown>;
    expect(me).toMatchObject({
      id: s.user.id,
      email: s.user.email,
      role: "fan",
      organizerId: null,
      name: null,
      phone: null,
      notifications: { email: true, sms: false },
    });
    expect(new Date(me.createdAt as string).toISOString()).toBe(me.createdAt);
    expect(me).not.toHaveProperty("passwordHash");
  });

  it("answers 401 without a token, with a garbage token and with an expired token", async () => {
    const missing = await call("GET", "/v1/me");
    expect(missing.headers.get("www-authenticate")).toContain("Bearer");
    await expectProblem(missing, 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/me", { token: "not.a.jwt" }), 401, "unauthenticated");
    await expectProblem(
      await call("GET", "/v1/me", { headers: { Authorization: "Basic abc" } }),
      401,
      "unauthenticated",
    );
    const user = await createUser();
    const expired = await signAccessToken(
      { userId: user.id, email: user.email, role: "fan", organizerId: null },
      env,
      Date.now() - 3600_000,
    );
    await expectProblem(await call("GET", "/v1/me", { token: expired }), 401, "unauthenticated");
  });

  it("updates name, phone and notifications, and refuses SMS without a phone", async () => {
    const s = await signedUp();
    await expectProblem(
      await call("PATCH", "/v1/me", { token: s.accessToken, body: { notifications: { sms: true } } }),
      400,
      "validation_failed",
    );
    await expectProblem(
      await call("PATCH", "/v1/me", { token: s.accessToken, body: { role: "admin" } }),
      400,
      "validation_failed",
    );
    const res = await call("PATCH", "/v1/me", {
      token: s.accessToken,
      body: { name: "Grace", phone: "+447700900123", notifications: { sms: true, email: false } },
    });
    expect(res.status).toBe(200);
    expect(await res.json()).toMatchObject({
      name: "Grace",
      phone: "+447700900123",
      notifications: { sms: true, email: false },
    });
    const again = (await (await call("GET", "/v1/me", { token: s.accessToken })).json()) as Record<string, unknown>;
    expect(again).toMatchObject({ name: "Grace", notifications: { sms: true, email: false } });
  });
});

describe("refresh tokens", () => {
  it("rotates: a new pair works, the old token fails and revokes the family", async () => {
    const s = await signedUp();
    const first = await post("/v1/auth/refresh", { refreshToken: s.refreshToken });
    expect(first.status).toBe(200);
    const next = (await first.json()) as Session;
    expect(next.refreshToken).not.toBe(s.refreshToken);
    expect((await call("GET", "/v1/me", { token: next.accessToken })).status).toBe(200);

    // Replaying the spent token is treated as theft: 401, and the newest token dies with it.
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: s.refreshToken }), 401, "unauthenticated");
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: next.refreshToken }), 401, "unauthenticated");
  });

  it("lets only one of two concurrent uses of a token win", async () => {
    const s = await signedUp();
    const results = await Promise.all([
      post("/v1/auth/refresh", { refreshToken: s.refreshToken }),
      post("/v1/auth/refresh", { refreshToken: s.refreshToken }),
    ]);
    const statuses = results.map((r) => r.status).sort();
    await Promise.all(results.map((r) => r.body?.cancel()));
    expect(statuses).toEqual([200, 401]);
  });

  it("picks up a role change on refresh", async () => {
    const s = await signedUp();
    await env.DB.prepare("UPDATE users SET role = 'admin' WHERE id = ?").bind(s.user.id).run();
    const res = await post("/v1/auth/refresh", { refreshToken: s.refreshToken });
    expect(((await res.json()) as { user: { role: string } }).user.role).toBe("admin");
  });

  it("rejects an unknown refresh token", async () => {
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: "nope" }), 401, "unauthenticated");
  });

  it("logout revokes the family and is idempotent", async () => {
    const s = await signedUp();
    const rotated = (await (await post("/v1/auth/refresh", { refreshToken: s.refreshToken })).json()) as Session;
    expect((await post("/v1/auth/logout", { refreshToken: rotated.refreshToken })).status).toBe(204);
    expect((await post("/v1/auth/logout", { refreshToken: rotated.refreshToken })).status).toBe(204);
    expect((await post("/v1/auth/logout", { refreshToken: "unknown" })).status).toBe(204);
    await expectProblem(await post("/v1/auth/refresh", { refreshToken: rotated.refreshToken }), 401, "unauthenticated");
  });

  it("documents the auth and me routes in OpenAPI", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    for (const p of ["/v1/auth/signup", "/v1/auth/login", "/v1/auth/refresh", "/v1/auth/logout"])
      expect(doc.paths[p]?.post).toBeDefined();
    expect(doc.paths["/v1/me"]?.get).toBeDefined();
    expect(doc.paths["/v1/me"]?.patch).toBeDefined();
  });
});
