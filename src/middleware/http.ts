import type { Context, MiddlewareHandler } from "hono";
import { bodyLimit } from "hono/body-limit";
import { AppError } from "../errors";
import type { AppEnv } from "../env";

const ALLOW_HEADERS = "Authorization,Content-Type,Idempotency-Key,X-Request-Id,If-None-Match";
const ALLOW_METHODS = "GET,POST,PUT,PATCH,DELETE,OPTIONS";
const EXPOSE_HEADERS = "X-Request-Id,Retry-After,ETag,Location";
const MAX_AGE = "600";

/**
 * Hono's `secureHeaders()` defaults, with `Cross-Origin-Resource-Policy: cross-origin` (tickets,
 * QR codes and the seat map are embedded by organizers' own sites).
 */
const SECURE_HEADERS: [string, string][] = [
  ["Cross-Origin-Resource-Policy", "cross-origin"],
  ["Cross-Origin-Opener-Policy", "same-origin"],
  ["Origin-Agent-Cluster", "?1"],
  ["Referrer-Policy", "no-referrer"],
  ["Strict-Transport-Security", "max-age=15552000; includeSubDomains"],
  ["X-Content-Type-Options", "nosniff"],
  ["X-DNS-Prefetch-Control", "off"],
  ["X-Download-Options", "noopen"],
  ["X-Frame-Options", "SAMEORIGIN"],
  ["X-Permitted-Cross-Domain-Policies", "none"],
  ["X-XSS-Protection", "0"],
];

/**
 * The secure headers, given to the response before it is built (Hono copies them into it), where
 * Hono's `secureHeaders()` sets them one by one on the finished response. A handler's own value
 * wins. A response a handler built itself (a cached seat map, a socket's handshake) gets them
 * afterwards.
 */
export const secureResponseHeaders: MiddlewareHandler<AppEnv> = async (c, next) => {
  for (const [k, v] of SECURE_HEADERS) c.header(k, v);
  await next();
  if (c.res.headers.has("X-Content-Type-Options")) return;
  // A response built without the prepared headers: they, and the request id, are added here.
  const headers = writableHeaders(c, "X-Content-Type-Options", "nosniff");
  for (const [k, v] of SECURE_HEADERS) if (!headers.has(k)) headers.set(k, v);
  const requestId = c.get("requestId");
  if (requestId && !headers.has("X-Request-Id")) headers.set("X-Request-Id", requestId);
};

/**
 * Sets one header on the response and hands back its headers, rebuilding the response once when
 * they are immutable (one fetched from an object), with its body and its socket, if any.
 */
function writableHeaders(c: Context<AppEnv>, name: string, value: string): Headers {
  try {
    c.res.headers.set(name, value);
  } catch {
    c.res = new Response(c.res.body, c.res);
    c.res.headers.set(name, value);
  }
  return c.res.headers;
}

/** The allowed origins of one CORS_ORIGINS value, split once per isolate rather than per request. */
let origins: { from: string; any: boolean; list: string[] } | undefined;
function allowedOrigins(config: string | undefined) {
  const from = config ?? "";
  if (origins?.from !== from) {
    const list = from
      .split(",")
      .map((o) => o.trim())
      .filter(Boolean);
    origins = { from, any: list.includes("*"), list };
  }
  return origins;
}

function allowOrigin(c: Context<AppEnv>): string | null {
  const origin = c.req.header("origin") ?? "";
  const allowed = allowedOrigins(c.env.CORS_ORIGINS);
  if (allowed.any) return origin || "*";
  return origin && allowed.list.includes(origin) ? origin : null;
}

/**
 * CORS from the comma-separated CORS_ORIGINS variable ("*" allows any origin). The headers of an
 * answer go onto the handler's own response once it exists: Hono's `cors()` sets them first, on a
 * placeholder response that Hono then copies into the real one (three responses built per
 * request, about 8% of the thread on `GET /v1/health` under load).
 */
export const corsFromConfig: MiddlewareHandler<AppEnv> = async (c, next) => {
  const origin = allowOrigin(c);
  if (c.req.method === "OPTIONS") {
    // A preflight: answered here, before any route.
    if (origin) c.header("Access-Control-Allow-Origin", origin);
    c.header("Access-Control-Expose-Headers", EXPOSE_HEADERS);
    c.header("Vary", "Origin", { append: true });
    c.header("Access-Control-Max-Age", MAX_AGE);
    c.header("Access-Control-Allow-Methods", ALLOW_METHODS);
    c.header("Access-Control-Allow-Headers", ALLOW_HEADERS);
    c.header("Vary", "Access-Control-Request-Headers", { append: true });
    return c.body(null, 204);
  }
  await next();
  const headers = writableHeaders(c, "Access-Control-Expose-Headers", EXPOSE_HEADERS);
  if (origin) headers.set("Access-Control-Allow-Origin", origin);
  headers.append("Vary", "Origin");
};

/** The body limit of one MAX_BODY_BYTES value, built once per isolate rather than per request. */
let limit: { maxSize: number; middleware: MiddlewareHandler<AppEnv> } | undefined;

/** Rejects bodies over MAX_BODY_BYTES with 413, whether declared by Content-Length or streamed. */
export const bodyLimitFromConfig: MiddlewareHandler<AppEnv> = (c, next) => {
  const maxSize = Number(c.env.MAX_BODY_BYTES) || 1_048_576;
  if (limit?.maxSize !== maxSize) {
    limit = {
      maxSize,
      middleware: bodyLimit({
        maxSize,
        onError: () => {
          throw new AppError("payload_too_large", `The request body is larger than ${maxSize} bytes`, {
            extra: { limit: maxSize },
          });
        },
      }),
    };
  }
  return limit.middleware(c, next);
};
