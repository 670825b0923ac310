import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { expectProblem } from "../helpers/http";

async function callWith(overrides: Record<string, unknown>, path: string, init: RequestInit) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`http://edge.test${path}`, init), { ...env, ...overrides }, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("JWT_SECRET configuration", () => {
  it("answers a clear configuration error in production when JWT_SECRET is missing", async () => {
    const res = await callWith({ ENVIRONMENT: "production", JWT_SECRET: undefined }, "/v1/auth/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": `10.9.${Math.floor(Math.random() * 250)}.1` },
      body: JSON.stringify({ email: `prod-${crypto.randomUUID()}@example.test`, password: "a long enough password" }),
    });
    const problem = await expectProblem(res, 503, "configuration_error");
    expect(problem.detail).toContain("JWT_SECRET");
  });

  it("uses a development key outside production so npm start needs no setup", async () => {
    const res = await callWith({ ENVIRONMENT: "development", JWT_SECRET: undefined }, "/v1/auth/signup", {
      method: "POST",
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": `10.8.${Math.floor(Math.random() * 250)}.1` },
      body: JSON.stringify({ email: `dev-${crypto.randomUUID()}@example.test`, password: "a long enough password" }),
    });
    expect(res.status).toBe(201);
    const { accessToken } = (await res.json()) as { accessToken: string };
    const me = await callWith({ ENVIRONMENT: "development", JWT_SECRET: undefined }, "/v1/me", {
      headers: { Authorization: `Bearer ${accessToken}` },
    });
    expect(me.status).toBe(200);
  });
});
