import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../domain/text";
import { audit } from "../audit/emit";
import { clientIp, enforceLoginLimit, enforceSignupLimit } from "../auth/rate-limit";
import { requireCurrentAuth } from "../auth/middleware";
import { revokeAllSessions, revokeByToken } from "../auth/refresh-tokens";
import { createDb } from "../db/client";
import { emailHash, login, refresh, refreshReuse, signup } from "../domain/accounts";
import { AppError } from "../errors";
import { createRouter } from "./router";
import { PhoneSchema, UserSchema } from "./me";
import { jsonBody, jsonResponse, pickProblems } from "./problem-responses";

const Email = z.string().trim().toLowerCase().email().max(254);

const SignupSchema = z
  .strictObject({
    email: Email,
    password: z.string().min(10, "Password must be at least 10 characters").max(256),
    name: userText({ max: 100 }).optional(),
    phone: PhoneSchema.optional(),
    notifications: z.strictObject({ email: z.boolean().optional(), sms: z.boolean().optional() }).optional(),
  })
  .refine((b) => !b.notifications?.sms || b.phone, {
    path: ["notifications", "sms"],
    message: "SMS notifications need a phone number",
  })
  .openapi("Signup");

// No length rules on login: they would tell an attacker something about valid passwords.
const LoginSchema = z.strictObject({ email: z.string().max(254), password: z.string().max(256) }).openapi("Login");
const RefreshSchema = z.strictObject({ refreshToken: z.string().min(1).max(512) }).openapi("RefreshRequest");

const SessionSchema = z
  .object({
    user: UserSchema,
    accessToken: z.string(),
    refreshToken: z.string(),
    expiresIn: z.number().int().openapi({ description: "Access token lifetime in seconds" }),
  })
  .openapi("Session");

const post = <S extends z.ZodType>(path: string, summary: string, schema: S) => ({
  method: "post" as const,
  path,
  tags: ["auth"],
  summary,
  request: { body: jsonBody(schema) },
});

const signupRoute = createRoute({
  operationId: "signup",
  security: [],
  ...post("/signup", "Create an account with email and password", SignupSchema),
  responses: { 201: jsonResponse(SessionSchema, "Account created and signed in"), ...pickProblems(400, 409, 429) },
});
const loginRoute = createRoute({
  operationId: "login",
  security: [],
  ...post("/login", "Sign in with email and password", LoginSchema),
  responses: { 200: jsonResponse(SessionSchema, "Signed in"), ...pickProblems(400, 401, 429) },
});
const refreshRoute = createRoute({
  operationId: "refreshSession",
  security: [],
  ...post("/refresh", "Rotate a refresh token for a new access token", RefreshSchema),
  responses: {
    200: jsonResponse(SessionSchema, "New tokens; the presented refresh token is spent"),
    ...pickProblems(400, 401),
  },
});
const logoutRoute = createRoute({
  operationId: "logout",
  security: [],
  ...post("/logout", "Revoke the session of a refresh token", RefreshSchema),
  responses: { 204: { description: "Revoked (also when it already was)" }, ...pickProblems(400) },
});
const logoutAllRoute = createRoute({
  operationId: "logoutEverywhere",
  method: "post",
  path: "/logout-all",
  tags: ["auth"],
  summary: "End every session of the caller",
  description:
    "Revokes all refresh tokens of the account; access tokens already issued are refused within 60 s " +
    "on admin routes and personal data (/v1/me, /v1/orders, /v1/tickets).",
  security: [{ bearer: [] }],
  middleware: [requireCurrentAuth] as const,
  responses: { 204: { description: "Every session ended" }, ...pickProblems(401) },
});

export const auth = createRouter()
  .openapi(signupRoute, async (c) => {
    const body = c.req.valid("json");
    await enforceSignupLimit(c.env, clientIp(c.req.header("CF-Connecting-IP")), body.email);
    const s = await signup(createDb(c.env.DB), c.env, body);
    audit(c, {
      action: "auth.signup",
      actorId: s.user.id,
      entityType: "user",
      entityId: s.user.id,
      data: { role: s.user.role },
    });
    return c.json(s, 201);
  })
  .openapi(loginRoute, async (c) => {
    const body = c.req.valid("json");
    await enforceLoginLimit(c.env, clientIp(c.req.header("CF-Connecting-IP")), body.email);
    try {
      const s = await login(createDb(c.env.DB), c.env, body);
      audit(c, { action: "auth.login", actorId: s.user.id, entityType: "user", entityId: s.user.id });
      return c.json(s, 200);
    } catch (err) {
      // No actor and no address: the email's hash lets fraud review count attempts per account.
      if (err instanceof AppError && err.code === "unauthenticated")
        audit(c, { action: "auth.login_failed", actorId: null, data: { emailHash: await emailHash(body.email) } });
      throw err;
    }
  })
  .openapi(refreshRoute, async (c) => {
    const db = createDb(c.env.DB);
    const token = c.req.valid("json").refreshToken;
    try {
      return c.json(await refresh(db, c.env, token), 200);
    } catch (err) {
      const reuse = err instanceof AppError ? await refreshReuse(db, token) : null;
      if (reuse)
        audit(c, {
          action: "auth.refresh_reuse",
          actorId: reuse.userId,
          entityType: "user",
          entityId: reuse.userId,
          data: { familyId: reuse.familyId, familyRevoked: true },
        });
      throw err;
    }
  })
  .openapi(logoutRoute, async (c) => {
    await revokeByToken(createDb(c.env.DB), c.req.valid("json").refreshToken);
    return c.body(null, 204);
  })
  .openapi(logoutAllRoute, async (c) => {
    const { userId } = c.var.auth;
    await revokeAllSessions(createDb(c.env.DB), userId);
    audit(c, { action: "auth.logout_all", entityType: "user", entityId: userId });
    return c.body(null, 204);
  });
