import { AppError } from "../errors";
import type { AppEnv } from "../env";

const DEV_SECRET = "dev-only-jwt-secret-not-for-production-use";

/**
 * The HS256 key for access tokens. Outside production a fixed development key keeps
 * `npm start` free of setup; in production a missing secret is a configuration error, never a
 * silent fallback.
 */
export function jwtSecret(env: AppEnv["Bindings"]): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (env.ENVIRONMENT !== "production") return DEV_SECRET;
  throw new AppError("configuration_error", "JWT_SECRET is not set; set it with `wrangler secret put JWT_SECRET`");
}

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 60 * 60;
