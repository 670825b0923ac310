import { createRoute, z } from "@hono/zod-openapi";
import { fraudReport } from "../../audit/fraud-report";
import { listAudit, verifyChain } from "../../audit/query";
import { listScope } from "../../domain/catalog-access";
import { DEFAULT_THRESHOLDS as T } from "../../domain/fraud";
import { forbidden } from "../../errors";
import { jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
const errs = pickProblems(400, 401, 403);
const iso = z.iso.datetime({ offset: true });
const id = z.string().min(1).max(300).optional();

const AuditQuery = z.object({
  entityType: z.string().min(1).max(50).optional(),
  entityId: id,
  actorId: id,
  action: z
    .string()
    .min(1)
    .max(100)
    .optional()
    .openapi({ description: "Exact action, or a prefix ending in `.` (`order.`)" }),
  eventId: id,
  orderId: id,
  from: iso.optional(),
  to: iso.optional(),
  limit: z.coerce.number().int().min(1).max(200).default(50),
  cursor: z.coerce.number().int().min(1).optional().openapi({ description: "`nextCursor` of the previous page" }),
});
const Entry = z
  .object({
    seq: z.number().int(),
    id: z.string(),
    at: z.string(),
    action: z.string(),
    actorId: z.string().nullable(),
    ipHash: z.string().nullable(),
    entityType: z.string().nullable(),
    entityId: z.string().nullable(),
    organizerId: z.string().nullable(),
    eventId: z.string().nullable(),
    orderId: z.string().nullable(),
    data: z.record(z.string(), z.unknown()).nullable(),
    prevHash: z.string(),
    hash: z.string(),
  })
  .openapi("AuditEntry");
export const AuditPageSchema = z
  .object({ items: z.array(Entry), nextCursor: z.number().int().nullable() })
  .openapi("AuditPage");
export const VerifySchema = z
  .object({
    ok: z.boolean(),
    checked: z.number().int(),
    firstBroken: z
      .object({
        seq: z.number().int(),
        expectedHash: z.string(),
        storedHash: z.string(),
        reason: z.enum(["hash_mismatch", "prev_hash_mismatch", "seq_gap"]),
      })
      .nullable(),
  })
  .openapi("AuditVerification");

const FraudQuery = z.object({
  windowHours: z.coerce
    .number()
    .int()
    .min(1)
    .max(24 * 90)
    .default(24),
  minHolds: z.coerce.number().int().min(1).max(10_000).default(T.minHolds),
  churnRatio: z.coerce.number().min(0).max(1).default(T.churnRatio),
  maxPurchases: z.coerce.number().int().min(0).max(10_000).default(T.maxPurchases),
  minPaymentFailures: z.coerce.number().int().min(1).max(10_000).default(T.minPaymentFailures),
  minFailedLogins: z.coerce.number().int().min(1).max(10_000).default(T.minFailedLogins),
});
const Churn = z.object({
  key: z.string(),
  created: z.number().int(),
  released: z.number().int(),
  expired: z.number().int(),
  purchases: z.number().int(),
  churn: z.number(),
});
const Count = z.object({ key: z.string(), count: z.number().int(), last: z.number().int() });
export const FraudSchema = z
  .object({
    windowHours: z.number().int(),
    since: z.string(),
    holdChurn: z.object({ accounts: z.array(Churn), ipHashes: z.array(Churn) }),
    paymentFailures: z.object({ accounts: z.array(Count) }),
    failedLogins: z.object({ ipHashes: z.array(Count), emailHashes: z.array(Count) }),
    scope: z.enum(["platform", "organizer"]).openapi({
      description: "`organizer`: only the caller's events, and no failed logins (they belong to no event)",
    }),
    accountsInvolved: z
      .record(
        z.string(),
        z.object({
          email: z.string().nullable(),
          orders: z.array(z.object({ orderId: z.string(), eventId: z.string().nullable() })),
        }),
      )
      .openapi({ description: "Each flagged account's email and latest orders in the window (up to 5)" }),
  })
  .openapi("FraudReport");

const ms = (s: string | undefined) => (s === undefined ? undefined : Date.parse(s));

/** The audit trail (organizers: their own), its verification and the fraud report (admins). */
export const auditRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminListAudit",
      ...base,
      method: "get",
      path: "/audit",
      summary: "Audit entries, newest first",
      request: { query: AuditQuery },
      responses: { 200: jsonResponse(AuditPageSchema, "Entries"), ...errs },
    }),
    async (c) => {
      const q = c.req.valid("query");
      return c.json(await listAudit(c.env.DB, c.var.auth, { ...q, from: ms(q.from), to: ms(q.to) }), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminVerifyAudit",
      ...base,
      method: "get",
      path: "/audit/verify",
      summary: "Recompute the audit hash chain (admin)",
      responses: { 200: jsonResponse(VerifySchema, "Verification"), ...errs },
    }),
    async (c) => {
      if (c.var.auth.role !== "admin") throw forbidden("Only admins verify the audit chain");
      return c.json(await verifyChain(c.env.DB), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetFraudReport",
      ...base,
      method: "get",
      path: "/fraud",
      summary: "Fraud signals from the audit log",
      description:
        "Hold churn, payment failures and failed-login bursts in the window. Admins see the platform; an " +
        "organizer sees its own events' signals (no failed logins), each account with its email and orders.",
      request: { query: FraudQuery },
      responses: { 200: jsonResponse(FraudSchema, "Signals"), ...errs },
    }),
    async (c) => {
      const { windowHours, ...t } = c.req.valid("query");
      const since = Date.now() - windowHours * 3_600_000;
      const scope = listScope(c.var.auth);
      const report = await fraudReport(c.env.DB, since, t, scope);
      return c.json(
        {
          windowHours,
          since: new Date(since).toISOString(),
          scope: scope === null ? ("platform" as const) : ("organizer" as const),
          ...report,
        },
        200,
      );
    },
  );
