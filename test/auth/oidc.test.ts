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
const oidcEnv = { ...env, OIDC_ISSUER: ISSUER, OIDC_JWKS_URL: JWKS_URL };

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
  return sign({ iss: ISSUER, iat: now, exp: now + 300, ...claims }, key, "RS256");
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

  it("links an existing account by verified email", async () => {
    const existing = await createUser({ role: "organizer" });
    const sub = `sub-${uniq()}`;
    const res = await callOidc(
      "/v1/me",
      await idToken({ sub, email: existing.email.toUpperCase(), email_verified: true }),
    );
    expect(await res.json()).toMatchObject({ id: existing.id, role: "organizer" });
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
