import { createRoute, z } from "@hono/zod-openapi";
import { audit } from "../audit/emit";
import { requireCurrentAuth } from "../auth/middleware";
import { createDb } from "../db/client";
import { acceptInvitation, declineInvitation, myInvitations } from "../domain/memberships";
import { IdParam, InvitationSchema, MemberSchema } from "./admin/schemas";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const base = { tags: ["account"], security: [{ bearer: [] }] };
const InvitationId = IdParam("invitationId");

/**
 * The signed-in user's invitations to organizers. Accepting makes the account a member; its
 * next access token (refresh) carries the organizer.
 */
export const meInvitations = createRouter();
// Under /v1/me: a revoked session stops here within a minute, like the other personal routes.
meInvitations.use("*", requireCurrentAuth);
meInvitations
  .openapi(
    createRoute({
      ...base,
      operationId: "listMyInvitations",
      method: "get",
      path: "/",
      summary: "Open invitations to the caller's email",
      responses: {
        200: jsonResponse(z.object({ items: z.array(InvitationSchema) }), "Invitations"),
        ...pickProblems(401),
      },
    }),
    async (c) => c.json({ items: await myInvitations(createDb(c.env.DB), c.var.auth) }, 200),
  )
  .openapi(
    createRoute({
      ...base,
      operationId: "acceptMyInvitation",
      method: "post",
      path: "/{invitationId}/accept",
      summary: "Accept an invitation and join the organizer",
      request: { params: InvitationId },
      responses: {
        200: jsonResponse(z.object({ invitation: InvitationSchema, member: MemberSchema }), "Joined"),
        ...pickProblems(401, 404, 409, 422),
      },
    }),
    async (c) => {
      const change = await acceptInvitation(c.env.DB, c.var.auth, c.req.valid("param").invitationId);
      audit(c, change.audit);
      return c.json(change.result, 200);
    },
  )
  .openapi(
    createRoute({
      ...base,
      operationId: "declineMyInvitation",
      method: "post",
      path: "/{invitationId}/decline",
      summary: "Decline an invitation",
      request: { params: InvitationId },
      responses: { 200: jsonResponse(InvitationSchema, "Declined"), ...pickProblems(401, 404, 409) },
    }),
    async (c) => {
      const change = await declineInvitation(createDb(c.env.DB), c.var.auth, c.req.valid("param").invitationId);
      audit(c, change.audit);
      return c.json(change.result, 200);
    },
  );
