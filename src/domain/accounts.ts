import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { refreshTokens, users, type UserRow } from "../db/schema";
import { AppError } from "../errors";
import type { AppEnv, AuthContext } from "../env";
import { newId, sha256Hex } from "../lib/ids";
import { ACCESS_TOKEN_SECONDS } from "../auth/config";
import { dummyVerify, hashPassword, verifyPassword } from "../auth/passwords";
import { issueRefreshToken, rotateRefreshToken } from "../auth/refresh-tokens";
import { signAccessToken } from "../auth/tokens";

type Bindings = AppEnv["Bindings"];

export type SignupInput = {
  email: string;
  password: string;
  name?: string;
  phone?: string;
  notifications?: { email?: boolean; sms?: boolean };
};
export type ProfilePatch = {
  name?: string | null;
  phone?: string | null;
  notifications?: { email?: boolean; sms?: boolean };
};

/** Emails compare trimmed and lower-cased everywhere, so `A@x.test ` and `a@x.test` are one account. */
export const normalizeEmail = (email: string) => email.trim().toLowerCase();

/** The public view of a user (never the password hash or OIDC subject). */
export function userView(u: UserRow) {
  return {
    id: u.id,
    email: u.email,
    name: u.name,
    phone: u.phone,
    role: u.role,
    organizerId: u.organizerId,
    organizerRole: u.organizerRole,
    notifications: { email: u.notifyEmail, sms: u.notifySms },
    createdAt: new Date(u.createdAt).toISOString(),
  };
}

/** What the access token carries for a user. */
export const authOf = (u: UserRow): AuthContext => ({
  userId: u.id,
  email: u.email,
  role: u.role,
  organizerId: u.organizerId,
});

/** True when a D1 error is a UNIQUE violation (drizzle wraps the driver error in `cause`). */
export function isUniqueViolation(err: unknown): boolean {
  for (let e: unknown = err; e instanceof Error; e = e.cause)
    if (/UNIQUE constraint failed/i.test(e.message)) return true;
  return false;
}

/** Access token, refresh token (optionally continuing a family) and the user, as login answers. */
async function session(db: Db, env: Bindings, user: UserRow, refreshToken?: string) {
  return {
    user: userView(user),
    accessToken: await signAccessToken({ ...authOf(user), tokenVersion: user.tokenVersion }, env),
    refreshToken: refreshToken ?? (await issueRefreshToken(db, user.id)),
    expiresIn: ACCESS_TOKEN_SECONDS,
  };
}

/**
 * Creates a password account and starts a session. The bootstrap email (a secret) becomes admin
 * so a fresh deployment has a first administrator without a manual database edit.
 */
export async function signup(db: Db, env: Bindings, input: SignupInput) {
  const email = normalizeEmail(input.email);
  const bootstrap = env.BOOTSTRAP_ADMIN_EMAIL ? normalizeEmail(env.BOOTSTRAP_ADMIN_EMAIL) : null;
  const taken = () => new AppError("email_taken", "An account with this email already exists");
  if (await db.query.users.findFirst({ where: eq(users.email, email), columns: { id: true } })) throw taken();
  const now = Date.now();
  const row: UserRow = {
    id: newId("usr"),
    email,
    passwordHash: await hashPassword(input.password),
    name: input.name ?? null,
    phone: input.phone ?? null,
    notifyEmail: input.notifications?.email ?? true,
    notifySms: input.notifications?.sms ?? false,
    role: email === bootstrap ? "admin" : "fan",
    organizerId: null,
    organizerRole: null,
    oidcSubject: null,
    tokenVersion: 0,
    createdAt: now,
    updatedAt: now,
  };
  try {
    await db.insert(users).values(row);
  } catch (err) {
    // Two sign-ups racing past the check above: the unique index decides.
    if (isUniqueViolation(err)) throw taken();
    throw err;
  }
  return session(db, env, row);
}

/**
 * Checks email and password. Unknown email and wrong password give the same error, and an
 * unknown email still pays for one scrypt run, so neither body nor timing reveals accounts.
 */
export async function login(db: Db, env: Bindings, input: { email: string; password: string }) {
  const user = await db.query.users.findFirst({ where: eq(users.email, normalizeEmail(input.email)) });
  let ok = false;
  if (user?.passwordHash) ok = await verifyPassword(input.password, user.passwordHash);
  else await dummyVerify(input.password);
  if (!user || !ok) throw new AppError("unauthenticated", "Email or password is incorrect");
  return session(db, env, user);
}

/** Rotates a refresh token; the user is re-read so a role change shows in the new access token. */
export async function refresh(db: Db, env: Bindings, refreshToken: string) {
  const rotated = await rotateRefreshToken(db, refreshToken);
  const user = await db.query.users.findFirst({ where: eq(users.id, rotated.userId) });
  if (!user) throw new AppError("unauthenticated", "The account no longer exists");
  return session(db, env, user, rotated.token);
}

/**
 * After a refused refresh: the token's user and family when it had been used before, which means
 * rotation detected reuse and revoked the family (worth an audit entry); null otherwise.
 */
export async function refreshReuse(db: Db, refreshToken: string): Promise<{ userId: string; familyId: string } | null> {
  const row = await db.query.refreshTokens.findFirst({
    where: eq(refreshTokens.tokenHash, await sha256Hex(refreshToken)),
  });
  return row && row.usedAt !== null ? { userId: row.userId, familyId: row.familyId } : null;
}

/** SHA-256 of a normalized email: failed logins group by it without storing the address. */
export const emailHash = (email: string) => sha256Hex(normalizeEmail(email));

/** Loads the caller's row; a token for a deleted account is no longer valid. */
export async function getUser(db: Db, userId: string): Promise<UserRow> {
  const user = await db.query.users.findFirst({ where: eq(users.id, userId) });
  if (!user) throw new AppError("unauthenticated", "The account no longer exists");
  return user;
}

/** Applies a profile patch; SMS notifications need a phone number in the resulting state. */
export async function updateProfile(db: Db, userId: string, patch: ProfilePatch) {
  const user = await getUser(db, userId);
  const next = {
    name: patch.name === undefined ? user.name : patch.name,
    phone: patch.phone === undefined ? user.phone : patch.phone,
    notifyEmail: patch.notifications?.email ?? user.notifyEmail,
    notifySms: patch.notifications?.sms ?? user.notifySms,
  };
  if (next.notifySms && !next.phone) {
    throw new AppError("validation_failed", "SMS notifications need a phone number", {
      extra: { errors: [{ path: "notifications.sms", message: "SMS notifications need a phone number" }] },
    });
  }
  const updatedAt = Date.now();
  await db
    .update(users)
    .set({ ...next, updatedAt })
    .where(eq(users.id, userId));
  return userView({ ...user, ...next, updatedAt });
}
