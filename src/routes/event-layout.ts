import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../db/client";
import { asc, eq } from "drizzle-orm";
import { events, priceTiers } from "../db/schema";
import type { Layout } from "../domain/layout";
import { resolveSeatTiers, type AppliesTo } from "../domain/pricing";
import { notFound } from "../errors";
import { notModified } from "./conditional";
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

/** Rendered layouts by event: a stadium's is 1.6 MB of JSON, and reading and shaping it is most of a request. */
const rendered = new Map<string, { key: string; body: string }>();
/**
 * At most this many characters of rendered JSON are kept (about 16 MB, ten stadiums), the oldest
 * dropped first: an isolate has 128 MB, and a platform with many big events must not fill it.
 */
const RENDERED_CHARS = 16_000_000;
let renderedChars = 0;

function keep(id: string, entry: { key: string; body: string }): void {
  forget(id);
  while (renderedChars + entry.body.length > RENDERED_CHARS && rendered.size) forget(rendered.keys().next().value!);
  if (entry.body.length > RENDERED_CHARS) return;
  rendered.set(id, entry);
  renderedChars += entry.body.length;
}

function forget(id: string): void {
  const old = rendered.get(id);
  if (!old) return;
  rendered.delete(id);
  renderedChars -= old.body.length;
}

/**
 * What a layout document depends on, as an ETag: the snapshot (any event edit bumps `updatedAt`)
 * and the tiers' reach, hashed (FNV-1a) since a tier may name many seats.
 */
function renderKey(updatedAt: number, tiers: { key: string; appliesTo: unknown }[]): string {
  const text = JSON.stringify(tiers.map((t) => [t.key, t.appliesTo]));
  let h = 0x811c9dc5;
  for (let i = 0; i < text.length; i++) h = Math.imul(h ^ text.charCodeAt(i), 0x01000193);
  return `"L${updatedAt.toString(36)}-${(h >>> 0).toString(36)}-${text.length.toString(36)}"`;
}

function render(eventId: string, doc: Layout, tiers: { key: string; appliesTo: AppliesTo }[]): string {
  const { seatTier, areaTier } = resolveSeatTiers(doc, tiers);
  return JSON.stringify({
    eventId,
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
  } satisfies z.infer<typeof PublicLayout>);
}

/**
 * The event's frozen seat layout for drawing a seat map: every seat with its coordinates, label
 * and price tier, plus the general-admission areas. Public for published events; drafts answer 404
 * like unknown ids. Live state is not here (that is `GET …/seats` and the live socket), so this
 * document only changes when the organizer edits the event or its tiers: the rendered JSON is
 * kept per isolate and served again while the event row's `updatedAt` and the tiers are the same
 * (one small read instead of the snapshot). Browsers revalidate with its ETag (an edit before the
 * first sale shows at once) and get a 304 from that small read.
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
    responses: {
      200: jsonResponse(PublicLayout, "Layout"),
      304: { description: "Not modified (If-None-Match named the current ETag)" },
      ...pickProblems(404),
    },
  }),
  async (c) => {
    const db = createDb(c.env.DB);
    const id = c.req.valid("param").id;
    const [[event], tiers] = await db.batch([
      db
        .select({ id: events.id, status: events.status, updatedAt: events.updatedAt })
        .from(events)
        .where(eq(events.id, id))
        .limit(1),
      db
        .select({ key: priceTiers.key, appliesTo: priceTiers.appliesTo })
        .from(priceTiers)
        .where(eq(priceTiers.eventId, id))
        .orderBy(asc(priceTiers.sort)),
    ]);
    if (!event || event.status === "draft") throw notFound("Event");
    const key = renderKey(event.updatedAt, tiers);
    const headers = { ETag: key, "Cache-Control": "no-cache" };
    if (notModified(c.req.header("If-None-Match"), key)) return c.body(null, 304, headers) as never;
    let hit = rendered.get(id);
    if (hit?.key !== key) {
      const [row] = await db.select({ layout: events.layoutSnapshot }).from(events).where(eq(events.id, id)).limit(1);
      if (!row) throw notFound("Event");
      hit = { key, body: render(id, row.layout as Layout, tiers as { key: string; appliesTo: AppliesTo }[]) };
      keep(id, hit);
    }
    return c.body(hit.body, 200, { ...headers, "Content-Type": "application/json" }) as never;
  },
);
