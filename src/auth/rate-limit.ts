import { AppError } from "../errors";
import type { AppEnv } from "../env";
import { normalizeEmail } from "../domain/accounts";

type Bindings = AppEnv["Bindings"];
/** One budget to spend: a rate-limit binding and the key inside it. */
type Budget = { limiter: RateLimit; key: string };

/** The caller's IP as Cloudflare reports it; "local" in dev and tests without the header. */
export function clientIp(header: string | undefined): string {
  return header?.trim() || "local";
}

/**
 * Spends the budgets in order and throws 429 with Retry-After at the first exhausted one. Every
 * auth limiter has a 60 s period (wrangler.toml), hence the fixed Retry-After. In order, not in
 * parallel: a request refused for its IP must not also drain the email's budget, or one sprayer
 * would lock every targeted account out for its legitimate owners.
 */
async function spend(budgets: Budget[]): Promise<void> {
  for (const { limiter, key } of budgets) {
    const { success } = await limiter.limit({ key });
    if (!success)
      throw new AppError("rate_limited", "Too many attempts; try again in a minute", {
        headers: { "Retry-After": "60" },
      });
  }
}

/**
 * Login budgets (see wrangler.toml): 10/min per IP and email (guessing one account), 30/min per IP
 * across emails (password spraying), 20/min per email across IPs (one account from a botnet).
 */
export function enforceLoginLimit(env: Bindings, ip: string, email: string): Promise<void> {
  const who = normalizeEmail(email);
  return spend([
    { limiter: env.AUTH_LIMITER, key: `login:${ip}:${who}` },
    { limiter: env.AUTH_IP_LIMITER, key: `login:${ip}` },
    { limiter: env.AUTH_EMAIL_LIMITER, key: `login:${who}` },
  ]);
}

/**
 * Sign-up budgets: 10/min per IP across emails (mass account creation) and 20/min per email
 * across IPs (probing which emails are taken, since a taken one answers 409).
 */
export function enforceSignupLimit(env: Bindings, ip: string, email: string): Promise<void> {
  return spend([
    { limiter: env.AUTH_LIMITER, key: `signup:${ip}` },
    { limiter: env.AUTH_EMAIL_LIMITER, key: `signup:${normalizeEmail(email)}` },
  ]);
}
