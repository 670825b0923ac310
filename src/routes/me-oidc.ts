import { createRoute, z } from "@hono/zod-openapi";
import { audit } from "../audit/emit";
import { bearerToken, requireAuth } from "../auth/middleware";
import { isAsymmetricToken, linkOidcIdentity } from "../auth/oidc";
import { userView } from "../domain/accounts";
import { AppError } from "../errors";
import { UserSchema } from "./me";
import { jsonBody, jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const LinkSchema = z
  .strictObject({ idToken: z.string().min(1).max(8192).openapi({ description: "An id token of the configured IdP" }) })
  .openapi("OidcLink");

const linkOidc = createRoute({
  operationId: "linkOidcIdentity",
  method: "post",
  path: "/link",
  tags: ["account"],
  summary: "Link an external (OIDC) identity to the signed-in account",
  description:
    "The explicit step organizer and admin accounts need: their email is never linked automatically. " +
    "The caller must be signed in with a local (password) session, not with an IdP token.",
  security: [{ bearer: [] }],
  middleware: [requireAuth] as const,
  request: { body: jsonBody(LinkSchema) },
  responses: { 200: jsonResponse(UserSchema, "The account, now linked"), ...pickProblems(400, 401, 403, 409) },
});

/** `POST /v1/me/oidc/link`: parse, insist on a local session, link, audit. */
export const meOidc = createRouter().openapi(linkOidc, async (c) => {
  // Linking proves the account's own credential, so an IdP token (which might be the very
  // identity being linked, or one auto-linked to a fan account) cannot stand in for it.
  if (isAsymmetricToken(bearerToken(c.req.header("Authorization")) ?? "")) {
    throw new AppError("forbidden", "Sign in with your password to link an external identity");
  }
  const user = await linkOidcIdentity(c.env, c.get("auth").userId, c.req.valid("json").idToken);
  audit(c, { action: "user.oidc_linked", entityType: "user", entityId: user.id });
  return c.json(userView(user), 200);
});
