import { audit } from "../../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { and, asc, eq } from "drizzle-orm";
import { createDb } from "../../db/client";
import { getOrganizer } from "../../db/queries/catalog";
import { organizers, users } from "../../db/schema";
import { canSee } from "../../domain/catalog-access";
import { AppError, forbidden, notFound } from "../../errors";
import { newId } from "../../lib/ids";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam, MemberSchema, OrganizerSchema, toOrganizer } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409);
const CreateOrganizer = z.strictObject({
  name: z.string().trim().min(1).max(200),
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

/** Organizers and their member accounts. Creating organizers is for admins only. */
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
      const db = createDb(c.env.DB);
      const org = await getOrganizer(db, c.req.valid("param").id);
      if (!org || !canSee(c.var.auth, org.id)) throw notFound("Organizer");
      const rows = await db
        .select({ id: users.id, email: users.email, name: users.name, role: users.role })
        .from(users)
        .where(eq(users.organizerId, org.id))
        .orderBy(asc(users.email));
      return c.json({ items: rows }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminAddOrganizerMember",
      ...base,
      method: "post",
      path: "/organizers/{id}/members",
      summary: "Attach an existing account as a member",
      request: { params: OrgId, body: jsonBody(z.strictObject({ email: z.email().max(254) })) },
      responses: { 200: jsonResponse(MemberSchema, "Member"), ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const org = await getOrganizer(db, c.req.valid("param").id);
      if (!org || !canSee(c.var.auth, org.id)) throw notFound("Organizer");
      const email = c.req.valid("json").email.toLowerCase();
      const [user] = await db.select().from(users).where(eq(users.email, email)).limit(1);
      if (!user) throw notFound("User");
      if (user.organizerId && user.organizerId !== org.id)
        throw new AppError("conflict", "This account already belongs to another organizer");
      // Admins stay admins: attaching them must never demote their role.
      const role = user.role === "admin" ? "admin" : "organizer";
      const [row] = await db
        .update(users)
        .set({ role, organizerId: org.id, updatedAt: Date.now() })
        .where(eq(users.id, user.id))
        .returning();
      audit(c, {
        action: "organizer.member_added",
        entityType: "user",
        entityId: user.id,
        organizerId: org.id,
        data: { fromRole: user.role, toRole: role, fromOrganizerId: user.organizerId },
      });
      return c.json({ id: row!.id, email: row!.email, name: row!.name, role: row!.role }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminRemoveOrganizerMember",
      ...base,
      method: "delete",
      path: "/organizers/{id}/members/{userId}",
      summary: "Detach a member (becomes a fan)",
      request: { params: MemberParams },
      responses: { 204: { description: "Removed" }, ...errs },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const { id, userId } = c.req.valid("param");
      const org = await getOrganizer(db, id);
      if (!org || !canSee(c.var.auth, org.id)) throw notFound("Organizer");
      const [user] = await db
        .select()
        .from(users)
        .where(and(eq(users.id, userId), eq(users.organizerId, org.id)))
        .limit(1);
      if (!user) throw notFound("Member");
      const role = user.role === "admin" ? "admin" : "fan";
      await db.update(users).set({ role, organizerId: null, updatedAt: Date.now() }).where(eq(users.id, user.id));
      audit(c, {
        action: "organizer.member_removed",
        entityType: "user",
        entityId: user.id,
        organizerId: org.id,
        data: { fromRole: user.role, toRole: role },
      });
      return c.body(null, 204);
    },
  );
