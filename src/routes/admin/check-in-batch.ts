import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../../db/client";
import { checkInBatch } from "../../domain/check-in-batch";
import { inventoryStub } from "../../domain/event-lifecycle";
import { verificationKeys } from "../../domain/ticket-issuer";
import { scannerManifest } from "../../domain/check-in";
import { AppError } from "../../errors";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { managedEvent } from "./events";
import { IdParam } from "./schemas";

const base = { tags: ["admin", "check-in"], security: [{ bearer: [] }] };
const EventId = IdParam("id");
/** Gate clocks drift; a scan stamped further ahead than this would jump the first-scan-first queue. */
const CLOCK_SKEW_MS = 5 * 60_000;
const MAX_SCANS = 500;

export const CheckInBatchBody = z
  .strictObject({
    device: z.string().min(1).max(100).openapi({ description: "The gate or phone that scanned; recorded as usedBy" }),
    scans: z
      .array(
        z.strictObject({
          scanId: z.string().min(1).max(100).openapi({ description: "Chosen by the gate; re-uploads are no-ops" }),
          code: z.string().min(1).max(1000),
          scannedAt: z.iso.datetime({ offset: true }).openapi({ description: "When the gate scanned it" }),
        }),
      )
      .min(1)
      .max(MAX_SCANS)
      .refine((s) => new Set(s.map((x) => x.scanId)).size === s.length, "scanId must be unique within a batch"),
  })
  .openapi("CheckInBatchRequest");

const FirstScanSchema = z
  .object({ scanId: z.string().nullable(), device: z.string(), scannedAt: z.string() })
  .openapi("FirstScan", { description: "Who scanned the ticket first (scanId null: admitted online)" });
const ScanResultSchema = z
  .object({
    scanId: z.string(),
    ticketId: z.string().nullable(),
    result: z.enum(["accepted", "duplicate", "not_valid", "wrong_event", "invalid_signature"]),
    place: z.string().optional(),
    tier: z.string().optional(),
    first: FirstScanSchema.optional().openapi({ description: "Set on duplicate" }),
    detail: z.string().optional(),
  })
  .openapi("CheckInBatchScanResult");
export const CheckInBatchResultSchema = z.object({ results: z.array(ScanResultSchema) }).openapi("CheckInBatchResult");

export const ScannerPackSchema = z
  .object({
    eventId: z.string(),
    name: z.string(),
    startsAt: z.string(),
    keys: z.array(z.object({ kid: z.string(), publicKey: z.string(), status: z.enum(["active", "retired"]) })),
    tickets: z.array(
      z.object({
        id: z.string(),
        place: z.string(),
        tier: z.string(),
        state: z.enum(["valid", "used"]),
        usedAt: z.string().nullable(),
        usedBy: z.string().nullable(),
      }),
    ),
    generatedAt: z.string(),
  })
  .openapi("ScannerPack");

const iso = (ms: number) => new Date(ms).toISOString();

/** Offline gates: what they download before the doors open, and the queue they upload after. */
export const checkInBatchRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminGetScannerPack",
      ...base,
      method: "get",
      path: "/events/{id}/check-in/scanner",
      summary: "Keys and ticket list for an offline scanner",
      description: "Every honoured public key and every valid or used ticket with its place and tier.",
      request: { params: EventId },
      responses: { 200: jsonResponse(ScannerPackSchema, "Scanner pack"), ...pickProblems(401, 403, 404) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const [keys, tickets] = await Promise.all([
        // Creates the key if no ticket was issued yet, so gates can be provisioned before sales.
        scannerManifest(c.env, db, event.id).then(() => verificationKeys(db, event.id)),
        inventoryStub(c.env.EVENT_INVENTORY, event.id).scannerTickets(),
      ]);
      c.header("Cache-Control", "no-store");
      return c.json(
        {
          eventId: event.id,
          name: event.name,
          startsAt: iso(event.startsAt),
          keys,
          tickets: tickets.map((t) => ({ ...t, usedAt: t.usedAt == null ? null : iso(t.usedAt) })),
          generatedAt: new Date().toISOString(),
        },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      operationId: "adminCheckInBatch",
      ...base,
      method: "post",
      path: "/events/{id}/check-in/batch",
      summary: "Upload an offline gate's queued scans",
      description:
        "Settles first scan first: of all scans of a ticket, the earliest scannedAt (then the earliest " +
        "upload) is accepted and the others are `duplicate`, naming the first scan. Idempotent per scanId. " +
        `At most ${MAX_SCANS} scans; 400 \`validation_failed\` for a scan stamped more than 5 minutes ahead.`,
      request: { params: EventId, body: jsonBody(CheckInBatchBody) },
      responses: {
        200: jsonResponse(CheckInBatchResultSchema, "One result per scan, in order"),
        ...pickProblems(400, 401, 403, 404),
      },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const body = c.req.valid("json");
      const now = Date.now();
      const scans = body.scans.map((s) => ({ scanId: s.scanId, code: s.code, scannedAt: Date.parse(s.scannedAt) }));
      const ahead = scans.find((s) => s.scannedAt > now + CLOCK_SKEW_MS);
      if (ahead) {
        const errors = [{ path: `scans.${scans.indexOf(ahead)}.scannedAt`, message: "Stamped in the future" }];
        throw new AppError("validation_failed", `Scan ${ahead.scanId} is stamped in the future`, { extra: { errors } });
      }
      const results = await checkInBatch(c.env, db, { eventId: event.id, device: body.device, scans, now });
      return c.json(
        {
          results: results.map((r) =>
            r.result === "duplicate" ? { ...r, first: { ...r.first, scannedAt: iso(r.first.scannedAt) } } : r,
          ),
        },
        200,
      );
    },
  );
