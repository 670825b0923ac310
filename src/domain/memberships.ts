import { and, asc, desc, eq, gt, lte, type SQL } from "drizzle-orm";
import type { AuditInput } from "../audit/emit";
import { createDb, type Db } from "../db/client";
import { getOrganizer } from "../db/queries/catalog";
import { organizerInvitations, organizers, users, type OrganizerInvitationRow, type UserRow } from "../db/schema";
import type { OrganizerRole } from "../db/schema/constants";
import type { AuthContext } from "../env";
import { AppError, forbidden, notFound } from "../errors";
import { newId } from "../lib/ids";
import { isUniqueViolation, normalizeEmail } from "./accounts";
import { canSee } from "./catalog-access";

/** How long an invitation can be accepted: long enough for a holiday, short enough to go stale. */
export const INVITATION_TTL_MS = 7 * 24 * 3_600_000;

/** What every membership change returns: the answer's payload and the audit entry to emit. */
export type Change<T> = { result: T; audit: AuditInput };

export type InvitationView = ReturnType<typeof invitationView>;

/** The public view of an invitation; a pending one past its deadline reads as `expired`. */
export function invitationView(row: OrganizerInvitationRow, now = Date.now(), organizerName?: string) {
  const expired = row.status === "pending" && row.expiresAt <= now;
  return {
    id: row.id,
    organizerId: row.organizerId,
    ...(organizerName === undefined ? {} : { organizerName }),
    email: row.email,
    role: row.role,
    status: expired ? ("expired" as const) : row.status,
    invitedBy: row.invitedBy,
    expiresAt: new Date(row.expiresAt).toISOString(),
    createdAt: new Date(row.createdAt).toISOString(),
  };
}

/** A member as the member list shows it. */
export const memberView = (u: Pick<UserRow, "id" | "email" | "name" | "role" | "organizerRole">) => ({
  id: u.id,
  email: u.email,
  name: u.name,
  role: u.role,
  organizerRole: u.organizerRole,
});

const adminRefused = () =>
  new AppError("unprocessable", "Admin accounts cannot be members of an organizer", {
    extra: { errors: [{ path: "email", message: "belongs to an admin account" }] },
  });

/**
 * The organizer, when the caller may manage its membership: admins (they create organizers and
 * appoint the first owner) and the organizer's own owners. Staff get 403; anyone outside the
 * organizer gets 404, as for every other tenant row. Membership is read from D1, not the token,
 * so a member removed or demoted a minute ago cannot act on a still-valid token.
 */
export async function requireOwner(db: Db, auth: AuthContext, organizerId: string) {
  const org = await getOrganizer(db, organizerId);
  if (!org || !canSee(auth, org.id)) throw notFound("Organizer");
  if (auth.role === "admin") return org;
  const me = await db.query.users.findFirst({ where: eq(users.id, auth.userId) });
  if (me?.organizerId !== org.id) throw notFound("Organizer");
  if (me.organizerRole !== "owner") throw forbidden("Only the organizer's owners manage its members");
  return org;
}

/** The organizer's members (any member, or an admin, may list them). */
export async function listMembers(db: Db, auth: AuthContext, organizerId: string) {
  const org = await getOrganizer(db, organizerId);
  if (!org || !canSee(auth, org.id)) throw notFound("Organizer");
  const rows = await db.select().from(users).where(eq(users.organizerId, org.id)).orderBy(asc(users.email));
  return rows.map(memberView);
}

/**
 * Invites `email` to join the organizer as `role`. Nothing is attached until the account with
 * that email accepts. Refused up front when the email is an admin's (422) or already belongs to
 * an organizer (409), or an open invitation exists (409); the email need not have an account yet.
 */
export async function inviteMember(
  d1: D1Database,
  auth: AuthContext,
  organizerId: string,
  input: { email: string; role: OrganizerRole },
  now = Date.now(),
): Promise<Change<InvitationView>> {
  const db = createDb(d1);
  const org = await requireOwner(db, auth, organizerId);
  const email = normalizeEmail(input.email);
  const user = await db.query.users.findFirst({ where: eq(users.email, email) });
  if (user?.role === "admin") throw adminRefused();
  if (user?.organizerId === org.id) throw new AppError("conflict", "This account is already a member");
  if (user?.organizerId) throw new AppError("conflict", "This account already belongs to another organizer");
  // A lapsed invitation still holds the one pending slot of the unique index: close it first.
  await db
    .update(organizerInvitations)
    .set({ status: "expired" })
    .where(openFor(org.id, email, lte(organizerInvitations.expiresAt, now)));
  const row: OrganizerInvitationRow = {
    id: newId("inv"),
    organizerId: org.id,
    email,
    role: input.role,
    status: "pending",
    invitedBy: auth.userId,
    expiresAt: now + INVITATION_TTL_MS,
    createdAt: now,
    respondedAt: null,
    respondedBy: null,
  };
  try {
    await db.insert(organizerInvitations).values(row);
  } catch (err) {
    if (isUniqueViolation(err)) throw new AppError("conflict", "An invitation to this email is already pending");
    throw err;
  }
  return {
    result: invitationView(row, now),
    audit: entry("organizer.member_invited", row, { email, role: row.role, userId: user?.id ?? null }),
  };
}

const openFor = (organizerId: string, email: string, extra?: SQL) =>
  and(
    eq(organizerInvitations.organizerId, organizerId),
    eq(organizerInvitations.email, email),
    eq(organizerInvitations.status, "pending"),
    extra,
  );

const entry = (action: string, row: OrganizerInvitationRow, data: Record<string, unknown>): AuditInput => ({
  action,
  entityType: "organizer_invitation",
  entityId: row.id,
  organizerId: row.organizerId,
  data,
});

/** The organizer's invitations that are still open or lapsed unanswered, newest first (owners). */
export async function listInvitations(db: Db, auth: AuthContext, organizerId: string, now = Date.now()) {
  const org = await requireOwner(db, auth, organizerId);
  const rows = await db
    .select()
    .from(organizerInvitations)
    .where(and(eq(organizerInvitations.organizerId, org.id), eq(organizerInvitations.status, "pending")))
    .orderBy(desc(organizerInvitations.createdAt));
  return rows.map((r) => invitationView(r, now));
}

/** Withdraws a pending invitation (owners); an answered one is a 409, another organizer's a 404. */
export async function revokeInvitation(
  db: Db,
  auth: AuthContext,
  organizerId: string,
  invitationId: string,
  now = Date.now(),
): Promise<Change<InvitationView>> {
  const org = await requireOwner(db, auth, organizerId);
  const [row] = await db
    .update(organizerInvitations)
    .set({ status: "revoked", respondedAt: now, respondedBy: auth.userId })
    .where(
      and(
        eq(organizerInvitations.id, invitationId),
        eq(organizerInvitations.organizerId, org.id),
        eq(organizerInvitations.status, "pending"),
      ),
    )
    .returning();
  if (!row) {
    const existing = await findInvitation(db, invitationId);
    if (existing?.organizerId !== org.id) throw notFound("Invitation");
    throw new AppError("conflict", `This invitation is already ${existing.status}`);
  }
  return { result: invitationView(row, now), audit: entry("organizer.invitation_revoked", row, { email: row.email }) };
}

const findInvitation = async (db: Db, id: string) =>
  db.query.organizerInvitations.findFirst({ where: eq(organizerInvitations.id, id) });

/** The caller's account as D1 has it now (the token may be minutes old). */
async function currentUser(db: Db, auth: AuthContext) {
  const me = await db.query.users.findFirst({ where: eq(users.id, auth.userId) });
  if (!me) throw new AppError("unauthenticated", "The account no longer exists");
  return me;
}

/** Open invitations to the caller's own email, with the organizer's name. */
export async function myInvitations(db: Db, auth: AuthContext, now = Date.now()) {
  const me = await currentUser(db, auth);
  const rows = await db
    .select({ inv: organizerInvitations, name: organizers.name })
    .from(organizerInvitations)
    .innerJoin(organizers, eq(organizers.id, organizerInvitations.organizerId))
    .where(
      and(
        eq(organizerInvitations.email, normalizeEmail(me.email)),
        eq(organizerInvitations.status, "pending"),
        gt(organizerInvitations.expiresAt, now),
      ),
    )
    .orderBy(desc(organizerInvitations.createdAt));
  return rows.map((r) => invitationView(r.inv, now, r.name));
}

/**
 * The caller's own open invitation. Someone else's is a 404 whatever its state, so invitation
 * ids cannot be probed; an answered or lapsed one of the caller's is a 409 saying which.
 */
async function ownOpenInvitation(db: Db, me: UserRow, invitationId: string, now: number) {
  const inv = await findInvitation(db, invitationId);
  if (!inv || inv.email !== normalizeEmail(me.email)) throw notFound("Invitation");
  const state = invitationView(inv, now).status;
  if (state !== "pending") throw new AppError("conflict", `This invitation is ${state}`);
  return inv;
}

/**
 * Accepts an invitation: the caller joins the organizer with the invited role. Only the account
 * whose email was invited may, once, before it lapses; admins never become members (422), nor
 * does an account that already belongs to an organizer (409). The membership and the
 * invitation's `accepted` mark are written in one batch, each conditional on the other's state,
 * so two racing accepts (or an accept racing a revoke) attach at most once. An `organizer` account
 * with no organizer (left so by hand or by older code) may join like a fan; an admin never.
 */
export async function acceptInvitation(
  d1: D1Database,
  auth: AuthContext,
  invitationId: string,
  now = Date.now(),
): Promise<Change<{ invitation: InvitationView; member: ReturnType<typeof memberView> }>> {
  const db = createDb(d1);
  const me = await currentUser(db, auth);
  const inv = await ownOpenInvitation(db, me, invitationId, now);
  if (me.role === "admin") throw adminRefused();
  if (me.organizerId) throw new AppError("conflict", "This account already belongs to an organizer");
  const [joined, marked] = await d1.batch([
    d1
      .prepare(
        `UPDATE users SET role = 'organizer', organizer_id = ?1, organizer_role = ?2, updated_at = ?3
         WHERE id = ?4 AND role IN ('fan', 'organizer') AND organizer_id IS NULL AND EXISTS (
           SELECT 1 FROM organizer_invitations WHERE id = ?5 AND status = 'pending' AND expires_at > ?3)`,
      )
      .bind(inv.organizerId, inv.role, now, me.id, inv.id),
    d1
      .prepare(
        `UPDATE organizer_invitations SET status = 'accepted', responded_at = ?1, responded_by = ?2
         WHERE id = ?3 AND status = 'pending' AND expires_at > ?1
           AND EXISTS (SELECT 1 FROM users WHERE id = ?2 AND organizer_id = ?4 AND updated_at = ?1)`,
      )
      .bind(now, me.id, inv.id, inv.organizerId),
  ]);
  if (!joined?.meta.changes || !marked?.meta.changes)
    throw new AppError("conflict", "The invitation or the account changed meanwhile; reload and try again");
  const accepted = { ...inv, status: "accepted" as const, respondedAt: now, respondedBy: me.id };
  return {
    result: {
      invitation: invitationView(accepted, now),
      member: memberView({ ...me, role: "organizer", organizerRole: inv.role }),
    },
    audit: entry("organizer.invitation_accepted", accepted, { email: inv.email, userId: me.id, role: inv.role }),
  };
}

/** Declines an invitation addressed to the caller; it cannot be accepted afterwards. */
export async function declineInvitation(
  db: Db,
  auth: AuthContext,
  invitationId: string,
  now = Date.now(),
): Promise<Change<InvitationView>> {
  const me = await currentUser(db, auth);
  const inv = await ownOpenInvitation(db, me, invitationId, now);
  const [row] = await db
    .update(organizerInvitations)
    .set({ status: "declined", respondedAt: now, respondedBy: me.id })
    .where(and(eq(organizerInvitations.id, inv.id), eq(organizerInvitations.status, "pending")))
    .returning();
  if (!row) throw new AppError("conflict", "This invitation was answered meanwhile");
  return {
    result: invitationView(row, now),
    audit: entry("organizer.invitation_declined", row, { email: row.email, userId: me.id }),
  };
}

/** A member of the organizer, or 404. */
async function memberOf(db: Db, organizerId: string, userId: string) {
  const user = await db.query.users.findFirst({ where: and(eq(users.id, userId), eq(users.organizerId, organizerId)) });
  if (!user) throw notFound("Member");
  return user;
}

/**
 * SQL guard for removing or demoting `users.id = ?`: true unless that row is an owner and no
 * other owner of its organizer would remain. Evaluated inside the UPDATE itself, so two owners
 * removing each other at once cannot leave the organizer with none.
 */
const KEEPS_AN_OWNER = `(organizer_role IS NOT 'owner' OR (SELECT count(*) FROM users o
  WHERE o.organizer_id = users.organizer_id AND o.organizer_role = 'owner' AND o.id != users.id) > 0)`;
const lastOwner = () => new AppError("conflict", "The organizer's last owner cannot be removed or demoted");

/** Detaches a member, who becomes a fan (owners; never the last owner). */
export async function removeMember(
  d1: D1Database,
  auth: AuthContext,
  organizerId: string,
  userId: string,
  now = Date.now(),
): Promise<Change<null>> {
  const db = createDb(d1);
  const org = await requireOwner(db, auth, organizerId);
  const user = await memberOf(db, org.id, userId);
  const role = user.role === "admin" ? "admin" : "fan";
  const res = await d1
    .prepare(
      `UPDATE users SET role = ?1, organizer_id = NULL, organizer_role = NULL, updated_at = ?2
       WHERE id = ?3 AND organizer_id = ?4 AND ${KEEPS_AN_OWNER}`,
    )
    .bind(role, now, user.id, org.id)
    .run();
  if (!res.meta.changes) throw lastOwner();
  return {
    result: null,
    audit: {
      action: "organizer.member_removed",
      entityType: "user",
      entityId: user.id,
      organizerId: org.id,
      data: { email: user.email, fromRole: user.role, toRole: role, organizerRole: user.organizerRole },
    },
  };
}

/** Makes a member an owner or staff (owners; the last owner cannot step down). */
export async function changeMemberRole(
  d1: D1Database,
  auth: AuthContext,
  organizerId: string,
  userId: string,
  organizerRole: OrganizerRole,
  now = Date.now(),
): Promise<Change<ReturnType<typeof memberView>>> {
  const db = createDb(d1);
  const org = await requireOwner(db, auth, organizerId);
  const user = await memberOf(db, org.id, userId);
  const guard = organizerRole === "owner" ? "1 = 1" : KEEPS_AN_OWNER;
  const res = await d1
    .prepare(`UPDATE users SET organizer_role = ?1, updated_at = ?2 WHERE id = ?3 AND organizer_id = ?4 AND ${guard}`)
    .bind(organizerRole, now, user.id, org.id)
    .run();
  if (!res.meta.changes) throw lastOwner();
  return {
    result: memberView({ ...user, organizerRole }),
    audit: {
      action: "organizer.member_role_changed",
      entityType: "user",
      entityId: user.id,
      organizerId: org.id,
      data: { email: user.email, fromRole: user.organizerRole, toRole: organizerRole },
    },
  };
}
