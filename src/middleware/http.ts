import type { MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { cors } from "hono/cors";
import { AppError } from "../errors";
import type { AppEnv } from "../env";

/** CORS from the comma-separated CORS_ORIGINS variable ("*" allows any origin). */
export const corsFromConfig: MiddlewareHandler<AppEnv> = (c, next) =>
  cors({
    origin: (origin) => {
      const allowed = (c.env.CORS_ORIGINS ?? "")
        .split(",")
        .map((o) => o.trim())
        .filter(Boolean);
      if (allowed.includes("*")) return origin || "*";
      return allowed.includes(origin) ? origin : null;
    },
    allowHeaders: ["Authorization", "Content-Type", "Idempotency-Key", "X-Request-Id", "If-None-Match"],
    allowMethods: ["GET", "POST", "PUT", "PATCH", "DELETE", "OPTIONS"],
    exposeHeaders: ["X-Request-Id", "Retry-After", "ETag", "Location"],
    maxAge: 600,
  })(c, next);

/** Rejects bodies over MAX_BODY_BYTES with 413, whether declared by Content-Length or streamed. */
export const bodyLimitFromConfig: MiddlewareHandler<AppEnv> = (c, next) => {
  const maxSize = Number(c.env.MAX_BODY_BYTES) || 1_048_576;
  return bodyLimit({
    maxSize,
    onError: () => {
      throw new AppError("payload_too_large", `The request body is larger than ${maxSize} bytes`, {
        extra: { limit: maxSize },
      });
    },
  })(c, next);
};
