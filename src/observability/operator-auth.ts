import { createMiddleware } from "hono/factory";
import { authenticate, bearerToken } from "../auth/middleware";
import { checkCurrent } from "../auth/revocation";
import type { AppEnv } from "../env";
import { AppError } from "../errors";

/** Compares two strings in time independent of where they differ (both are hashed to 32 bytes first). */
async function sameSecret(a: string, b: string): Promise<boolean> {
  const enc = new TextEncoder();
  const [x, y] = await Promise.all([
    crypto.subtle.digest("SHA-256", enc.encode(a)),
    crypto.subtle.digest("SHA-256", enc.encode(b)),
  ]);
  return crypto.subtle.timingSafeEqual(x, y);
}

/**
 * Operator endpoints (metrics scrape, deep health): `Authorization: Bearer <OPERATOR_TOKEN>`, or an
 * admin's access token. The operator token is a secret of its own so a Prometheus scraper or an
 * uptime probe never holds a user account; rotating it logs nobody out.
 */
export const requireOperator = createMiddleware<AppEnv>(async (c, next) => {
  const challenge = { headers: { "WWW-Authenticate": 'Bearer realm="edge-tickets-operator"' } };
  const token = bearerToken(c.req.header("Authorization"));
  if (!token) throw new AppError("unauthenticated", "This endpoint needs the operator token", challenge);
  const operator = c.env.OPERATOR_TOKEN;
  if (operator && (await sameSecret(token, operator))) return next();
  // Not the operator token: it must be a current admin's JWT (anything else that is not a valid JWT,
  // or whose session has ended, is 401; a demoted admin is 403).
  const auth = await authenticate(token, c.env)
    .then((a) => checkCurrent(c.env, a))
    .catch(() => {
      throw new AppError("unauthenticated", "Invalid operator token", challenge);
    });
  if (auth.role !== "admin") throw new AppError("forbidden", "This endpoint is for operators and admins");
  c.set("auth", auth);
  await next();
});
