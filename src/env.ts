import type { Role } from "./db/schema/constants";

/**
 * Secrets are set with `wrangler secret put` (or `.dev.vars` locally), so `wrangler types` cannot
 * see them; they are declared here, all optional, and each reader says what happens without it.
 */
export type Secrets = {
  /** HS256 key for access tokens. Required when ENVIRONMENT is "production". */
  JWT_SECRET?: string;
  /** Email of the account that is made admin at sign-up (the first admin). */
  BOOTSTRAP_ADMIN_EMAIL?: string;
  /** Stripe API key. Unset: the simulated provider takes payments (local runs and demos). */
  STRIPE_SECRET_KEY?: string;
  /** Stripe's webhook signing secret (`whsec_...`). Required with STRIPE_SECRET_KEY. */
  STRIPE_WEBHOOK_SECRET?: string;
};

/** Who is calling, once `requireAuth` has run. */
export type AuthContext = {
  userId: string;
  email: string;
  role: Role;
  organizerId: string | null;
};

export type AppEnv = {
  Bindings: Env & Secrets;
  Variables: {
    requestId: string;
    auth: AuthContext;
  };
};
