import { OpenAPIHono } from "@hono/zod-openapi";
import type { Context } from "hono";
import { HTTPException } from "hono/http-exception";
import { requestId } from "hono/request-id";
import { AppError, toProblem, type ErrorCode } from "./errors";
import type { AppEnv } from "./env";
import { validationHook } from "./routes/router";
import { bodyLimitFromConfig, corsFromConfig, secureResponseHeaders } from "./middleware/http";
import { idempotency } from "./middleware/idempotency";
import { requestLogging } from "./middleware/logging";
import { log } from "./observability/log";
import { mountRoutes } from "./routes";
import { ui } from "./ui";

const METHODS = ["GET", "POST", "PUT", "PATCH", "DELETE"] as const;

/** The document's header; exported so scripts/lint-openapi.mjs can build the document without a request. */
export const OPENAPI_DOCUMENT = {
  openapi: "3.1.0",
  info: {
    title: "Edge Tickets API",
    version: "1.0.0",
    description: "Events, live seat inventory, holds, checkout and tickets. Errors are RFC 9457 problem+json.",
  },
  servers: [{ url: "/" }],
};

/** Builds the Worker's Hono app: middleware, every route, the OpenAPI document and one onError. */
export function createApp() {
  const app = new OpenAPIHono<AppEnv>({ defaultHook: validationHook });

  app.use("*", requestId({ headerName: "X-Request-Id" }));
  app.use("*", requestLogging);
  app.use("*", secureResponseHeaders);
  app.use("/v1/*", corsFromConfig);
  app.use("/v1/*", bodyLimitFromConfig);
  app.use("/v1/*", idempotency);

  mountRoutes(app);
  app.route("/", ui);

  app.doc31("/v1/openapi.json", OPENAPI_DOCUMENT);
  app.openAPIRegistry.registerComponent("securitySchemes", "bearer", {
    type: "http",
    scheme: "bearer",
    bearerFormat: "JWT",
  });
  // Sockets sign in with a single-use ticket (POST /v1/events/{id}/live-ticket), never an access
  // token: browsers cannot set headers on a WebSocket, and a URL lands in logs and histories.
  app.openAPIRegistry.registerComponent("securitySchemes", "liveTicket", {
    type: "apiKey",
    in: "query",
    name: "ticket",
  });
  app.openAPIRegistry.registerComponent("securitySchemes", "socketTicket", {
    type: "apiKey",
    in: "query",
    name: "socketTicket",
  });

  app.notFound((c) => {
    const allowed = allowedMethods(app.routes, c.req.path);
    if (allowed.length > 0 && !allowed.includes(c.req.method)) {
      return problem(
        c,
        new AppError("method_not_allowed", `${c.req.method} is not allowed on ${c.req.path}`, {
          headers: { Allow: allowed.join(", ") },
        }),
      );
    }
    return problem(c, new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`));
  });

  app.onError((err, c) => problem(c, asAppError(err)));
  return app;
}

/** Methods that some route answers for this path (middleware and catch-alls excluded). */
function allowedMethods(routes: { method: string; path: string }[], path: string): string[] {
  const found = new Set<string>();
  for (const r of routes) {
    if (!METHODS.includes(r.method as (typeof METHODS)[number]) || r.path.includes("*")) continue;
    const pattern = new RegExp(`^${r.path.replace(/\/:[^/{]+(\{[^}]+\})?/g, "/[^/]+")}/?$`);
    if (pattern.test(path)) found.add(r.method);
  }
  return [...found];
}

function asAppError(err: unknown): AppError {
  if (err instanceof AppError) return err;
  if (err instanceof HTTPException) {
    const byStatus: Record<number, ErrorCode> = {
      400: "bad_request",
      401: "unauthenticated",
      403: "forbidden",
      404: "not_found",
      413: "payload_too_large",
      415: "unsupported_media_type",
    };
    const code: ErrorCode = err.message.startsWith("Malformed JSON")
      ? "malformed_json"
      : (byStatus[err.status] ?? "bad_request");
    return new AppError(code, err.message || undefined, { cause: err });
  }
  return new AppError("internal_error", "Something went wrong on our side; the request id identifies it", {
    cause: err,
  });
}

/** Renders problem+json; logs only server errors, with the request id. */
function problem(c: Context<AppEnv>, err: AppError) {
  const rid = c.get("requestId") ?? "unknown";
  if (err.status >= 500) {
    const cause = err.cause instanceof Error ? err.cause : err;
    log("error", "request failed", { requestId: rid, code: err.code, error: cause, path: c.req.path });
  }
  for (const [k, v] of Object.entries(err.headers)) c.header(k, v);
  c.header("Content-Type", "application/problem+json");
  return c.body(JSON.stringify(toProblem(err, rid, c.req.path)), err.status);
}
