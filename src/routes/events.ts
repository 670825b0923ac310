import { createRoute, z } from "@hono/zod-openapi";
import type { Context } from "hono";
import { EVENT_CATEGORIES, EVENT_STATUSES, type EventStatus } from "../db/schema/constants";
import { searchEvents, type EventListRow } from "../db/queries/event-search";
import { refundDeadline } from "../domain/order-policy";
import { SALES_STATUSES, salesStatus } from "../domain/sales-status";
import type { AppEnv } from "../env";
import { notFound } from "../errors";
import { BOOKMARK_HEADER, readReplica } from "../middleware/read-replica";
import { createRouter } from "./router";
import { jsonResponse, pickProblems } from "./problem-responses";

const iso = (ms: number) => new Date(ms).toISOString();
const Money = z
  .object({ amount: z.number().int().openapi({ description: "Minor units" }), currency: z.string() })
  .openapi("Money");
const VenueRef = z.object({ id: z.string(), name: z.string(), city: z.string(), country: z.string() });

const EventSummary = z
  .object({
    id: z.string(),
    name: z.string(),
    category: z.enum(EVENT_CATEGORIES),
    performers: z.array(z.string()),
    startsAt: z.string(),
    endsAt: z.string(),
    status: z.enum(EVENT_STATUSES),
    salesStatus: z.enum(SALES_STATUSES),
    venue: VenueRef.extend({
      timezone: z.string().openapi({ description: "IANA time zone of the venue: show times in it" }),
    }),
    priceFrom: Money.nullable(),
  })
  .openapi("EventSummary");
const EventList = z.object({ items: z.array(EventSummary), nextCursor: z.string().nullable() }).openapi("EventList");

const ListQuery = z.object({
  q: z
    .string()
    .max(200)
    .optional()
    .openapi({ description: "Full-text search over name, description, performers, venue and city" }),
  city: z.string().max(100).optional(),
  country: z
    .string()
    .regex(/^[A-Za-z]{2}$/, "ISO 3166-1 alpha-2")
    .optional(),
  category: z.enum(EVENT_CATEGORIES).optional(),
  from: z.iso.datetime({ offset: true }).optional().openapi({ description: "Earliest startsAt (inclusive)" }),
  to: z.iso.datetime({ offset: true }).optional().openapi({ description: "Latest startsAt (inclusive)" }),
  onSaleNow: z.enum(["true", "false"]).optional(),
  cursor: z.string().max(200).optional().openapi({ description: "Opaque; nextCursor of the previous page" }),
  limit: z.coerce.number().int().min(1).max(100).default(20),
});

const RefundPolicy = z
  .object({
    kind: z.enum(["none", "full_until"]).openapi({ description: "`full_until`: a full refund until `refundsUntil`" }),
    hoursBeforeStart: z.number().int().nullable(),
    refundsUntil: z.string().nullable().openapi({ format: "date-time" }),
  })
  .openapi("RefundPolicy", { description: "Whether and until when fans may cancel for a refund" });
const Tier = z.object({ key: z.string(), name: z.string(), amount: z.number().int(), currency: z.string() });
const EventDetail = EventSummary.omit({ venue: true, priceFrom: true })
  .extend({
    description: z.string(),
    holdSeconds: z.number().int(),
    maxSeatsPerOrder: z.number().int(),
    maxSeatsPerUser: z.number().int().nullable(),
    salesStartAt: z.string().nullable(),
    salesEndAt: z.string().nullable(),
    currency: z.string(),
    waitingRoom: z.boolean().openapi({
      description: "The waiting room is on: join POST /v1/events/{id}/queue, then hold with X-Admission-Token",
    }),
    venue: VenueRef.extend({ address: z.string(), timezone: z.string() }),
    tiers: z.array(Tier),
    refundPolicy: RefundPolicy,
  })
  .openapi("EventDetail");

// Public catalog reads may come from any D1 replica (see middleware/read-replica.ts).
const replica = readReplica("first-unconstrained");
const bookmarkHeader = z.object({
  [BOOKMARK_HEADER]: z
    .string()
    .max(256)
    .optional()
    .openapi({ description: "D1 bookmark from an earlier response: read at least that fresh" }),
});

const listRoute = createRoute({
  operationId: "listEvents",
  security: [],
  middleware: replica,
  method: "get",
  path: "/",
  tags: ["events"],
  summary: "Browse and search public events",
  request: { query: ListQuery, headers: bookmarkHeader },
  responses: { 200: jsonResponse(EventList, "A page of events, ordered by start time"), ...pickProblems(400) },
});

const getRoute = createRoute({
  operationId: "getEvent",
  security: [],
  middleware: replica,
  method: "get",
  path: "/{id}",
  tags: ["events"],
  summary: "Public event details",
  request: { params: z.object({ id: z.string().max(64) }), headers: bookmarkHeader },
  responses: { 200: jsonResponse(EventDetail, "The event"), ...pickProblems(404) },
});

function toSummary(r: EventListRow, now: number): z.infer<typeof EventSummary> {
  return {
    id: r.id,
    name: r.name,
    category: r.category,
    performers: JSON.parse(r.performers) as string[],
    startsAt: iso(r.starts_at),
    endsAt: iso(r.ends_at),
    status: r.status,
    salesStatus: salesStatus(
      { status: r.status, salesStartAt: r.sales_start_at, salesEndAt: r.sales_end_at, endsAt: r.ends_at },
      now,
    ),
    venue: { id: r.venue_id, name: r.venue_name, city: r.city, country: r.country, timezone: r.timezone },
    priceFrom: r.price_from === null ? null : { amount: r.price_from, currency: r.price_currency ?? "" },
  };
}

function refundPolicyView(hours: number | null, startsAt: number): z.infer<typeof RefundPolicy> {
  const until = refundDeadline({ refundDeadlineHours: hours, startsAt });
  return until === null
    ? { kind: "none", hoursBeforeStart: null, refundsUntil: null }
    : { kind: "full_until", hoursBeforeStart: hours, refundsUntil: iso(until) };
}

/** Serves from the edge cache when enabled; lists are public, so the full URL is a safe key. */
async function cachedList(c: Context<AppEnv>, build: () => Promise<Response>): Promise<Response> {
  const ttl = Number(c.env.LIST_CACHE_SECONDS) || 0;
  if (ttl <= 0) {
    const res = await build();
    res.headers.set("Cache-Control", "no-store");
    return res;
  }
  const cache = caches.default;
  const key = new Request(c.req.url, { method: "GET" });
  const hit = await cache.match(key);
  // Re-wrap so later middleware can add headers (cached responses have immutable headers).
  if (hit) return new Response(hit.body, hit);
  const res = await build();
  res.headers.set("Cache-Control", `public, max-age=${ttl}`);
  // Store only what is the same for every caller; CORS and request-id headers are per request.
  const stored = new Response(res.clone().body, {
    status: res.status,
    headers: {
      "Content-Type": res.headers.get("Content-Type") ?? "application/json",
      "Cache-Control": `public, max-age=${ttl}`,
    },
  });
  c.executionCtx.waitUntil(cache.put(key, stored));
  return res;
}

export const events = createRouter()
  .openapi(listRoute, async (c) => {
    const q = c.req.valid("query");
    const res = await cachedList(c, async () => {
      const now = Date.now();
      const { rows, nextCursor } = await searchEvents(c.var.readDb, {
        ...q,
        country: q.country?.toUpperCase(),
        from: q.from ? Date.parse(q.from) : undefined,
        to: q.to ? Date.parse(q.to) : undefined,
        onSaleNow: q.onSaleNow === "true",
        now,
      });
      return c.json({ items: rows.map((r) => toSummary(r, now)), nextCursor }, 200);
    });
    return res as never;
  })
  .openapi(getRoute, async (c) => {
    const { id } = c.req.valid("param");
    const db = c.var.readDb;
    const e = await db
      .prepare(
        `SELECT e.*, v.name AS venue_name, v.address, v.city, v.country, v.timezone
       FROM events e JOIN venues v ON v.id = e.venue_id WHERE e.id = ? AND e.status != 'draft'`,
      )
      .bind(id)
      .first<Record<string, unknown>>();
    // Drafts answer exactly like unknown ids so their existence is not disclosed.
    if (!e) throw notFound("Event");
    const { results: tiers } = await db
      .prepare("SELECT key, name, amount, currency FROM price_tiers WHERE event_id = ? ORDER BY sort, amount, key")
      .bind(id)
      .all<z.infer<typeof Tier>>();
    const status = e.status as EventStatus;
    const [startsAt, endsAt] = [e.starts_at as number, e.ends_at as number];
    const [salesStartAt, salesEndAt] = [e.sales_start_at as number | null, e.sales_end_at as number | null];
    return c.json(
      {
        id,
        name: e.name as string,
        description: e.description as string,
        category: e.category as z.infer<typeof EventSummary>["category"],
        performers: JSON.parse(e.performers as string) as string[],
        startsAt: iso(startsAt),
        endsAt: iso(endsAt),
        status,
        salesStatus: salesStatus({ status, salesStartAt, salesEndAt, endsAt }, Date.now()),
        holdSeconds: e.hold_seconds as number,
        maxSeatsPerOrder: e.max_seats_per_order as number,
        maxSeatsPerUser: e.max_seats_per_user as number | null,
        salesStartAt: salesStartAt === null ? null : iso(salesStartAt),
        salesEndAt: salesEndAt === null ? null : iso(salesEndAt),
        currency: e.currency as string,
        waitingRoom: e.queue_enabled === 1,
        venue: {
          id: e.venue_id as string,
          name: e.venue_name as string,
          address: e.address as string,
          city: e.city as string,
          country: e.country as string,
          timezone: e.timezone as string,
        },
        tiers,
        refundPolicy: refundPolicyView(e.refund_deadline_hours as number | null, startsAt),
      },
      200,
    );
  });
