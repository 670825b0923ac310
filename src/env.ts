import type { Role } from "./db/schema/constants";

/**
 * Secrets are set with `wrangler secret put` (or `.dev.vars` locally), so `wrangler types` cannot
 * see them; they are declared here, all optional, and each reader says what happens without it.
 */
export type Secrets = {
  /** HS256 key for access tokens. Required in every ENVIRONMENT but "development". */
  JWT_SECRET?: string;
  /** Email of the account that is made admin at sign-up (the first admin). */
  BOOTSTRAP_ADMIN_EMAIL?: string;
  /** Stripe API key. Unset: the simulated provider in development, a configuration error elsewhere. */
  STRIPE_SECRET_KEY?: string;
  /** Stripe's webhook signing secret (`whsec_...`). Required with STRIPE_SECRET_KEY. */
  STRIPE_WEBHOOK_SECRET?: string;
  /**
   * Development only: Stripe's API at another address, such as stripe-mock or the bench's fake
   * Stripe (`http://127.0.0.1:12111`). Ignored in every other ENVIRONMENT.
   */
  STRIPE_API_BASE?: string;
  /**
   * Tests only: "true" makes the event objects check every order read their cache answers against
   * SQLite (src/objects/inventory/order-cache.ts).
   */
  ORDER_CACHE_VERIFY?: string;
  /** AWS access key for SES v2. Required when EMAIL_PROVIDER is "ses"; without it emails fail as misconfigured. */
  AWS_ACCESS_KEY_ID?: string;
  /** AWS secret key paired with AWS_ACCESS_KEY_ID (SigV4 signing of SES requests). */
  AWS_SECRET_ACCESS_KEY?: string;
  /** Twilio account SID. Required when SMS_PROVIDER is "twilio"; without it SMS fail as misconfigured. */
  TWILIO_ACCOUNT_SID?: string;
  /** Twilio auth token, the Basic auth password paired with TWILIO_ACCOUNT_SID. */
  TWILIO_AUTH_TOKEN?: string;
  /**
   * Salt for the SHA-256 of client IPs in the audit log (fraud review groups by it without
   * storing IPs). Unset: a fixed salt in development; no IP hash in any other environment.
   */
  AUDIT_IP_SALT?: string;
  /**
   * Bearer token for operator endpoints (`GET /v1/admin/metrics`, `GET /v1/health?deep=1`); kept
   * apart from user JWTs so a scraper never holds an account. Unset: only admin JWTs get in.
   */
  OPERATOR_TOKEN?: string;
};

/** Who is calling, once `requireAuth` has run. */
export type AuthContext = {
  userId: string;
  email: string;
  role: Role;
  organizerId: string | null;
  /**
   * The account's session version the token was signed at (`tv`); guarded routes refuse a token
   * whose version is no longer current. Absent for IdP tokens, whose account is re-read anyway.
   */
  tokenVersion?: number;
};

export type AppEnv = {
  Bindings: Env & Secrets;
  Variables: {
    requestId: string;
    auth: AuthContext;
    /** A D1 Sessions API session for read routes (see middleware/read-replica.ts). */
    readDb: D1Database;
    /** An Idempotency-Key the route's own object calls take (see domain/idempotency-claim.ts). */
    idempotencyClaim?: import("./domain/idempotency-claim").DeferredClaim;
  };
};
