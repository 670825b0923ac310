import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { ORGANIZER_ROLES, ROLES } from "./constants";
import { organizers } from "./organizers";

export const users = sqliteTable(
  "users",
  {
    id: text("id").primaryKey(),
    email: text("email").notNull(),
    passwordHash: text("password_hash"),
    name: text("name"),
    phone: text("phone"),
    notifyEmail: integer("notify_email", { mode: "boolean" }).notNull().default(true),
    notifySms: integer("notify_sms", { mode: "boolean" }).notNull().default(false),
    role: text("role", { enum: ROLES }).notNull().default("fan"),
    organizerId: text("organizer_id").references(() => organizers.id),
    /** Rights inside `organizer_id` (owner or staff); null when the account belongs to none. */
    organizerRole: text("organizer_role", { enum: ORGANIZER_ROLES }),
    /** `issuer|subject` of an external OpenID Connect identity linked to this account. */
    oidcSubject: text("oidc_subject"),
    /**
     * Session version, carried by access tokens as `tv`. Bumped when sessions end (logout, logout
     * everywhere, a revoked refresh family), so older tokens are refused on guarded routes.
     */
    tokenVersion: integer("token_version").notNull().default(0),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [
    uniqueIndex("users_email_unique").on(t.email),
    uniqueIndex("users_oidc_subject_unique").on(t.oidcSubject),
    index("users_organizer_idx").on(t.organizerId),
  ],
);

/**
 * Opaque refresh tokens, stored only as SHA-256 hashes. Each login starts a family; every use
 * rotates the token inside its family, and presenting a rotated (used) token revokes the family.
 */
export const refreshTokens = sqliteTable(
  "refresh_tokens",
  {
    id: text("id").primaryKey(),
    userId: text("user_id")
      .notNull()
      .references(() => users.id),
    familyId: text("family_id").notNull(),
    tokenHash: text("token_hash").notNull(),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    usedAt: integer("used_at"),
    revokedAt: integer("revoked_at"),
  },
  (t) => [
    uniqueIndex("refresh_tokens_hash_unique").on(t.tokenHash),
    index("refresh_tokens_family_idx").on(t.familyId),
    // Logout everywhere revokes by account.
    index("refresh_tokens_user_idx").on(t.userId),
  ],
);

export type UserRow = typeof users.$inferSelect;
