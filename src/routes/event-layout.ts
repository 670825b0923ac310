import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../db/client";
import { getEvent, listTiers } from "../db/queries/catalog";
import type { Layout } from "../domain/layout";
import { resolveSeatTiers, type AppliesTo } from "../domain/pricing";
import { notFound } from "../errors";
import { jsonResponse, pickProblems } from "./problem-responses";
import { createRouter } from "./router";

const PublicSeat = z.object({
  id: z.string(),
  label: z.string(),
  x: z.number(),
  y: z.number(),
  accessible: z.boolean(),
  tier: z.string().nullable(),
});
const PublicLayout = z
  .object({
    eventId: z.string(),
    stage: z.object({ x: z.number(), y: z.number(), label: z.string().optional() }).nullable(),
    sections: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        rows: z.array(z.object({ label: z.string(), seats: z.array(PublicSeat) })),
      }),
    ),
    areas: z.array(
      z.object({
        id: z.string(),
        name: z.string(),
        capacity: z.number().int(),
        tier: z.string().nullable(),
        x: z.number().optional(),
        y: z.number().optional(),
        width: z.number().optional(),
        height: z.number().optional(),
      }),
    ),
  })
  .openapi("EventLayout");
const EventParam = z.object({
  id: z
    .string()
    .min(1)
    .max(100)
    .openapi({ param: { name: "id", in: "path" } }),
});

/**
 * The event's frozen seat layout for drawing a seat map: every seat with its coordinates, label
 * and price tier, plus the general-admission areas. Public for published events; drafts answer 404
 * like unknown ids. Live state is not here (that is `GET …/seats` and the live socket), so this
 * document only changes when the organizer re-prices: a short shared cache is safe.
 */
export const eventLayout = createRouter().openapi(
  createRoute({
    operationId: "getEventLayout",
    security: [],
    method: "get",
    path: "/events/{id}/layout",
    tags: ["events"],
    summary: "Seat layout with coordinates and tiers, for drawing the map",
    request: { params: EventParam },
    responses: { 200: jsonResponse(PublicLayout, "Layout"), ...pickProblems(404) },
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const event = await getEvent(db, c.req.valid("param").id);
    if (!event || event.status === "draft") throw notFound("Event");
    const doc = event.layoutSnapshot as Layout;
    const tiers = await listTiers(db, event.id);
    const { seatTier, areaTier } = resolveSeatTiers(
      doc,
      tiers.map((t) => ({ key: t.key, appliesTo: t.appliesTo as AppliesTo })),
    );
    c.header("Cache-Control", "public, max-age=30");
    return c.json(
      {
        eventId: event.id,
        stage: doc.stage ?? null,
        sections: doc.sections.map((s) => ({
          id: s.id,
          name: s.name,
          rows: s.rows.map((r) => ({
            label: r.label,
            seats: r.seats.map((seat) => ({
              id: seat.id,
              label: seat.label,
              x: seat.x,
              y: seat.y,
              accessible: seat.accessible === true,
              tier: seatTier.get(seat.id) ?? null,
            })),
          })),
        })),
        areas: doc.areas.map((a) => ({ ...a, tier: areaTier.get(a.id) ?? null })),
      },
      200,
    );
  },
);
