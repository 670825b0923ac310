import type { Role } from "../db/schema/constants";
import { AppError } from "../errors";
import type { AppEnv, AuthContext } from "../env";

type Bindings = AppEnv["Bindings"];

/** What guarded routes trust about an account instead of the token's copy of it. */
export type CurrentUser = { email: string; role: Role; organizerId: string | null; tokenVersion: number };

/** Revocation must reach every isolate within a minute, whatever SESSION_CACHE_SECONDS says. */
export const MAX_CACHE_SECONDS = 60;
// Bounds the isolate's memory; the oldest entry goes first (a Map iterates in insertion order).
const MAX_ENTRIES = 5_000;
const cache = new Map<string, { until: number; current: CurrentUser | null }>();

const challenge = { headers: { "WWW-Authenticate": 'Bearer realm="edge-tickets", error="invalid_token"' } };

/** SESSION_CACHE_SECONDS clamped to 0…60; unset or not a number gives the 60 s maximum. */
export function cacheSeconds(env: Bindings): number {
  const n = Number(env.SESSION_CACHE_SECONDS);
  return Number.isFinite(n) ? Math.min(Math.max(n, 0), MAX_CACHE_SECONDS) : MAX_CACHE_SECONDS;
}

/**
 * The account's current session version, role and organizer: from this isolate's cache while the
 * entry is younger than `ttlSeconds` (unless `fresh`), else one D1 read by primary key, which is
 * then cached. `cached` says which.
 */
export async function currentUser(
  env: Bindings,
  userId: string,
  now = Date.now(),
  { ttlSeconds = cacheSeconds(env), fresh = false }: { ttlSeconds?: number; fresh?: boolean } = {},
): Promise<{ current: CurrentUser | null; cached: boolean }> {
  const hit = cache.get(userId);
  if (!fresh && hit && hit.until > now) return { current: hit.current, cached: true };
  // A prepared statement, not drizzle's relational query: building that costs more than the read.
  const row = await env.DB.prepare(
    "SELECT email, role, organizer_id AS organizerId, token_version AS tokenVersion FROM users WHERE id = ?",
  )
    .bind(userId)
    .first<CurrentUser>();
  const current = row ?? null;
  cache.delete(userId);
  if (ttlSeconds > 0) {
    if (cache.size >= MAX_ENTRIES) cache.delete(cache.keys().next().value as string);
    cache.set(userId, { until: now + ttlSeconds * 1000, current });
  }
  return { current, cached: false };
}

/** Drops an account's cached entry, so a revocation made in this isolate applies here at once. */
export function forgetUser(userId: string): void {
  cache.delete(userId);
}

const agrees = (c: CurrentUser, auth: AuthContext) =>
  c.tokenVersion === auth.tokenVersion && c.role === auth.role && c.organizerId === auth.organizerId;

/**
 * Checks a verified access token against the account (at most MAX_CACHE_SECONDS old) and returns
 * the context guarded routes use: 401 when its session version was bumped (logout, logout
 * everywhere, a revoked refresh family) or the account is gone; otherwise role and organizer come
 * from the account, so a removed member or demoted admin is refused (403/404) without a new token.
 */
export async function checkCurrent(env: Bindings, auth: AuthContext, now = Date.now()): Promise<AuthContext> {
  // IdP tokens carry no version: authenticate() has just re-read their account from D1.
  if (auth.tokenVersion === undefined) return auth;
  let { current, cached } = await currentUser(env, auth.userId, now);
  // A cached entry that disagrees may be the stale side (the token was refreshed after a change
  // that another isolate made), so it is re-read once before it can refuse anyone.
  if (cached && (!current || !agrees(current, auth)))
    ({ current } = await currentUser(env, auth.userId, now, { fresh: true }));
  if (!current) throw new AppError("unauthenticated", "The account no longer exists", challenge);
  if (current.tokenVersion !== auth.tokenVersion)
    throw new AppError("unauthenticated", "This session has ended; sign in again or refresh the token", challenge);
  return { ...auth, email: current.email, role: current.role, organizerId: current.organizerId };
}
