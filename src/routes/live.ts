import { createRoute, z } from "@hono/zod-openapi";
import { signLiveTicket, verifyLiveTicket } from "../auth/live-tickets";
import { requireAuth } from "../auth/middleware";
import { requireKnownEvent } from "../domain/event-ids";
import { inventoryStub } from "../domain/event-lifecycle";
import { AppError, notFound } from "../errors";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const Params = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});
const Query = z.object({
  version: z.coerce
    .number()
    .int()
    .min(0)
    .optional()
    .openapi({ description: "The version the client has: it gets the deltas after it instead of a snapshot" }),
  ticket: z
    .string()
    .max(2000)
    .optional()
    .openapi({
      description:
        "A single-use socket ticket from POST /v1/events/{id}/live-ticket (browsers cannot set headers on a " +
        "WebSocket); signs the socket in, to follow your own holds and tell your changes from others'",
    }),
  token: z.string().max(4000).optional().openapi({
    description: "Refused (400): an access token never travels in a URL; use `ticket`",
  }),
});
const LiveTicket = z
  .object({
    ticket: z.string().openapi({ description: "Pass as `?ticket=` to GET /v1/events/{id}/live, once" }),
    expiresAt: z.string().openapi({ description: "The ticket must be used before this (about a minute)" }),
  })
  .openapi("LiveTicket");

/**
 * `GET /v1/events/{id}/live`: the live seat map as a WebSocket, handled by the event's inventory
 * object with the Hibernation API. Messages are the union in src/live/protocol.ts.
 */
// Anyone may watch the seat map; a `?ticket=` only adds the caller's own tag and hold notices.
// Typed apart because an inline `{}` widens the route's inferred input types.
const anonymousOrTicket: Record<string, string[]>[] = [{}, { liveTicket: [] }];

export const live = createRouter()
  .openapi(
    createRoute({
      operationId: "createLiveTicket",
      security: [{ bearer: [] }],
      middleware: requireAuth,
      method: "post",
      path: "/events/{id}/live-ticket",
      tags: ["events"],
      summary: "A single-use ticket that opens the live socket signed in",
      description:
        "Valid for about a minute, for this event and the caller only, and for one connection: a client " +
        "asks for a new one each time it (re)connects, so the socket outlives the access token it was opened with.",
      request: { params: Params },
      responses: {
        201: jsonResponse(LiveTicket, "The ticket"),
        ...pickProblems(401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      await requireKnownEvent(c.env.DB, id);
      const t = await signLiveTicket(c.var.auth.userId, id, c.env);
      return c.json({ ticket: t.ticket, expiresAt: new Date(t.expiresAt).toISOString() }, 201);
    },
  )
  .openapi(
    createRoute({
      operationId: "connectEventLive",
      security: anonymousOrTicket,
      method: "get",
      path: "/events/{id}/live",
      tags: ["events"],
      summary: "Live seat updates (WebSocket)",
      request: { params: Params, query: Query },
      responses: {
        101: { description: "Switching protocols: hello, then a snapshot or delta, then a delta per change" },
        426: { description: "Not a WebSocket upgrade" },
        ...pickProblems(400, 401, 404),
      },
    }),
    async (c) => {
      const { id } = c.req.valid("param");
      const { version, ticket, token } = c.req.valid("query");
      if (token !== undefined)
        throw new AppError(
          "bad_request",
          "An access token is never accepted in the URL: open the socket with ?ticket=",
          {
            extra: { errors: [{ path: "token", message: "use a ticket from POST /v1/events/{id}/live-ticket" }] },
          },
        );
      if (c.req.header("Upgrade")?.toLowerCase() !== "websocket") {
        return c.json(
          {
            type: "about:blank",
            title: "Upgrade required",
            status: 426,
            detail: "Connect with a WebSocket client",
            code: "bad_request",
            requestId: c.get("requestId"),
          },
          426,
          { Upgrade: "websocket", "Content-Type": "application/problem+json" },
        );
      }
      const e = await c.env.DB.prepare(
        `SELECT e.status, v.region FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ?`,
      )
        .bind(id)
        .first<{ status: string; region: string }>();
      if (!e || e.status === "draft") throw notFound("Event");
      const signedIn = ticket ? await verifyLiveTicket(ticket, id, c.env) : null;
      const url = new URL("https://inventory/live");
      if (version !== undefined) url.searchParams.set("version", String(version));
      const headers = new Headers({ Upgrade: "websocket" });
      if (signedIn) {
        headers.set("X-Live-User", signedIn.userId);
        headers.set("X-Live-Ticket", `${signedIn.id};${signedIn.expiresAt}`);
      }
      const res = await inventoryStub(c.env.EVENT_INVENTORY, id, e.region as DurableObjectLocationHint).fetch(
        new Request(url, { headers }),
      );
      if (res.status === 409)
        throw new AppError("unauthenticated", "This live ticket was used before; ask for a new one");
      return res;
    },
  );
