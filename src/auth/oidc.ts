import { and, eq, isNull } from "drizzle-orm";
import { decodeBase64Url } from "hono/utils/encode";
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

/** OIDC is on only when both issuer and JWKS URL are configured (the audience is then required). */
export const oidcConfigured = (env: Bindings) => Boolean(env.OIDC_ISSUER && env.OIDC_JWKS_URL);

/** Where a privileged account links its external identity, named in the 409 that refuses auto-linking. */
export const OIDC_LINK_PATH = "/v1/me/oidc/link";

/** An external identity, verified: its `iss|sub` subject and its email when the IdP verified it. */
export type OidcIdentity = { subject: string; email: string | null };

/** True when the token's header names an asymmetric algorithm, i.e. it claims to come from an IdP. */
export function isAsymmetricToken(token: string): boolean {
  const dot = token.indexOf(".");
  if (dot <= 0) return false; // Not a JWT: let the local verifier reject it.
  // Only the header counts, and a service sees few distinct ones (ours, each IdP key's): each is
  // decoded once per isolate instead of the whole token on every request.
  const head = token.slice(0, dot);
  let asymmetric = headerKinds.get(head);
  if (asymmetric === undefined) {
    try {
      const { alg } = JSON.parse(new TextDecoder().decode(decodeBase64Url(head))) as { alg?: unknown };
      asymmetric = (OIDC_ALGS as readonly unknown[]).includes(alg);
    } catch {
      asymmetric = false; // Not a decodable header: the local verifier rejects the token.
    }
    if (headerKinds.size >= HEADER_KINDS_MAX) headerKinds.clear();
    headerKinds.set(head, asymmetric);
  }
  return asymmetric;
}

/** JWT header segments seen, and whether each names an asymmetric algorithm. */
const headerKinds = new Map<string, boolean>();
const HEADER_KINDS_MAX = 256;

/**
 * Verifies an IdP token against the configured JWKS with issuer and audience pinned. Without an
 * audience any token the IdP issued to any other application would sign in here, so OIDC set up
 * without OIDC_AUDIENCE is a configuration error (503), not a laxer check.
 */
export async function verifyIdToken(token: string, env: Bindings): Promise<OidcIdentity> {
  if (!oidcConfigured(env)) throw new AppError("unauthenticated", "External identity tokens are not accepted here");
  if (!env.OIDC_AUDIENCE) {
    throw new AppError(
      "configuration_error",
      "OIDC_ISSUER is set but OIDC_AUDIENCE is not; set the client id it expects",
    );
  }
  let payload: unknown;
  try {
    payload = await Jwt.verifyWithJwks(token, {
      jwks_uri: env.OIDC_JWKS_URL,
      allowedAlgorithms: OIDC_ALGS,
      verification: { iss: env.OIDC_ISSUER, aud: env.OIDC_AUDIENCE },
    });
  } catch (err) {
    throw invalid(err);
  }
  const claims = Claims.safeParse(payload);
  if (!claims.success || claims.data.iss !== env.OIDC_ISSUER) throw invalid();
  const subject = `${claims.data.iss}|${claims.data.sub}`;
  const email = claims.data.email_verified === true && claims.data.email ? normalizeEmail(claims.data.email) : null;
  return { subject, email };
}

/**
 * Verifies an IdP token and maps it to a local account: by linked subject, else by verified email
 * (linking it, for plain fan accounts only), else a new passwordless fan. An unverified email never
 * links, or anyone could claim an existing account; an organizer or admin account is never linked
 * by email at all (a verified email at some IdP is weaker proof than the account's password), so
 * it gets a 409 naming the authenticated link endpoint instead.
 */
export async function verifyOidcToken(token: string, env: Bindings): Promise<AuthContext> {
  const { subject, email } = await verifyIdToken(token, env);
  return authOf(await findOrCreate(env, subject, email));
}

/** Organizers and admins (and anyone attached to an organizer) hold more than their own tickets. */
const isPrivileged = (u: UserRow) => u.role !== "fan" || u.organizerId !== null;

/**
 * The explicit link step: the signed-in account (authenticated by its own password session, the
 * route checks that) takes the external identity of `idToken`. Refuses with 409 when the identity
 * already belongs to another account or the account already has another one.
 */
export async function linkOidcIdentity(env: Bindings, userId: string, idToken: string): Promise<UserRow> {
  const { subject } = await verifyIdToken(idToken, env);
  const db = createDb(env.DB);
  const owner = await db.query.users.findFirst({ where: eq(users.oidcSubject, subject) });
  if (owner && owner.id !== userId) {
    throw new AppError("conflict", "This external identity is already linked to another account");
  }
  if (!owner) {
    try {
      await db
        .update(users)
        .set({ oidcSubject: subject, updatedAt: Date.now() })
        .where(and(eq(users.id, userId), isNull(users.oidcSubject)));
    } catch (err) {
      // A concurrent link of the same identity to another account won (oidc_subject is unique).
      if (!isUniqueViolation(err)) throw err;
      throw new AppError("conflict", "This external identity is already linked to another account", { cause: err });
    }
  }
  const me = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!me) throw new AppError("unauthenticated", "This account no longer exists");
  if (me.oidcSubject !== subject) {
    throw new AppError("conflict", "This account is already linked to another external identity");
  }
  return me;
}

async function findOrCreate(env: Bindings, subject: string, email: string | null): Promise<UserRow> {
  const db = createDb(env.DB);
  const bySubject = () => db.query.users.findFirst({ where: eq(users.oidcSubject, subject) });
  const linked = await bySubject();
  if (linked) return linked;
  if (!email) throw new AppError("unauthenticated", "The identity provider token has no verified email");

  const byEmail = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (byEmail) {
    if (isPrivileged(byEmail)) {
      throw new AppError(
        "oidc_link_required",
        "This email belongs to an organizer or admin account, which is never linked automatically: " +
          `sign in with your password, then link this identity from your account (POST ${OIDC_LINK_PATH})`,
        { extra: { link: OIDC_LINK_PATH } },
      );
    }
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
    tokenVersion: 0,
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
