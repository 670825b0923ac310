import type { OpenAPIHono } from "@hono/zod-openapi";
import type { AppEnv } from "../env";
import { docs } from "./docs";
import { health } from "./health";

/** Mounts every resource router under /v1. */
export function mountRoutes(app: OpenAPIHono<AppEnv>) {
  app.route("/v1/health", health);
  app.route("/docs", docs);
}
