import { z } from "@hono/zod-openapi";
import {
  EVENT_CATEGORIES,
  EVENT_STATUSES,
  INVITATION_STATUSES,
  ORGANIZER_ROLES,
  REGIONS,
} from "../../db/schema/constants";
import type { EventRow, OrganizerRow, PriceTierRow, SeatLayoutRow, VenueRow } from "../../db/schema";
import { editLocks } from "../../domain/edit-locks";
import { LayoutSchema, type Layout } from "../../domain/layout";

const iso = (ms: number) => new Date(ms).toISOString();
const isoOrNull = (ms: number | null) => (ms == null ? null : iso(ms));

/** A path parameter schema named `name`, typed so handlers get a string, not `string | undefined`. */
export function IdParam<K extends string>(name: K) {
  const shape = {
    [name]: z
      .string()
      .min(1)
      .max(100)
      .openapi({ param: { name, in: "path" } }),
  } as Record<K, z.ZodString>;
  return z.object(shape);
}

export const OrganizerSchema = z
  .object({
    id: z.string(),
    name: z.string(),
    slug: z.string(),
    contactEmail: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Organizer");
export const MemberSchema = z
  .object({
    id: z.string(),
    email: z.string(),
    name: z.string().nullable(),
    role: z.string(),
    /** Rights inside the organizer: owners manage members, staff run events. */
    organizerRole: z.enum(ORGANIZER_ROLES).nullable(),
  })
  .openapi("OrganizerMember");
export const InvitationSchema = z
  .object({
    id: z.string(),
    organizerId: z.string(),
    organizerName: z.string().optional(),
    email: z.string(),
    role: z.enum(ORGANIZER_ROLES),
    status: z.enum(INVITATION_STATUSES),
    invitedBy: z.string().nullable(),
    expiresAt: z.string().openapi({ format: "date-time" }),
    createdAt: z.string().openapi({ format: "date-time" }),
  })
  .openapi("OrganizerInvitation");

export const VenueSchema = z
  .object({
    id: z.string(),
    organizerId: z.string(),
    name: z.string(),
    address: z.string(),
    city: z.string(),
    country: z.string(),
    timezone: z.string(),
    region: z.enum(REGIONS),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("Venue");

export const LayoutSummarySchema = z
  .object({
    id: z.string(),
    organizerId: z.string(),
    venueId: z.string(),
    name: z.string(),
    seatCount: z.number().int(),
    gaCapacity: z.number().int(),
    createdAt: z.string(),
    updatedAt: z.string(),
  })
  .openapi("SeatLayoutSummary");
export const LayoutWithDocSchema = LayoutSummarySchema.extend({ document: LayoutSchema }).openapi("SeatLayoutRecord");

export const AppliesToSchema = z.strictObject({
  sections: z.array(z.string().min(1).max(64)).max(200).optional(),
  rows: z
    .array(z.strictObject({ section: z.string().min(1).max(64), row: z.string().min(1).max(16) }))
    .max(5000)
    .optional(),
  seats: z.array(z.string().min(1).max(64)).max(100_000).optional(),
  areas: z.array(z.string().min(1).max(64)).max(100).optional(),
});
export const TierSchema = z
  .object({
    key: z.string(),
    name: z.string(),
    amount: z.number().int(),
    currency: z.string(),
    appliesTo: AppliesToSchema,
    sort: z.number().int(),
  })
  .openapi("PriceTier");

export const EventSchema = z
  .object({
    id: z.string(),
    organizerId: z.string(),
    venueId: z.string(),
    layoutId: z.string().nullable(),
    name: z.string(),
    description: z.string(),
    category: z.enum(EVENT_CATEGORIES),
    performers: z.array(z.string()),
    startsAt: z.string(),
    endsAt: z.string(),
    status: z.enum(EVENT_STATUSES),
    salesStartAt: z.string().nullable(),
    salesEndAt: z.string().nullable(),
    holdSeconds: z.number().int(),
    maxSeatsPerOrder: z.number().int(),
    maxSeatsPerUser: z.number().int().nullable(),
    refundDeadlineHours: z.number().int().nullable(),
    currency: z.string(),
    firstSaleAt: z.string().nullable(),
    publishedAt: z.string().nullable(),
    cancelledAt: z.string().nullable(),
    createdAt: z.string(),
    updatedAt: z.string(),
    queueEnabled: z.boolean(),
    queueRatePerMinute: z.number().int(),
    queueMaxShopping: z.number().int(),
  })
  .openapi("AdminEvent");
const EditLockSchema = z.object({ code: z.literal("locked_after_sales"), reason: z.string() }).openapi("EditLock");
export const EventDetailSchema = EventSchema.extend({
  tiers: z.array(TierSchema),
  layout: z.object({
    seatCount: z.number().int(),
    gaCapacity: z.number().int(),
    sections: z.array(z.object({ id: z.string(), name: z.string(), rows: z.number().int(), seats: z.number().int() })),
    areas: z.array(z.object({ id: z.string(), name: z.string(), capacity: z.number().int() })),
  }),
  locks: z
    .object({ tiers: EditLockSchema.nullable(), layout: EditLockSchema.nullable() })
    .openapi({ description: "Edits the API would refuse now, with the problem detail it would answer; null: allowed" }),
}).openapi("AdminEventDetail");

/** Row → response shapes: epoch milliseconds become ISO strings at the edge of the API. */
export const toOrganizer = (r: OrganizerRow) => ({
  id: r.id,
  name: r.name,
  slug: r.slug,
  contactEmail: r.contactEmail,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});
export const toVenue = (r: VenueRow) => ({ ...r, createdAt: iso(r.createdAt), updatedAt: iso(r.updatedAt) });
export const toLayoutSummary = (r: SeatLayoutRow) => ({
  id: r.id,
  organizerId: r.organizerId,
  venueId: r.venueId,
  name: r.name,
  seatCount: r.seatCount,
  gaCapacity: r.gaCapacity,
  createdAt: iso(r.createdAt),
  updatedAt: iso(r.updatedAt),
});
export const toLayoutWithDoc = (r: SeatLayoutRow) => ({ ...toLayoutSummary(r), document: r.document as Layout });
export const toTier = (r: PriceTierRow) => ({
  key: r.key,
  name: r.name,
  amount: r.amount,
  currency: r.currency,
  appliesTo: r.appliesTo,
  sort: r.sort,
});
export function toEvent(r: EventRow) {
  const { layoutSnapshot: _snapshot, ...rest } = r;
  return {
    ...rest,
    startsAt: iso(r.startsAt),
    endsAt: iso(r.endsAt),
    salesStartAt: isoOrNull(r.salesStartAt),
    salesEndAt: isoOrNull(r.salesEndAt),
    firstSaleAt: isoOrNull(r.firstSaleAt),
    publishedAt: isoOrNull(r.publishedAt),
    cancelledAt: isoOrNull(r.cancelledAt),
    createdAt: iso(r.createdAt),
    updatedAt: iso(r.updatedAt),
  };
}
/** Event with its tiers and a compact view of the frozen layout (not the whole seat list). */
export function toEventDetail(r: EventRow, tiers: PriceTierRow[]) {
  const doc = r.layoutSnapshot as Layout;
  const sections = doc.sections.map((s) => ({
    id: s.id,
    name: s.name,
    rows: s.rows.length,
    seats: s.rows.reduce((n, row) => n + row.seats.length, 0),
  }));
  const areas = doc.areas.map((a) => ({ id: a.id, name: a.name, capacity: a.capacity }));
  return {
    ...toEvent(r),
    tiers: tiers.map(toTier),
    layout: {
      seatCount: sections.reduce((n, s) => n + s.seats, 0),
      gaCapacity: areas.reduce((n, a) => n + a.capacity, 0),
      sections,
      areas,
    },
    locks: editLocks(r),
  };
}
