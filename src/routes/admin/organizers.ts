import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../../domain/text";
import { asc, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { getOrganizer } from "../../db/queries/catalog";
import { organizers } from "../../db/schema";
import { ORGANIZER_ROLES } from "../../db/schema/constants";
import { canSee } from "../../domain/catalog-access";
import { changeMemberRole, inviteMember, listMembers, removeMember } from "../../domain/memberships";
import { AppError, forbidden, notFound } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { InviteBody } from "./invitations";
import { IdParam, InvitationSchema, MemberSchema, OrganizerSchema, toOrganizer } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409, 422);
const CreateOrganizer = z.strictObject({
  name: userText({ max: 200 }),
  slug: z
    .string()
    .min(1)
    .max(80)
    .regex(/^[a-z0-9]+(-[a-z0-9]+)*$/, "lower-case words joined by -")
    .optional(),
  contactEmail: z.email().max(254).optional(),
});
const OrgId = IdParam("id");
const MemberParams = OrgId.extend(IdParam("userId").shape);

const slugify = (name: string) =>
  name
    .toLowerCase()
    .normalize("NFKD")
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-+|-+$/g, "")
    .slice(0, 60) || "org";

/**
 * Organizers and their member accounts. Creating organizers is for admins only; membership goes
 * through invitations (./invitations.ts) and is managed by the organizer's owners.
 */
export const organizerRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminCreateOrganizer",
      ...base,
      method: "post",
      path: "/organizers",
      summary: "Create an organizer (admin)",
      request: { body: jsonBody(CreateOrganizer) },
      responses: { 201: jsonResponse(OrganizerSchema, "Created"), ...errs },
    }),
    async (c) => {
      if (c.var.auth.role !== "admin") throw forbidden("Only admins create organizers");
      const body = c.req.valid("json");
      const db = createDb(c.env.DB);
      const slug = body.slug ?? `${slugify(body.name)}-${newId("x").slice(-6)}`;
      if (
        (await db.select({ id: organizers.id }).from(organizers).where(eq(organizers.slug, slug)).limit(1)).length > 0
      )
        throw new AppError("conflict", `slug "${slug}" is taken`);
      const now = Date.now();
      const [row] = await db
        .insert(organizers)
        .values({
          id: newId("org"),
          name: body.name,
          slug,
          contactEmail: body.contactEmail ?? null,
          createdAt: now,
          updatedAt: now,
        })
        .returning();
      audit(c, {
        action: "organizer.created",
        entityType: "organizer",
        entityId: row!.id,
        organizerId: row!.id,
        data: { name: row!.name, slug: row!.slug },
      });
      return c.json(toOrganizer(row!), 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminListOrganizers",
      ...base,
      method: "get",
      path: "/organizers",
      summary: "List organizers visible to the caller",
      responses: { 200: jsonResponse(z.object({ items: z.array(OrganizerSchema) }), "Organizers"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const auth = c.var.auth;
      const rows =
        auth.role === "admin"
          ? await db.select().from(organizers).orderBy(asc(organizers.name))
          : auth.organizerId
            ? await db.select().from(organizers).where(eq(organizers.id, auth.organizerId))
            : [];
      return c.json({ items: rows.map(toOrganizer) }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetOrganizer",
      ...base,
      method: "get",
      path: "/organizers/{id}",
      summary: "Get an organizer",
      request: { params: OrgId },
      responses: { 200: jsonResponse(OrganizerSchema, "Organizer"), ...errs },
    }),
    async (c) => {
      const row = await getOrganizer(createDb(c.env.DB), c.req.valid("param").id);
      if (!row || !canSee(c.var.auth, row.id)) throw notFound("Organizer");
      return c.json(toOrganizer(row), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminListOrganizerMembers",
      ...base,
      method: "get",
      path: "/organizers/{id}/members",
      summary: "List an organizer's members",
      request: { params: OrgId },
      responses: { 200: jsonResponse(z.object({ items: z.array(MemberSchema) }), "Members"), ...errs },
    }),
    async (c) => {
      const items = await listMembers(createDb(c.env.DB), c.var.auth, c.req.valid("param").id);
      return c.json({ items }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminAddOrganizerMember",
      ...base,
      method: "post",
      path: "/organizers/{id}/members",
      summary: "Invite an email to become a member (owner; same as POST …/invitations)",
      description:
        "Kept for older clients. Nothing is attached: this creates an invitation that the account " +
        "with that email must accept (POST /v1/me/invitations/{invitationId}/accept).",
      request: { params: OrgId, body: jsonBody(InviteBody) },
      responses: { 202: jsonResponse(InvitationSchema, "Invitation created; awaiting acceptance"), ...errs },
    }),
    async (c) => {
      const change = await inviteMember(c.env.DB, c.var.auth, c.req.valid("param").id, c.req.valid("json"));
      audit(c, change.audit);
      return c.json(change.result, 202);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminRemoveOrganizerMember",
      ...base,
      method: "delete",
      path: "/organizers/{id}/members/{userId}",
      summary: "Detach a member (owner; the member becomes a fan; never the last owner)",
      request: { params: MemberParams },
      responses: { 204: { description: "Removed" }, ...errs },
    }),
    async (c) => {
      const { id, userId } = c.req.valid("param");
      const change = await removeMember(c.env.DB, c.var.auth, id, userId);
      audit(c, change.audit);
      return c.body(null, 204);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminChangeOrganizerMemberRole",
      ...base,
      method: "patch",
      path: "/organizers/{id}/members/{userId}",
      summary: "Make a member an owner or staff (owner; the last owner cannot step down)",
      request: { params: MemberParams, body: jsonBody(z.strictObject({ role: z.enum(ORGANIZER_ROLES) })) },
      responses: { 200: jsonResponse(MemberSchema, "Member"), ...errs },
    }),
    async (c) => {
      const { id, userId } = c.req.valid("param");
      const change = await changeMemberRole(c.env.DB, c.var.auth, id, userId, c.req.valid("json").role);
      audit(c, change.audit);
      return c.json(change.result, 200);
    },
  );
