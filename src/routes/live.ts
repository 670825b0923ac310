import { createRoute, z } from "@hono/zod-openapi";
import { verifyAccessToken } from "../auth/tokens";
import { inventoryStub } from "../domain/event-lifecycle";
import { AppError, notFound } from "../errors";
import { pickProblems } from "./problem-responses";
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
  token: z.string().max(4000).optional().openapi({
    description: "Access token (browsers cannot set headers on a WebSocket); needed to follow your own holds",
  }),
});

/**
 * `GET /v1/events/{id}/live`: the live seat map as a WebSocket, handled by the event's inventory
 * object with the Hibernation API. Messages are the union in src/live/protocol.ts.
 */
// Anyone may watch the seat map; a `?token=` only adds the caller's own hold notices. Typed apart
// because an inline `{}` widens the route's inferred input types.
const anonymousOrQueryToken: Record<string, string[]>[] = [{}, { queryToken: [] }];

export const live = createRouter().openapi(
  createRoute({
    operationId: "connectEventLive",
    security: anonymousOrQueryToken,
    method: "get",
    path: "/events/{id}/live",
    tags: ["events"],
    summary: "Live seat updates (WebSocket)",
    request: { params: Params, query: Query },
    responses: {
      101: { description: "Switching protocols: snapshot or delta, then a delta per change" },
      426: { description: "Not a WebSocket upgrade" },
      ...pickProblems(400, 401, 404),
    },
  }),
  async (c) => {
    const { id } = c.req.valid("param");
    const { version, token } = c.req.valid("query");
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
    const userId = token
      ? (
          await verifyAccessToken(token, c.env).catch(() => {
            throw new AppError("unauthenticated", "The access token is invalid or expired");
          })
        ).userId
      : null;
    const url = new URL("https://inventory/live");
    if (version !== undefined) url.searchParams.set("version", String(version));
    const headers = new Headers({ Upgrade: "websocket" });
    if (userId) headers.set("X-Live-User", userId);
    return inventoryStub(c.env.EVENT_INVENTORY, id, e.region as DurableObjectLocationHint).fetch(
      new Request(url, { headers }),
    );
  },
);
