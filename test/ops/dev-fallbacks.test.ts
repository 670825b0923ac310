import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { sign } from "hono/jwt";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { hashIp } from "../../src/audit/emit";
import { paymentProvider, webhookSecret } from "../../src/payments";
import { SimulatedProvider } from "../../src/payments/simulated";
import { newId } from "../../src/lib/ids";
import { expectProblem } from "../helpers/http";
import { createUser } from "../helpers/fixtures";

/** The public development key in src/auth/config.ts: anyone can read it, so only development may use it. */
const DEV_SECRET = "dev-only-jwt-secret-not-for-production-use";

/** The staging environment as wrangler.toml would give it, minus the given secrets. */
const stagingEnv = (overrides: Record<string, unknown> = {}) =>
  ({ ...env, ENVIRONMENT: "staging", STRIPE_SECRET_KEY: undefined, ...overrides }) as typeof env;

async function callWith(bindings: typeof env, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`http://edge.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

async function devSignedToken(userId: string, email: string) {
  const iat = Math.floor(Date.now() / 1000);
  return sign(
    {
      sub: userId,
      email,
      role: "fan",
      org: null,
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + 300,
    },
    DEV_SECRET,
    "HS256",
  );
}

describe("development fallbacks exist only when ENVIRONMENT is development", () => {
  it("answers 404 for /mailbox and /mailbox.json on staging", async () => {
    for (const path of ["/mailbox", "/mailbox.json"]) {
      const res = await callWith(stagingEnv(), path);
      expect(res.status, path).toBe(404);
    }
  });

  it("answers 404 for the simulated pay page on staging without Stripe", async () => {
    // A real intent, so the 404 comes from the environment and not from an unknown id.
    const intent = await new SimulatedProvider(env.SIMULATED_GATEWAY).createPayment({
      orderId: "ord_staging_probe",
      holdId: "hold_staging_probe",
      eventId: newId("evt"),
      userId: "usr_staging_probe",
      amount: 1000,
      currency: "EUR",
      email: "probe@example.test",
      idempotencyKey: `staging-probe-${crypto.randomUUID()}`,
    });
    const get = await callWith(stagingEnv(), intent.paymentUrl!);
    await expectProblem(get, 404, "not_found");
    const post = await callWith(stagingEnv(), intent.paymentUrl!, {
      method: "POST",
      headers: { "Content-Type": "application/json" },
      body: JSON.stringify({ action: "decline" }),
    });
    await expectProblem(post, 404, "not_found");
  });

  it("refuses a token signed with the development secret on staging, with or without JWT_SECRET", async () => {
    const fan = await createUser();
    const token = await devSignedToken(fan.id, fan.email);
    const headers = { Authorization: `Bearer ${token}` };
    const unset = await callWith(stagingEnv({ JWT_SECRET: undefined }), "/v1/me", { headers });
    const problem = await expectProblem(unset, 503, "configuration_error");
    expect(problem.detail).toContain("JWT_SECRET");
    await expectProblem(await callWith(stagingEnv(), "/v1/me", { headers }), 401, "unauthenticated");
  });

  it("has no simulated provider, local webhook secret or development IP salt outside development", async () => {
    const staging = stagingEnv({ AUDIT_IP_SALT: undefined });
    expect(() => paymentProvider(staging)).toThrow(/STRIPE_SECRET_KEY/);
    expect(() => webhookSecret(staging)).toThrow(/STRIPE_SECRET_KEY/);
    expect(await hashIp(staging, "203.0.113.9")).toBeNull();
    expect(await hashIp({ ...staging, ENVIRONMENT: "development" }, "203.0.113.9")).not.toBeNull();
  });
});
