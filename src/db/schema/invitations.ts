import { sql } from "drizzle-orm";
import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";
import { INVITATION_STATUSES, ORGANIZER_ROLES } from "./constants";
import { organizers } from "./organizers";
import { users } from "./users";

/**
 * Invitations to join an organizer. Membership needs the invited account's consent: an owner
 * invites an email, and only the account with that email can accept (once, before `expires_at`).
 */
export const organizerInvitations = sqliteTable(
  "organizer_invitations",
  {
    id: text("id").primaryKey(),
    organizerId: text("organizer_id")
      .notNull()
      .references(() => organizers.id),
    /** Normalized (trimmed, lower-case), like `users.email`. */
    email: text("email").notNull(),
    role: text("role", { enum: ORGANIZER_ROLES }).notNull(),
    status: text("status", { enum: INVITATION_STATUSES }).notNull().default("pending"),
    invitedBy: text("invited_by").references(() => users.id),
    expiresAt: integer("expires_at").notNull(),
    createdAt: integer("created_at").notNull(),
    /** When it was accepted, declined or revoked, and by whom. */
    respondedAt: integer("responded_at"),
    respondedBy: text("responded_by").references(() => users.id),
  },
  (t) => [
    // One open invitation per organizer and email, so a second invite cannot pile up duplicates.
    uniqueIndex("organizer_invitations_pending_unique").on(t.organizerId, t.email).where(sql`status = 'pending'`),
    index("organizer_invitations_email_idx").on(t.email, t.status),
  ],
);

export type OrganizerInvitationRow = typeof organizerInvitations.$inferSelect;
