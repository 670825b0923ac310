/**
 * True only for local runs: the top-level `[vars]` of wrangler.toml say "development", while
 * `[env.staging]` and `[env.production]` set their own name. Every development fallback (the
 * public JWT key, the simulated payment provider and its pay page, `/mailbox`, the fixed IP salt)
 * asks this, so a deployed environment, staging included, never silently runs on one. A missing or
 * misspelt ENVIRONMENT counts as deployed, since failing closed is the safe default.
 */
export function isDevelopment(env: { ENVIRONMENT?: string }): boolean {
  return env.ENVIRONMENT === "development";
}
