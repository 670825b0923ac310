import { createRoute, z } from "@hono/zod-openapi";
import { createRouter } from "./router";
import { jsonResponse } from "./problem-responses";

const HealthSchema = z.object({ status: z.literal("ok"), time: z.string() }).openapi("Health");

export const health = createRouter().openapi(
  createRoute({ method: "get", path: "/", tags: ["meta"], summary: "Liveness", responses: { 200: jsonResponse(HealthSchema, "Alive") } }),
  (c) => c.json({ status: "ok" as const, time: new Date().toISOString() }, 200),
);
