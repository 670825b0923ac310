import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, beforeAll, describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { expectProblem } from "../helpers/http";
import { createUser, uniq } from "../helpers/fixtures";

const ISSUER = "https://idp.example.test";
const JWKS_URL = `${ISSUER}/jwks`;
const AUDIENCE = "edge-tickets-oidc-test";
const oidcEnv = { ...env, OIDC_ISSUER: ISSUER, OIDC_JWKS_URL: JWKS_URL, OIDC_AUDIENCE: AUDIENCE };

type Jwk = JsonWebKey & { kid: string };

/** An RS256 key pair as JWKs; the private half keeps the kid so hono's sign puts it in the header. */
async function rsaKeyPair(kid: string) {
  const pair = (await crypto.subtle.generateKey(
    { name: "RSASSA-PKCS1-v1_5", modulusLength: 2048, publicExponent: new Uint8Array([1, 0, 1]), hash: "SHA-256" },
    true,
    ["sign", "verify"],
  )) as CryptoKeyPair;
  const pub = (await crypto.subtle.exportKey("jwk", pair.publicKey)) as JsonWebKey;
  const priv = (await crypto.subtle.exportKey("jwk", pair.privateKey)) as JsonWebKey;
  return {
    publicJwk: { ...pub, kid, alg: "RS256", use: "sig" } as Jwk,
    privateJwk: { ...priv, kid, alg: "RS256" } as Jwk,
  };
}

let idp: Awaited<ReturnType<typeof rsaKeyPair>>;
let rogue: Awaited<ReturnType<typeof rsaKeyPair>>;
const server = setupServer(http.get(JWKS_URL, () => HttpResponse.json({ keys: [idp.publicJwk] })));

beforeAll(async () => {
  idp = await rsaKeyPair("idp-1");
  // Same kid as the IdP's key, so only the signature tells them apart.
  rogue = await rsaKeyPair("idp-1");
  server.listen({ onUnhandledRequest: "error" });
});
afterAll(() => server.close());

/** Calls the app with OIDC switched on (wrangler.toml leaves it off). */
async function callOidc(path: string, token: string, bindings: Record<string, unknown> = oidcEnv) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request(`http://edge.test${path}`, { headers: { Authorization: `Bearer ${token}` } }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

function idToken(claims: Record<string, unknown>, key: Jwk = idp.privateJwk) {
  const now = Math.floor(Date.now() / 1000);
  return sign({ iss: ISSUER, aud: AUDIENCE, iat: now, exp: now + 300, ...claims }, key, "RS256");
}

describe("OIDC bearer tokens", () => {
  it("creates a local fan for a new identity and finds it again by subject", async () => {
    const email = `oidc-${uniq()}@example.test`;
    const token = await idToken({ sub: `sub-${uniq()}`, email, email_verified: true });
    const res = await callOidc("/v1/me", token);
    expect(res.status).toBe(200);
    const me = (await res.json()) as { id: string; email: string; role: string };
    expect(me).toMatchObject({ email, role: "fan" });
    const again = (await (await callOidc("/v1/me", token)).json()) as { id: string };
    expect(again.id).toBe(me.id);
  });

  it("links an existing fan account by verified email", async () => {
    const existing = await createUser();
    const sub = `sub-${uniq()}`;
    const res = await callOidc(
      "/v1/me",
      await idToken({ sub, email: existing.email.toUpperCase(), email_verified: true }),
    );
    expect(await res.json()).toMatchObject({ id: existing.id, role: "fan" });
    const row = await env.DB.prepare("SELECT oidc_subject FROM users WHERE id = ?")
      .bind(existing.id)
      .first<{ oidc_subject: string }>();
    expect(row?.oidc_subject).toBe(`${ISSUER}|${sub}`);
  });

  it("does not link by an unverified email", async () => {
    const existing = await createUser();
    const res = await callOidc(
      "/v1/me",
      await idToken({ sub: `sub-${uniq()}`, email: existing.email, email_verified: false }),
    );
    await expectProblem(res, 401, "unauthenticated");
  });

  it("refuses a token signed by another key", async () => {
    const token = await idToken(
      { sub: `sub-${uniq()}`, email: `x-${uniq()}@example.test`, email_verified: true },
      rogue.privateJwk,
    );
    await expectProblem(await callOidc("/v1/me", token), 401, "unauthenticated");
  });

  it("refuses a token from another issuer or for another audience", async () => {
    const claims = { sub: `sub-${uniq()}`, email: `y-${uniq()}@example.test`, email_verified: true };
    await expectProblem(
      await callOidc("/v1/me", await idToken({ ...claims, iss: "https://evil.example" })),
      401,
      "unauthenticated",
    );
    const withAud = { ...oidcEnv, OIDC_AUDIENCE: "edge-tickets" };
    await expectProblem(await callOidc("/v1/me", await idToken({ ...claims, aud: undefined })), 401, "unauthenticated");
    await expectProblem(
      await callOidc("/v1/me", await idToken({ ...claims, aud: "someone-else" }), withAud),
      401,
      "unauthenticated",
    );
    expect((await callOidc("/v1/me", await idToken({ ...claims, aud: "edge-tickets" }), withAud)).status).toBe(200);
  });

  it("does not accept an HS256 token that claims the IdP issuer", async () => {
    const now = Math.floor(Date.now() / 1000);
    const forged = await sign(
      {
        iss: ISSUER,
        sub: "attacker",
        email: `z-${uniq()}@example.test`,
        email_verified: true,
        iat: now,
        exp: now + 300,
      },
      "guessed-secret",
      "HS256",
    );
    await expectProblem(await callOidc("/v1/me", forged), 401, "unauthenticated");
    // Even signed with the real local key, the IdP issuer does not pass the local issuer check.
    const local = await sign(
      { iss: ISSUER, aud: env.JWT_AUDIENCE, sub: "attacker", email: "a@b.c", role: "admin", exp: now + 300 },
      (env as unknown as { JWT_SECRET: string }).JWT_SECRET,
      "HS256",
    );
    await expectProblem(await callOidc("/v1/me", local), 401, "unauthenticated");
  });

  it("refuses RS256 tokens when OIDC is not configured", async () => {
    const token = await idToken({ sub: `sub-${uniq()}`, email: `w-${uniq()}@example.test`, email_verified: true });
    await expectProblem(
      await callOidc("/v1/me", token, env as unknown as Record<string, unknown>),
      401,
      "unauthenticated",
    );
  });
});

async function linkCall(bearer: string, body: unknown, bindings: Record<string, unknown> = oidcEnv) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(
    new Request("http://edge.test/v1/me/oidc/link", {
      method: "POST",
      headers: { Authorization: `Bearer ${bearer}`, "Content-Type": "application/json" },
      body: JSON.stringify(body),
    }),
    bindings,
    ctx,
  );
  await waitOnExecutionContext(ctx);
  return res;
}

const subjectOf = (id: string) =>
  env.DB.prepare("SELECT oidc_subject FROM users WHERE id = ?").bind(id).first<{ oidc_subject: string | null }>();

describe("OIDC configuration and linking of privileged accounts", () => {
  it("refuses an OIDC configuration without an audience", async () => {
    const token = await idToken({ sub: `sub-${uniq()}`, email: `na-${uniq()}@example.test`, email_verified: true });
    const problem = await expectProblem(
      await callOidc("/v1/me", token, { ...oidcEnv, OIDC_AUDIENCE: "" }),
      503,
      "configuration_error",
    );
    expect(problem.detail).toContain("OIDC_AUDIENCE");
  });

  it("never auto-links a verified email to an organizer or admin account: 409 with how to link", async () => {
    for (const role of ["organizer", "admin"] as const) {
      const existing = await createUser({ role });
      const token = await idToken({ sub: `sub-${uniq()}`, email: existing.email, email_verified: true });
      const problem = await expectProblem(await callOidc("/v1/me", token), 409, "oidc_link_required");
      expect(problem.detail).toMatch(/password/);
      expect(problem.link).toBe("/v1/me/oidc/link");
      expect((await subjectOf(existing.id))?.oidc_subject).toBeNull();
    }
  });

  it("links a privileged account from its signed-in session, after which the IdP token signs it in", async () => {
    const organizer = await createUser({ role: "organizer" });
    const sub = `sub-${uniq()}`;
    const token = await idToken({ sub, email: organizer.email, email_verified: true });
    const linked = await linkCall(organizer.token, { idToken: token });
    expect(linked.status).toBe(200);
    expect(await linked.json()).toMatchObject({ id: organizer.id, role: "organizer" });
    expect((await subjectOf(organizer.id))?.oidc_subject).toBe(`${ISSUER}|${sub}`);
    const me = await callOidc("/v1/me", token);
    expect(await me.json()).toMatchObject({ id: organizer.id, role: "organizer" });
  });

  it("refuses to link without a local session, with a bad id token, or a subject linked elsewhere", async () => {
    const admin = await createUser({ role: "admin" });
    const sub = `sub-${uniq()}`;
    const token = await idToken({ sub, email: admin.email, email_verified: true });
    // An IdP session (here a fan it signs in) cannot stand in for the account's own password session.
    const idpSession = await idToken({ sub: `sub-${uniq()}`, email: `s-${uniq()}@example.test`, email_verified: true });
    await expectProblem(await linkCall(idpSession, { idToken: token }), 403, "forbidden");
    await expectProblem(await linkCall("junk", { idToken: token }), 401, "unauthenticated");
    const rogueToken = await idToken({ sub, email: admin.email, email_verified: true }, rogue.privateJwk);
    await expectProblem(await linkCall(admin.token, { idToken: rogueToken }), 401, "unauthenticated");
    await expectProblem(await linkCall(admin.token, {}), 400, "validation_failed");
    const fan = await createUser();
    expect((await linkCall(fan.token, { idToken: token })).status).toBe(200);
    await expectProblem(await linkCall(admin.token, { idToken: token }), 409, "conflict");
    expect((await subjectOf(admin.id))?.oidc_subject).toBeNull();
  });
});
