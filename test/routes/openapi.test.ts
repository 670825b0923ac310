import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { isPublic, operations } from "../helpers/openapi";

/**
 * Routes the Worker serves that are deliberately not in the API document, and why. Anything else
 * the app routes under /v1 must be in it, so a route cannot slip out of the document unnoticed.
 */
const EXCLUDED: Record<string, string> = {
  // Called by Stripe only; authenticated by the Stripe-Signature over the raw body, not by a
  // bearer token, and its payload is Stripe's event format, not ours to describe.
  "POST /v1/webhooks/stripe": "Stripe's webhook",
  // The simulated provider's stand-in for Stripe's hosted page: HTML, development only (404 when
  // Stripe is configured or outside development).
  "GET /v1/pay/simulated/:id": "simulated pay page",
  "POST /v1/pay/simulated/:id": "simulated pay page",
};

describe("the API document", () => {
  it("gives every operation a unique camelCase operationId", async () => {
    const { ops } = await operations();
    const missing = ops.filter((o) => typeof o.operationId !== "string").map((o) => `${o.method} ${o.path}`);
    expect(missing).toEqual([]);
    const badShape = ops.filter((o) => !/^[a-z][a-zA-Z0-9]*$/.test(o.operationId)).map((o) => o.operationId);
    expect(badShape).toEqual([]);
    const seen = new Map<string, string>();
    const dupes: string[] = [];
    for (const o of ops) {
      const where = `${o.method} ${o.path}`;
      if (seen.has(o.operationId)) dupes.push(`${o.operationId}: ${seen.get(o.operationId)} and ${where}`);
      seen.set(o.operationId, where);
    }
    expect(dupes).toEqual([]);
  });

  it("declares security on every operation, with known schemes only", async () => {
    const { doc, ops } = await operations();
    expect(ops.filter((o) => !Array.isArray(o.security)).map((o) => `${o.method} ${o.path}`)).toEqual([]);
    const schemes = Object.keys(doc.components?.securitySchemes ?? {});
    const unknown = ops.flatMap((o) =>
      (o.security ?? []).flatMap((req) => Object.keys(req).filter((k) => !schemes.includes(k))),
    );
    expect(unknown).toEqual([]);
    // Everything under /v1/admin, and everything about the caller's own data, needs a token.
    const openAdmin = ops.filter((o) => o.path.startsWith("/v1/admin") && isPublic(o));
    expect(openAdmin.map((o) => o.operationId)).toEqual([]);
  });

  it("lists every /v1 route the app serves, except the deliberate exclusions", async () => {
    const { ops } = await operations();
    const documented = new Set(ops.map((o) => `${o.method.toUpperCase()} ${o.honoPath}`));
    const served = new Set(
      createApp()
        .routes.filter((r) => r.method !== "ALL" && r.path.startsWith("/v1/") && r.path !== "/v1/openapi.json")
        .map((r) => `${r.method} ${r.path}`),
    );
    expect([...served].filter((r) => !documented.has(r) && !(r in EXCLUDED))).toEqual([]);
    // An exclusion that no longer matches a route is stale and should go.
    expect(Object.keys(EXCLUDED).filter((r) => !served.has(r))).toEqual([]);
    expect(Object.keys(EXCLUDED).filter((r) => documented.has(r))).toEqual([]);
  });
});
