import { createRoute, z } from "@hono/zod-openapi";
import { createDb, type Db } from "../../db/client";
import { audit } from "../../audit/emit";
import { checkIn, scannerManifest } from "../../domain/check-in";
import { inventoryStub } from "../../domain/event-lifecycle";
import { eventKeys, rotateEventKey } from "../../domain/ticket-issuer";
import { jsonBody, jsonResponse, pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { TicketSchema, toTicket } from "../tickets";
import { managedEvent } from "./events";
import { IdParam } from "./schemas";

const base = { tags: ["admin", "check-in"], security: [{ bearer: [] }] };
const EventId = IdParam("id");

export const CheckInBody = z
  .strictObject({
    code: z.string().min(1).max(1000).openapi({ description: "The scanned ticket code" }),
    gate: z
      .string()
      .min(1)
      .max(100)
      .optional()
      .openapi({ description: "Recorded as usedBy; defaults to the scanning user's id" }),
  })
  .openapi("CheckInRequest");
export const CheckInResultSchema = z
  .object({ result: z.literal("admitted"), ticket: TicketSchema, place: z.string(), tier: z.string() })
  .openapi("CheckInResult");
export const ScannerKeySchema = z
  .object({
    eventId: z.string(),
    algorithm: z.literal("Ed25519"),
    publicKey: z.string().openapi({ description: "base64url of the raw 32-byte public key that signs new tickets" }),
    kid: z.string().openapi({ description: "Its key id; codes carry theirs in the `kid` claim (none means k1)" }),
    keys: z
      .array(z.object({ kid: z.string(), publicKey: z.string(), status: z.enum(["active", "retired"]) }))
      .openapi({ description: "Every key whose tickets are still honoured, retired ones included" }),
    format: z.string(),
    validTicketIds: z.array(z.string()),
    usedTicketIds: z.array(z.string()),
    generatedAt: z.string(),
  })
  .openapi("ScannerKey");

const CODE_FORMAT = "T1.<base64url claims {tid,eid,seat,iat,kid?}>.<base64url signature over 'T1.<claims>'>";

/** What an offline scanner is provisioned with: every honoured key and the live ticket ids. */
async function scannerKey(env: Env, db: Db, eventId: string): Promise<z.infer<typeof ScannerKeySchema>> {
  const m = await scannerManifest(env, db, eventId);
  return {
    eventId,
    algorithm: "Ed25519",
    publicKey: m.publicKey,
    kid: m.kid,
    keys: m.keys,
    format: CODE_FORMAT,
    validTicketIds: m.validTicketIds,
    usedTicketIds: m.usedTicketIds,
    generatedAt: new Date().toISOString(),
  };
}

/** Gate scanning: online check-in, and the key plus ticket list offline scanners work from. */
export const checkInRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminCheckIn",
      ...base,
      method: "post",
      path: "/events/{id}/check-in",
      summary: "Admit a scanned ticket, once",
      description:
        "409 `ticket_already_used` (with usedAt and usedBy) on a second scan, " +
        "409 `ticket_not_valid` for forged, refunded or void tickets, " +
        "422 `ticket_wrong_event` for another event's ticket.",
      request: { params: EventId, body: jsonBody(CheckInBody) },
      responses: { 200: jsonResponse(CheckInResultSchema, "Admitted"), ...pickProblems(400, 401, 403, 404, 409, 422) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const { code, gate } = c.req.valid("json");
      const ticket = await checkIn(c.env, db, { eventId: event.id, code, usedBy: gate ?? c.var.auth.userId });
      return c.json(
        { result: "admitted" as const, ticket: toTicket(ticket, event), place: ticket.place, tier: ticket.tier },
        200,
      );
    },
  )
  .openapi(
    createRoute({
      operationId: "adminGetCheckInKey",
      ...base,
      method: "get",
      path: "/events/{id}/check-in/key",
      summary: "Public key and live ticket ids for offline scanners",
      request: { params: EventId },
      responses: { 200: jsonResponse(ScannerKeySchema, "Scanner key"), ...pickProblems(401, 403, 404) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      // A snapshot of who may still enter: never serve it from a cache.
      c.header("Cache-Control", "no-store");
      return c.json(await scannerKey(c.env, db, event.id), 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "adminRotateCheckInKey",
      ...base,
      method: "post",
      path: "/events/{id}/check-in/key/rotate",
      summary: "Rotate the event's ticket-signing key",
      description:
        "New tickets are signed with a new key; tickets signed before stay valid " +
        "(the old public key is kept as retired and listed for scanners).",
      request: { params: EventId },
      responses: { 200: jsonResponse(ScannerKeySchema, "Scanner key after rotation"), ...pickProblems(401, 403, 404) },
    }),
    async (c) => {
      const db = createDb(c.env.DB);
      const event = await managedEvent(db, c.var.auth, c.req.valid("param").id);
      const before = await eventKeys(db, event.id);
      const after = await rotateEventKey(db, event.id);
      // The object keeps the signing key in memory; it signs with the new one from now on.
      if (event.publishedAt != null) await inventoryStub(c.env.EVENT_INVENTORY, event.id).forgetSigningKey();
      audit(c, {
        action: "event.ticket_key_rotated",
        entityType: "event",
        entityId: event.id,
        organizerId: event.organizerId,
        eventId: event.id,
        data: { from: before.kid, to: after.kid },
      });
      c.header("Cache-Control", "no-store");
      return c.json(await scannerKey(c.env, db, event.id), 200);
    },
  );
