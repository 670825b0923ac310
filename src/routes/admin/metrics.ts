import { createRoute, z } from "@hono/zod-openapi";
import { businessGauges } from "../../observability/gauges";
import { requireOperator } from "../../observability/operator-auth";
import { PROMETHEUS_CONTENT_TYPE, renderPrometheus } from "../../observability/prometheus";
import { pickProblems } from "../problem-responses";
import { createRouter } from "../router";

/**
 * `GET /v1/admin/metrics`: business gauges in Prometheus text format, for a scraper holding the
 * operator token. Counters (requests, holds won/lost, payments…) live in Analytics Engine, not
 * here: a Worker has no process-wide memory to count in. Mounted before the admin router, whose
 * JWT guard would refuse the operator token.
 */
export const metricsRoutes = createRouter().openapi(
  createRoute({
    operationId: "adminGetMetrics",
    method: "get",
    path: "/",
    tags: ["operations"],
    summary: "Business gauges in Prometheus text format (operator token or admin)",
    security: [{ bearer: [] }],
    middleware: requireOperator,
    responses: {
      200: { description: "Prometheus exposition format 0.0.4", content: { "text/plain": { schema: z.string() } } },
      ...pickProblems(401, 403),
    },
  }),
  async (c) => {
    const body = renderPrometheus(await businessGauges(c.env));
    return c.body(body, 200, { "Content-Type": PROMETHEUS_CONTENT_TYPE, "Cache-Control": "no-store" }) as never;
  },
);
