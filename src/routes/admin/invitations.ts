import { createRoute, z } from "@hono/zod-openapi";
import { audit } from "../../audit/emit";
import { createDb } from "../../db/client";
import { ORGANIZER_ROLES } from "../../db/schema/constants";
import { inviteMember, listInvitations, revokeInvitation } from "../../domain/memberships";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam, InvitationSchema } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403, 404, 409, 422);
const OrgId = IdParam("id");

/** The body of an invitation; staff unless said otherwise, so owners are made on purpose. */
export const InviteBody = z
  .strictObject({ email: z.email().max(254), role: z.enum(ORGANIZER_ROLES).default("staff") })
  .openapi("InvitationRequest");

/**
 * Invitations to join an organizer, for its owners (and admins). Membership needs the invited
 * account's consent: see `POST /v1/me/invitations/{invitationId}/accept`.
 */
export const invitationRoutes = createRouter()
  .openapi(
    createRoute({
      ...base,
      operationId: "adminInviteOrganizerMember",
      method: "post",
      path: "/organizers/{id}/invitations",
      summary: "Invite an email to join the organizer (owner)",
      request: { params: OrgId, body: jsonBody(InviteBody) },
      responses: { 201: jsonResponse(InvitationSchema, "Invitation created"), ...errs },
    }),
    async (c) => {
      const change = await inviteMember(c.env.DB, c.var.auth, c.req.valid("param").id, c.req.valid("json"));
      audit(c, change.audit);
      return c.json(change.result, 201);
    },
  )
  .openapi(
    createRoute({
      ...base,
      operationId: "adminListOrganizerInvitations",
      method: "get",
      path: "/organizers/{id}/invitations",
      summary: "Unanswered invitations of the organizer (owner)",
      request: { params: OrgId },
      responses: { 200: jsonResponse(z.object({ items: z.array(InvitationSchema) }), "Invitations"), ...errs },
    }),
    async (c) => {
      const items = await listInvitations(createDb(c.env.DB), c.var.auth, c.req.valid("param").id);
      return c.json({ items }, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      operationId: "adminRevokeOrganizerInvitation",
      method: "delete",
      path: "/organizers/{id}/invitations/{invitationId}",
      summary: "Revoke a pending invitation (owner)",
      request: { params: OrgId.extend(IdParam("invitationId").shape) },
      responses: { 204: { description: "Revoked" }, ...errs },
    }),
    async (c) => {
      const { id, invitationId } = c.req.valid("param");
      const change = await revokeInvitation(createDb(c.env.DB), c.var.auth, id, invitationId);
      audit(c, change.audit);
      return c.body(null, 204);
    },
  );
