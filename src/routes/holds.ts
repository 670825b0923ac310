import { createRoute, z } from "@hono/zod-openapi";
import { requestIpHash } from "../audit/emit";
import { jwtSecret } from "../auth/config";
import { requireAuth } from "../auth/middleware";
import { createDb } from "../db/client";
import { getEvent } from "../db/queries/catalog";
import { verifyAdmission } from "../domain/admission";
import { inventoryStub } from "../domain/event-lifecycle";
import { locateHold, requireKnownEvent } from "../domain/event-ids";
import { encodeHoldId } from "../domain/hold-ids";
import { inventoryError } from "../domain/inventory-errors";
import { type LabelLayout, placeLabel, placeNames } from "../domain/place-labels";
import { AppError, notFound } from "../errors";
import type { HoldRequest } from "../objects/inventory-types";
import { jsonBody, jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const SeatIds = z
  .array(z.string().min(1).max(100))
  .min(1)
  .max(50)
  .refine((a) => new Set(a).size === a.length, "seat ids must be unique");
const Quantity = z.number().int().min(1).max(50);
const HoldBody = z
  .union([
    z.strictObject({ seats: SeatIds }),
    z.strictObject({
      tier: z.string().min(1).max(100),
      quantity: Quantity,
      accessible: z.boolean().optional(),
      allowSplit: z.boolean().optional(),
    }),
    z.strictObject({ area: z.string().min(1).max(100), quantity: Quantity }),
  ])
  .openapi("HoldRequest");
const Area = z.object({ id: z.string(), quantity: z.number().int() });
const HoldCreated = z
  .object({
    holdId: z.string(),
    eventId: z.string(),
    seats: z.array(z.object({ id: z.string(), tier: z.string(), price: z.number().int() })),
    area: Area.optional(),
    amount: z.number().int(),
    currency: z.string(),
    expiresAt: z.string(),
    version: z.number().int(),
  })
  .openapi("HoldCreated");
const HoldView = z
  .object({
    holdId: z.string(),
    eventId: z.string(),
    status: z.enum(["active", "checking_out", "confirmed", "released", "expired"]),
    kind: z.enum(["seats", "area"]),
    seats: z.array(z.string()),
    area: Area.optional(),
    amount: z.number().int(),
    currency: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
  })
  .openapi("Hold");
const MyHold = z
  .object({
    holdId: z.string(),
    eventId: z.string(),
    status: z.enum(["active", "checking_out"]),
    kind: z.enum(["seats", "area"]),
    seats: z.array(z.object({ id: z.string(), label: z.string(), tier: z.string(), price: z.number().int() })),
    area: Area.extend({ label: z.string() }).optional(),
    amount: z.number().int(),
    currency: z.string(),
    expiresAt: z.string(),
    createdAt: z.string(),
    orderId: z.string().nullable().openapi({ description: "The order being paid, while checking out" }),
  })
  .openapi("MyHold");
const MyHolds = z.object({ items: z.array(MyHold) }).openapi("MyHolds");
const MyHoldsQuery = z.object({
  mine: z.enum(["true"]).openapi({ description: "Only your own holds can be listed: must be `true`" }),
  event: z.string().min(1).max(100).openapi({ description: "The event whose holds to list (holds live per event)" }),
});
const iso = (ms: number) => new Date(ms).toISOString();
const base = { tags: ["holds"], security: [{ bearer: [] }], middleware: requireAuth };
const HoldParam = z.object({
  holdId: z
    .string()
    .min(1)
    .max(300)
    .openapi({ param: { name: "holdId", in: "path" } }),
});
const EventParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
export const AdmissionHeader = z.object({
  "x-admission-token": z
    .string()
    .max(2000)
    .optional()
    .openapi({
      description:
        "Required while the event's waiting room is on: " +
        "the token from GET /v1/events/{id}/queue/{ticket} once admitted",
    }),
});
const ADMISSION_WHY = {
  malformed: "is malformed",
  signature: "has a bad signature",
  expired: "has expired",
  wrong_user: "belongs to another account",
  wrong_event: "is for another event",
} as const;

/**
 * An admission token, when sent, is checked here in the Worker (an HMAC), never by asking the
 * room; whether the event needs one is the inventory object's call (it knows its waiting-room
 * switch and which tickets were revoked), so the hold path is one DO call and no D1 read.
 */
export async function admissionOf(
  token: string | undefined,
  env: Parameters<typeof jwtSecret>[0],
  userId: string,
  eventId: string,
): Promise<{ ticket: string; expiresAt: number } | undefined> {
  if (!token) return undefined;
  const r = await verifyAdmission(token, jwtSecret(env), userId, eventId);
  if (!r.ok)
    throw new AppError("admission_invalid", `The admission token ${ADMISSION_WHY[r.reason]}`, {
      extra: { reason: r.reason },
    });
  return { ticket: r.claims.tkt, expiresAt: r.claims.exp * 1000 };
}

export const holds = createRouter()
  .openapi(
    createRoute({
      operationId: "createHold",
      ...base,
      method: "post",
      path: "/events/{id}/holds",
      summary: "Hold seats for a few minutes",
      request: { params: EventParam, headers: AdmissionHeader, body: jsonBody(HoldBody) },
      responses: { 201: jsonResponse(HoldCreated, "Held"), ...pickProblems(400, 401, 403, 404, 409, 422, 429) },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const request = c.req.valid("json") as HoldRequest;
      // Junk and unknown ids stop here instead of creating an empty object; a known event is
      // answered from the isolate's memory, so holds still read D1 about once a minute per event.
      await requireKnownEvent(c.env.DB, id);
      const admission = await admissionOf(c.req.valid("header")["x-admission-token"], c.env, c.var.auth.userId, id);
      // The object counts the fan's hold attempts on its event (429 past 60 in 10 s), before any SQL.
      // The object exists once the event is published (placed in its venue's region then); an
      // unknown or draft event has no initialized inventory and answers not_found.
      const stub = inventoryStub(c.env.EVENT_INVENTORY, id);
      // The object writes the hold's audit entries itself (its outbox); it gets the IP hash here.
      const r = await stub.hold({
        userId: c.var.auth.userId,
        request,
        ipHash: await requestIpHash(c),
        ...(admission ? { admission } : {}),
      });
      if (!r.ok) throw inventoryError(r, r.code === "not_found" ? "Event" : "Hold");
      const body: z.infer<typeof HoldCreated> = {
        holdId: encodeHoldId(id, r.holdId),
        eventId: id,
        seats: r.seats,
        amount: r.amount,
        currency: r.currency,
        expiresAt: iso(r.expiresAt),
        version: r.version,
      };
      if (r.area) body.area = r.area;
      return c.json(body, 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "listMyHolds",
      ...base,
      method: "get",
      path: "/holds",
      summary: "Your live holds for one event (active or checking out), to resume on any device",
      request: { query: MyHoldsQuery },
      responses: { 200: jsonResponse(MyHolds, "Your live holds, newest first"), ...pickProblems(400, 401, 404) },
    }),
    async (c) => {
      const eventId = c.req.valid("query").event;
      // Junk and unknown ids are refused before any object exists for them.
      await requireKnownEvent(c.env.DB, eventId);
      const live = await inventoryStub(c.env.EVENT_INVENTORY, eventId).liveHoldsOf(c.var.auth.userId);
      if (!live.length) return c.json({ items: [] }, 200);
      // The layout is read only when there is something to name.
      const event = await getEvent(createDb(c.env.DB), eventId);
      const names = placeNames(event?.layoutSnapshot as LabelLayout | undefined);
      const items = live.map((h): z.infer<typeof MyHold> => {
        const item: z.infer<typeof MyHold> = {
          holdId: encodeHoldId(eventId, h.id),
          eventId,
          status: h.status === "checking_out" ? "checking_out" : "active",
          kind: h.kind,
          seats: h.lines
            .filter((l) => l.seatId !== null)
            .map((l) => ({
              id: l.seatId as string,
              label: placeLabel(l.seatId as string, names),
              tier: l.tier,
              price: l.price,
            })),
          amount: h.amount,
          currency: h.currency,
          expiresAt: iso(h.expiresAt),
          createdAt: iso(h.createdAt),
          orderId: h.status === "checking_out" ? h.orderId : null,
        };
        if (h.area) item.area = { ...h.area, label: placeLabel(h.area.id, names) };
        return item;
      });
      return c.json({ items }, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "getHold",
      ...base,
      method: "get",
      path: "/holds/{holdId}",
      summary: "Read one of your holds",
      request: { params: HoldParam },
      responses: { 200: jsonResponse(HoldView, "Hold"), ...pickProblems(401, 404) },
    }),
    async (c) => {
      const { eventId, holdId } = await locateHold(c.env.DB, c.req.valid("param").holdId);
      const r = await inventoryStub(c.env.EVENT_INVENTORY, eventId).getHold(holdId);
      if (!r.ok) throw inventoryError(r);
      const h = r.hold;
      if (h.userId !== c.var.auth.userId) throw notFound("Hold");
      const body: z.infer<typeof HoldView> = {
        holdId: encodeHoldId(eventId, h.id),
        eventId,
        status: h.status,
        kind: h.kind,
        seats: h.seats,
        amount: h.amount,
        currency: h.currency,
        expiresAt: iso(h.expiresAt),
        createdAt: iso(h.createdAt),
      };
      if (h.area) body.area = h.area;
      return c.json(body, 200);
    },
  )
  .openapi(
    createRoute({
      operationId: "releaseHold",
      ...base,
      method: "delete",
      path: "/holds/{holdId}",
      summary: "Release one of your holds",
      request: { params: HoldParam },
      responses: { 204: { description: "Released" }, ...pickProblems(401, 404, 409) },
    }),
    async (c) => {
      const { eventId, holdId } = await locateHold(c.env.DB, c.req.valid("param").holdId);
      const r = await inventoryStub(c.env.EVENT_INVENTORY, eventId).release(holdId, c.var.auth.userId);
      if (!r.ok) throw inventoryError(r);
      return c.body(null, 204);
    },
  );
