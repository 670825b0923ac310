import { and, eq, isNull } from "drizzle-orm";
import { Jwt } from "hono/utils/jwt";
import { z } from "zod";
import { createDb } from "../db/client";
import { users, type UserRow } from "../db/schema";
import { authOf, isUniqueViolation, normalizeEmail } from "../domain/accounts";
import { AppError } from "../errors";
import type { AppEnv, AuthContext } from "../env";
import { newId } from "../lib/ids";

type Bindings = AppEnv["Bindings"];

/** The only algorithms an external issuer may use; symmetric ones would let anyone with our key forge IdP tokens. */
export const OIDC_ALGS = ["RS256", "ES256"] as const;

const Claims = z.object({
  iss: z.string(),
  sub: z.string().min(1),
  email: z.string().email().optional(),
  email_verified: z.boolean().optional(),
});

const invalid = (cause?: unknown) =>
  new AppError("unauthenticated", "The identity provider token is invalid or expired", { cause });

/** OIDC is on only when both issuer and JWKS URL are configured. */
export const oidcConfigured = (env: Bindings) => Boolean(env.OIDC_ISSUER && env.OIDC_JWKS_URL);

/** True when the token's header names an asymmetric algorithm, i.e. it claims to come from an IdP. */
export function isAsymmetricToken(token: string): boolean {
  try {
    const { header } = Jwt.decode(token);
    return (OIDC_ALGS as readonly string[]).includes(header.alg);
  } catch {
    return false; // Not a decodable JWT: let the local verifier reject it.
  }
}

/**
 * Verifies an IdP token against the configured JWKS (issuer and, when set, audience pinned) and
 * maps it to a local account: by linked subject, else by verified email (linking it), else a new
 * passwordless fan. An unverified email never links, or anyone could claim an existing account.
 */
export async function verifyOidcToken(token: string, env: Bindings): Promise<AuthContext> {
  if (!oidcConfigured(env)) throw new AppError("unauthenticated", "External identity tokens are not accepted here");
  let payload: unknown;
  try {
    payload = await Jwt.verifyWithJwks(token, {
      jwks_uri: env.OIDC_JWKS_URL,
      allowedAlgorithms: OIDC_ALGS,
      verification: { iss: env.OIDC_ISSUER, ...(env.OIDC_AUDIENCE ? { aud: env.OIDC_AUDIENCE } : {}) },
    });
  } catch (err) {
    throw invalid(err);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success || claims.data.iss !== env.OIDC_ISSUER) throw invalid();
  const subject = `${claims.data.iss}|${claims.data.sub}`;
  const email = claims.data.email_verified === true && claims.data.email ? normalizeEmail(claims.data.email) : null;
  return authOf(await findOrCreate(env, subject, email));
}

async function findOrCreate(env: Bindings, subject: string, email: string | null): Promise<UserRow> {
  const db = createDb(env.DB);
  const bySubject = () => db.query.users.findFirst({ where: eq(users.oidcSubject, subject) });
  const linked = await bySubject();
  if (linked) return linked;
  if (!email) throw new AppError("unauthenticated", "The identity provider token has no verified email");

  const byEmail = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (byEmail) {
    // Only link an account that has no other external identity yet.
    await db
      .update(users)
      .set({ oidcSubject: subject, updatedAt: Date.now() })
      .where(and(eq(users.id, byEmail.id), isNull(users.oidcSubject)));
    const after = await bySubject();
    if (!after) throw new AppError("unauthenticated", "This email is already linked to another identity");
    return after;
  }

  const now = Date.now();
  const row: UserRow = {
    id: newId("usr"),
    email,
    passwordHash: null,
    name: null,
    phone: null,
    notifyEmail: true,
    notifySms: false,
    role: "fan",
    organizerId: null,
    organizerRole: null,
    oidcSubject: subject,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.insert(users).values(row);
    return row;
  } catch (err) {
    // A concurrent first request for the same identity won the insert: use its row.
    if (!isUniqueViolation(err)) throw err;
    const winner = await bySubject();
    if (!winner)
      throw new AppError("unauthenticated", "This email is already registered to another account", { cause: err });
    return winner;
  }
}
