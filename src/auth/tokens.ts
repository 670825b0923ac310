import { sign, verify } from "hono/jwt";
import { z } from "zod";
import { ROLES } from "../db/schema/constants";
import { AppError } from "../errors";
import type { AppEnv, AuthContext } from "../env";
import { ACCESS_TOKEN_SECONDS, jwtSecret } from "./config";

const ClaimsSchema = z.object({
  sub: z.string(),
  email: z.string(),
  role: z.enum(ROLES),
  org: z.string().nullable().optional(),
  // Optional: tokens signed before session versions existed carry none and count as version 0.
  tv: z.number().int().nonnegative().optional(),
  iss: z.string(),
  aud: z.string(),
  exp: z.number(),
});

/** Signs a 15-minute HS256 access token carrying the caller's role, organizer and session version. */
export async function signAccessToken(auth: AuthContext, env: AppEnv["Bindings"], now = Date.now()): Promise<string> {
  const iat = Math.floor(now / 1000);
  return sign(
    {
      sub: auth.userId,
      email: auth.email,
      role: auth.role,
      org: auth.organizerId,
      tv: auth.tokenVersion ?? 0,
      iss: env.JWT_ISSUER,
      aud: env.JWT_AUDIENCE,
      iat,
      nbf: iat,
      exp: iat + ACCESS_TOKEN_SECONDS,
    },
    jwtSecret(env),
    "HS256",
  );
}

/**
 * Verifies a local access token with the algorithm pinned to HS256 (a token claiming `none` or
 * RS256 is refused) and checks issuer and audience.
 */
export async function verifyAccessToken(token: string, env: AppEnv["Bindings"]): Promise<AuthContext> {
  const key = `${jwtSecret(env)}|${env.JWT_ISSUER}|${env.JWT_AUDIENCE}|${token}`;
  const hit = verified.get(key);
  if (hit && Date.now() < hit.until) return { ...hit.auth };
  if (hit) verified.delete(key);
  const { expiresAt, ...auth } = await verifyUncached(token, env);
  if (verified.size >= VERIFIED_MAX) verified.delete(verified.keys().next().value!);
  verified.set(key, { auth, until: Math.min(expiresAt * 1000, Date.now() + VERIFIED_TTL_MS) });
  return { ...auth };
}

/**
 * Tokens this isolate verified, until their expiry (at most a minute): a fan's next request skips
 * the HMAC. Keyed by the secret, issuer and audience too, so a rotation verifies again. Revocation
 * is checked apart from this (src/auth/revocation.ts).
 */
const verified = new Map<string, { auth: AuthContext; until: number }>();
const VERIFIED_MAX = 5_000;
const VERIFIED_TTL_MS = 60_000;

async function verifyUncached(token: string, env: AppEnv["Bindings"]): Promise<AuthContext & { expiresAt: number }> {
  let payload: unknown;
  try {
    payload = await verify(token, jwtSecret(env), { alg: "HS256", iss: env.JWT_ISSUER, aud: env.JWT_AUDIENCE });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("unauthenticated", "The access token is invalid or expired", { cause: err });
  }
  const claims = ClaimsSchema.safeParse(payload);
  if (!claims.success) throw new AppError("unauthenticated", "The access token is missing required claims");
  return {
    userId: claims.data.sub,
    email: claims.data.email,
    role: claims.data.role,
    organizerId: claims.data.org ?? null,
    tokenVersion: claims.data.tv ?? 0,
    expiresAt: claims.data.exp,
  };
}
