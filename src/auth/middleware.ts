import { createMiddleware } from "hono/factory";
import type { Role } from "../db/schema/constants";
import { AppError } from "../errors";
import type { AppEnv } from "../env";
import { isAsymmetricToken, verifyOidcToken } from "./oidc";
import { checkCurrent } from "./revocation";
import { verifyAccessToken } from "./tokens";

/** Reads `Authorization: Bearer <jwt>`; null when absent. */
export function bearerToken(header: string | undefined): string | null {
  if (!header) return null;
  const m = /^Bearer\s+([A-Za-z0-9._~+/=-]+)$/i.exec(header.trim());
  if (!m?.[1]) throw new AppError("unauthenticated", "The Authorization header must be `Bearer <token>`");
  return m[1];
}

/**
 * Resolves the caller from a bearer token into `c.var.auth`, or answers 401. The token's own
 * header decides the verifier: local HS256 tokens, or an external OIDC issuer's RS256/ES256
 * tokens when one is configured (see auth/oidc.ts).
 */
export const requireAuth = createMiddleware<AppEnv>(async (c, next) => {
  c.set("auth", await authenticate(requiredToken(c.req.header("Authorization")), c.env));
  await next();
});

/**
 * requireAuth plus revocation (src/auth/revocation.ts): a token whose session has ended is 401,
 * and role and organizer come from the account as read at most 60 s ago. For admin routes and
 * personal data; holds and seat maps keep requireAuth, which reads no store.
 */
export const requireCurrentAuth = createMiddleware<AppEnv>(async (c, next) => {
  const auth = await authenticate(requiredToken(c.req.header("Authorization")), c.env);
  c.set("auth", await checkCurrent(c.env, auth));
  await next();
});

function requiredToken(header: string | undefined): string {
  const token = bearerToken(header);
  if (!token)
    throw new AppError("unauthenticated", "This endpoint needs an access token", {
      headers: { "WWW-Authenticate": 'Bearer realm="edge-tickets"' },
    });
  return token;
}

/** Lets only the given roles through (after requireAuth); others get 403. */
export function requireRole(...roles: Role[]) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const auth = c.get("auth");
    if (!auth) throw new AppError("unauthenticated", "This endpoint needs an access token");
    if (!roles.includes(auth.role))
      throw new AppError("forbidden", `This endpoint is for ${roles.join(" or ")} accounts`);
    await next();
  });
}

/**
 * Picks the verifier from the token header. Asymmetric tokens go to OIDC (401 when it is not
 * configured); everything else goes to the HS256-pinned local verifier, so an HS256 token that
 * claims the IdP's issuer is still checked against our own issuer and key.
 */
export async function authenticate(token: string, env: AppEnv["Bindings"]) {
  if (isAsymmetricToken(token)) return verifyOidcToken(token, env);
  return verifyAccessToken(token, env);
}
