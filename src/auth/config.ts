import { AppError } from "../errors";
import type { AppEnv } from "../env";
import { isDevelopment } from "../lib/environment";

const DEV_SECRET = "dev-only-jwt-secret-not-for-production-use";

/**
 * The HS256 key for access tokens. In development a fixed, public key keeps `npm start` free of
 * setup; in every other environment (staging included) a missing secret is a configuration error
 * (503, logged by onError), never a silent fallback to a key anyone can read in this repository.
 */
export function jwtSecret(env: AppEnv["Bindings"]): string {
  if (env.JWT_SECRET) return env.JWT_SECRET;
  if (isDevelopment(env)) return DEV_SECRET;
  throw new AppError("configuration_error", "JWT_SECRET is not set; set it with `wrangler secret put JWT_SECRET`");
}

export const ACCESS_TOKEN_SECONDS = 15 * 60;
export const REFRESH_TOKEN_SECONDS = 30 * 24 * 60 * 60;
