import { AppError } from "../errors";
import type { AppEnv } from "../env";

/** The caller's IP as Cloudflare reports it; "local" in dev and tests without the header. */
export function clientIp(header: string | undefined): string {
  return header?.trim() || "local";
}

/**
 * Spends one unit of the AUTH_LIMITER budget for `key` (10 per 60 s, see wrangler.toml) and
 * throws 429 with Retry-After when it is exhausted. Keys are chosen by the caller so login can
 * be limited per IP and email, and signup per IP.
 */
export async function enforceAuthLimit(env: AppEnv["Bindings"], key: string): Promise<void> {
  const { success } = await env.AUTH_LIMITER.limit({ key });
  if (!success)
    throw new AppError("rate_limited", "Too many attempts; try again in a minute", {
      headers: { "Retry-After": "60" },
    });
}
