import { and, eq, exists, isNull, sql } from "drizzle-orm";
import type { Db } from "../db/client";
import { refreshTokens, users } from "../db/schema";
import { AppError } from "../errors";
import { newId, randomToken, sha256Hex } from "../lib/ids";
import { REFRESH_TOKEN_SECONDS } from "./config";
import { forgetUser } from "./revocation";

const invalid = () => new AppError("unauthenticated", "The refresh token is invalid, expired or revoked");

/**
 * Issues a new opaque refresh token for `userId`. Only its SHA-256 is stored, so a database leak
 * does not leak usable tokens. Without `familyId` a new family (one login session) starts.
 */
export async function issueRefreshToken(
  db: Db,
  userId: string,
  familyId = newId("rtf"),
  now = Date.now(),
): Promise<string> {
  const token = randomToken();
  await db.insert(refreshTokens).values({
    id: newId("rt"),
    userId,
    familyId,
    tokenHash: await sha256Hex(token),
    expiresAt: now + REFRESH_TOKEN_SECONDS * 1000,
    createdAt: now,
  });
  return token;
}

const bumpVersion = { tokenVersion: sql`${users.tokenVersion} + 1` };

/**
 * Revokes every still-live token of a family (idempotent) and bumps the owner's session version,
 * so access tokens already issued stop working on guarded routes within a minute. The bump costs
 * the owner's other sessions one silent refresh each; a per-session check would cost a read of
 * the family on every guarded request instead.
 */
export async function revokeFamily(
  db: Db,
  family: { userId: string; familyId: string },
  now = Date.now(),
): Promise<void> {
  const live = and(eq(refreshTokens.familyId, family.familyId), isNull(refreshTokens.revokedAt));
  // One batch, so one transaction: the bump happens only while a live token remains, so revoking
  // a family twice (a repeated logout) bumps once.
  await db.batch([
    db
      .update(users)
      .set(bumpVersion)
      .where(and(eq(users.id, family.userId), exists(db.select().from(refreshTokens).where(live)))),
    db.update(refreshTokens).set({ revokedAt: now }).where(live),
  ]);
  forgetUser(family.userId);
}

/** Logout everywhere: revokes every live refresh token of the account and bumps its session version. */
export async function revokeAllSessions(db: Db, userId: string, now = Date.now()): Promise<void> {
  await db.batch([
    db.update(users).set(bumpVersion).where(eq(users.id, userId)),
    db
      .update(refreshTokens)
      .set({ revokedAt: now })
      .where(and(eq(refreshTokens.userId, userId), isNull(refreshTokens.revokedAt))),
  ]);
  forgetUser(userId);
}

/**
 * Spends a refresh token and returns its successor in the same family. A token that was already
 * used means it leaked (or a client replayed it), so the whole family is revoked: the thief and
 * the victim both have to log in again, which is the point of rotation.
 */
export async function rotateRefreshToken(
  db: Db,
  token: string,
  now = Date.now(),
): Promise<{ userId: string; familyId: string; token: string }> {
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, await sha256Hex(token)) });
  if (!row || row.revokedAt !== null || row.expiresAt <= now) throw invalid();
  if (row.usedAt !== null) {
    await revokeFamily(db, row, now);
    throw invalid();
  }
  // Conditional update: of two concurrent uses only one changes the row; the loser is treated
  // as reuse, because a legitimate client never presents the same token twice.
  const res = await db
    .update(refreshTokens)
    .set({ usedAt: now })
    .where(and(eq(refreshTokens.id, row.id), isNull(refreshTokens.usedAt), isNull(refreshTokens.revokedAt)))
    .run();
  if (res.meta.changes !== 1) {
    await revokeFamily(db, row, now);
    throw invalid();
  }
  return {
    userId: row.userId,
    familyId: row.familyId,
    token: await issueRefreshToken(db, row.userId, row.familyId, now),
  };
}

/** Logs a session out by revoking the family of the presented token; unknown tokens are a no-op. */
export async function revokeByToken(db: Db, token: string, now = Date.now()): Promise<void> {
  const row = await db.query.refreshTokens.findFirst({ where: eq(refreshTokens.tokenHash, await sha256Hex(token)) });
  if (row) await revokeFamily(db, row, now);
}
