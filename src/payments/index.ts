import { AppError } from "../errors";
import type { AppEnv } from "../env";
import { isDevelopment } from "../lib/environment";
import type { PaymentProvider } from "./provider";
import { SimulatedProvider } from "./simulated";
import { StripeProvider } from "./stripe";

/** Signs the simulated provider's webhooks; only ever used when Stripe is not configured. */
export const SIMULATED_WEBHOOK_SECRET = "whsec_simulated_local_only";

type Bindings = AppEnv["Bindings"];

/**
 * Stripe when STRIPE_SECRET_KEY is set; otherwise the simulated provider, but only in development:
 * on staging or production it would let anyone "pay" on the local page, so a missing key is a
 * configuration error there.
 */
export function paymentProvider(env: Bindings): PaymentProvider {
  if (env.STRIPE_SECRET_KEY) {
    return new StripeProvider(env.STRIPE_SECRET_KEY, env.STRIPE_PUBLISHABLE_KEY || null, stripeApiBase(env));
  }
  if (!isDevelopment(env)) {
    throw new AppError(
      "configuration_error",
      "STRIPE_SECRET_KEY is not set; set it with `wrangler secret put STRIPE_SECRET_KEY`",
    );
  }
  return new SimulatedProvider(env.SIMULATED_GATEWAY);
}

/** STRIPE_API_BASE, honoured only in development so a stray variable cannot reroute real payments. */
function stripeApiBase(env: Bindings): URL | null {
  if (!env.STRIPE_API_BASE || !isDevelopment(env)) return null;
  try {
    return new URL(env.STRIPE_API_BASE);
  } catch {
    throw new AppError("configuration_error", "STRIPE_API_BASE is not a URL");
  }
}

/** The secret webhooks are verified with: Stripe's, or the simulated provider's local one. */
export function webhookSecret(env: Bindings): string {
  if (env.STRIPE_SECRET_KEY) {
    if (!env.STRIPE_WEBHOOK_SECRET) throw new AppError("configuration_error", "STRIPE_WEBHOOK_SECRET is not set");
    return env.STRIPE_WEBHOOK_SECRET;
  }
  if (!isDevelopment(env)) throw new AppError("configuration_error", "STRIPE_SECRET_KEY is not set");
  return SIMULATED_WEBHOOK_SECRET;
}
