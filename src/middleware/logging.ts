import { createMiddleware } from "hono/factory";
import { routePath } from "hono/route";
import type { AppEnv } from "../env";
import { hashUserId, log, logs } from "../observability/log";
import { Meter } from "../observability/meter";
import { meteredEnv } from "../observability/metered-env";
import { METRIC, count } from "../observability/metrics";

const HOLD_ROUTE = "/v1/events/:id/holds";

type Cf = { colo?: string; country?: string } | undefined;
/**
 * The data center this isolate runs in, read from the first request's `cf`. An isolate stays in
 * one data center, and `cf` is parsed from JSON on every read: reading it on each request took
 * about a tenth of the thread on `GET /v1/health` under load (a CPU profile).
 */
let isolateColo: { colo: string | undefined } | undefined;
function coloOf(raw: Request): string | undefined {
  isolateColo ??= { colo: (raw.cf as Cf)?.colo };
  return isolateColo.colo;
}

/** The event a request is about, from `/v1/(admin/)events/{id}…` or a public hold id `{eventId}~{holdId}`. */
export function eventIdOf(path: string): string | undefined {
  const e = /^\/v1\/(?:admin\/)?events\/([^/]+)/.exec(path);
  if (e?.[1]) return safeDecode(e[1]);
  const h = /^\/v1\/holds\/([^/]+)/.exec(path);
  const id = h?.[1] ? safeDecode(h[1]) : undefined;
  const i = id?.indexOf("~") ?? -1;
  return id && i > 0 ? id.slice(0, i) : undefined;
}

function safeDecode(s: string): string {
  try {
    return decodeURIComponent(s);
  } catch {
    return s;
  }
}

/**
 * One JSON line per request (after the response is built) and the request counters. Runs right
 * after `requestId`, so every other middleware and handler is inside the measured time. The user
 * is logged as a hash, never by id or email; the query string is left out (it may carry tokens).
 * Holds won and lost are counted here from the hold route's status, so the hold path itself has
 * no metrics code.
 *
 * It also swaps `c.env` for a copy whose D1 and Durable Object bindings count their calls, so the
 * line says how many D1 statements, round trips and object calls the request cost; every later
 * middleware and handler reads `c.env`, so none of them needs to know.
 */
export const requestLogging = createMiddleware<AppEnv>(async (c, next) => {
  const started = Date.now();
  const meter = new Meter();
  c.env = meteredEnv(c.env, meter);
  await next();
  const durationMs = Date.now() - started;
  const status = c.res.status;
  const matched = routePath(c);
  const route = status === 404 && (matched === "*" || matched.endsWith("/*")) ? "unmatched" : matched;
  const method = c.req.method;
  const path = c.req.path;
  const eventId = eventIdOf(path);
  const colo = coloOf(c.req.raw);
  meter.attribute(`request ${method} ${route}`);
  const counts = meter.fields();

  count(c.env, METRIC.request, [route, method, status, colo], 1, durationMs);
  if (route === HOLD_ROUTE && method === "POST") {
    if (status === 201) count(c.env, METRIC.holdWon, [eventId]);
    else if (status === 409 || status === 429) count(c.env, METRIC.holdLost, [eventId, status]);
  }
  if (c.env.REQUEST_LOGS === "false") return;

  // A lost seat race (409) and a refused flood (429) are outcomes an on-sale has by the thousand,
  // counted by the hold metrics above; warn is kept for requests that point at a problem.
  const level = status >= 500 ? "error" : status >= 400 && status !== 409 && status !== 429 ? "warn" : "info";
  if (!logs(level)) return;
  const userId = c.get("auth")?.userId;
  // Hashing is a few microseconds of WebCrypto; awaiting it keeps the line in order with the response.
  log(level, "request", {
    requestId: c.get("requestId"),
    method,
    route,
    path,
    status,
    durationMs,
    eventId,
    user: userId ? await hashUserId(userId) : undefined,
    colo,
    country: (c.req.raw.cf as Cf)?.country,
    ...counts,
  });
});
