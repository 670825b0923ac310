import { audit } from "../audit/emit";
import { createRoute, z } from "@hono/zod-openapi";
import { userText } from "../domain/text";
import { requireCurrentAuth } from "../auth/middleware";
import { createDb } from "../db/client";
import { ORGANIZER_ROLES, ROLES } from "../db/schema/constants";
import { getUser, updateProfile, userView } from "../domain/accounts";
import { createRouter } from "./router";
import { jsonBody, jsonResponse, pickProblems } from "./problem-responses";

/** E.164: a plus, a non-zero country digit, 7 to 15 digits in all. */
export const PhoneSchema = z.string().regex(/^\+[1-9]\d{6,14}$/, "Phone must be in E.164 form, like +14155550123");

export const UserSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    phone: z.string().nullable(),
    role: z.enum(ROLES),
    organizerId: z.string().nullable(),
    organizerRole: z.enum(ORGANIZER_ROLES).nullable(),
    notifications: z.object({ email: z.boolean(), sms: z.boolean() }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("User");

const ProfilePatchSchema = z
  .strictObject({
    name: userText({ max: 100 }).nullable().optional(),
    phone: PhoneSchema.nullable().optional(),
    notifications: z.strictObject({ email: z.boolean().optional(), sms: z.boolean().optional() }).optional(),
  })
  .openapi("ProfilePatch");

const getMe = createRoute({
  operationId: "getMe",
  method: "get",
  path: "/",
  tags: ["account"],
  summary: "The signed-in user",
  security: [{ bearer: [] }],
  middleware: [requireCurrentAuth] as const,
  responses: { 200: jsonResponse(UserSchema, "The caller's account"), ...pickProblems(401) },
});

const patchMe = createRoute({
  operationId: "updateMe",
  method: "patch",
  path: "/",
  tags: ["account"],
  summary: "Update name, phone and notification preferences",
  security: [{ bearer: [] }],
  middleware: [requireCurrentAuth] as const,
  request: { body: jsonBody(ProfilePatchSchema) },
  responses: { 200: jsonResponse(UserSchema, "The updated account"), ...pickProblems(400, 401) },
});

export const me = createRouter()
  .openapi(getMe, async (c) => c.json(userView(await getUser(createDb(c.env.DB), c.get("auth").userId)), 200))
  .openapi(patchMe, async (c) => {
    const patch = c.req.valid("json");
    const user = await updateProfile(createDb(c.env.DB), c.get("auth").userId, patch);
    // Field names only: the audit trail is no place for phone numbers.
    audit(c, {
      action: "user.profile_updated",
      entityType: "user",
      entityId: user.id,
      data: { fields: Object.keys(patch) },
    });
    return c.json(user, 200);
  });
