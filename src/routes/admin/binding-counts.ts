import { createRoute, z } from "@hono/zod-openapi";
import { meterTotals } from "../../observability/meter";
import { requireOperator } from "../../observability/operator-auth";
import { pickProblems } from "../problem-responses";
import { createRouter } from "../router";

const Counts = z.object({
  runs: z.number().int().openapi({ description: "Requests, queue batches or cron runs counted" }),
  d1: z.number().int().openapi({ description: "D1 statements run" }),
  d1Writes: z.number().int().openapi({ description: "Of those, statements that may change a row (not reads)" }),
  d1RoundTrips: z.number().int().openapi({ description: "Calls to D1 (a batch is one)" }),
  rpc: z.number().int().openapi({ description: "Durable Object calls (RPC methods and fetch)" }),
});

/**
 * `GET /v1/admin/metrics/bindings`: the D1 statements, D1 round trips and Durable Object calls
 * counted since this isolate started, by source (`request <method> <route>`, `queue <name>`,
 * `cron`). Under `wrangler dev` that is the whole server, which is how the bench measures what a
 * purchase costs with every consumer included; in production it is one isolate's sample, and the
 * per-request log lines are the record. Operator token or admin, like the metrics scrape.
 */
export const bindingCountRoutes = createRouter().openapi(
  createRoute({
    operationId: "adminGetBindingCounts",
    method: "get",
    path: "/",
    tags: ["operations"],
    summary: "D1 and Durable Object calls by source since the isolate started (operator token or admin)",
    security: [{ bearer: [] }],
    middleware: requireOperator,
    responses: {
      200: {
        description: "Totals per source",
        content: {
          "application/json": {
            schema: z.object({
              since: z.number().int().openapi({ description: "When counting started (epoch ms)" }),
              sources: z.record(z.string(), Counts),
            }),
          },
        },
      },
      ...pickProblems(401, 403),
    },
  }),
  (c) => {
    c.header("Cache-Control", "no-store");
    return c.json(meterTotals(), 200);
  },
);
