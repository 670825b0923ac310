import { createRoute, z } from "@hono/zod-openapi";
import type { Context, Next } from "hono";
import type { AppEnv } from "../env";
import { deepHealth } from "../observability/deep-health";
import { requireOperator } from "../observability/operator-auth";
import { createRouter } from "./router";
import { jsonResponse, pickProblems } from "./problem-responses";

const Check = z
  .object({ ok: z.boolean(), latencyMs: z.number().int(), error: z.string().optional() })
  .openapi("HealthCheck");
const HealthSchema = z
  .object({
    status: z.enum(["ok", "degraded"]),
    time: z.string(),
    checks: z
      .object({ d1: Check, durableObject: Check, queue: Check })
      .optional()
      .openapi({ description: "Only with ?deep=1 (operator)" }),
  })
  .openapi("Health");
const Query = z.object({
  deep: z
    .enum(["0", "1", "true", "false"])
    .optional()
    .openapi({ description: "1: check D1, a Durable Object and a queue (operator token or admin)" }),
});

const isDeep = (q: string | undefined) => q === "1" || q === "true";

/** Liveness is public; `?deep=1` is for operators, since it costs a D1 query, an RPC and a queue send. */
const operatorWhenDeep = (c: Context<AppEnv>, next: Next) =>
  isDeep(c.req.query("deep")) ? requireOperator(c, next) : next();

// Anonymous, or a bearer token for `?deep=1`: OpenAPI's "optional auth" is an empty requirement
// next to the scheme. Typed apart because an inline `{}` widens the route's inferred input types.
const anonymousOrBearer: Record<string, string[]>[] = [{}, { bearer: [] }];

export const health = createRouter().openapi(
  createRoute({
    operationId: "getHealth",
    security: anonymousOrBearer,
    method: "get",
    path: "/",
    tags: ["meta"],
    summary: "Liveness; with ?deep=1 each dependency with its latency",
    middleware: operatorWhenDeep,
    request: { query: Query },
    responses: {
      200: jsonResponse(HealthSchema, "Alive (and, when deep, every dependency answered)"),
      503: jsonResponse(HealthSchema, "A dependency failed (deep only)"),
      ...pickProblems(401, 403),
    },
  }),
  async (c) => {
    const time = new Date().toISOString();
    if (!isDeep(c.req.valid("query").deep)) return c.json({ status: "ok" as const, time }, 200);
    const r = await deepHealth(c.env, c.get("requestId"));
    c.header("Cache-Control", "no-store");
    return c.json({ status: r.status, time, checks: r.checks }, r.status === "ok" ? 200 : 503);
  },
);
