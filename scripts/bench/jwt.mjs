// Mints HS256 access tokens exactly like src/auth/tokens.ts signs them, so fans need no sign-up
// (sign-up is rate limited and scrypt is slow). Holds never look the user up in D1.
import { createHmac } from "node:crypto";

/** The key src/auth/config.ts falls back to outside production. */
export const DEV_SECRET = "dev-only-jwt-secret-not-for-production-use";

/** @param {string | Buffer} s */
const b64url = (s) => Buffer.from(s).toString("base64url");

/**
 * @param {{ sub: string, email: string, role?: "fan" | "organizer" | "admin", org?: string | null }} who
 * @param {{ secret: string, issuer: string, audience: string, ttlSeconds?: number }} opts
 * @returns {string}
 */
export function mintAccessToken(who, { secret, issuer, audience, ttlSeconds = 15 * 60 }) {
  const iat = Math.floor(Date.now() / 1000);
  const header = b64url(JSON.stringify({ alg: "HS256", typ: "JWT" }));
  const payload = b64url(
    JSON.stringify({
      sub: who.sub,
      email: who.email,
      role: who.role ?? "fan",
      org: who.org ?? null,
      iss: issuer,
      aud: audience,
      iat,
      nbf: iat,
      exp: iat + ttlSeconds,
    }),
  );
  const sig = createHmac("sha256", secret).update(`${header}.${payload}`).digest("base64url");
  return `${header}.${payload}.${sig}`;
}
