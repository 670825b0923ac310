/** Enum values stored in D1, in one place so schema, zod and domain agree. */
export const ROLES = ["fan", "organizer", "admin"] as const;
export type Role = (typeof ROLES)[number];

/**
 * A member's rights inside its organizer: owners manage the membership (invite, remove, change
 * roles), staff run the events. Stored on the user next to `organizer_id`.
 */
export const ORGANIZER_ROLES = ["owner", "staff"] as const;
export type OrganizerRole = (typeof ORGANIZER_ROLES)[number];

/**
 * An invitation's stored state. `pending` past `expires_at` is reported as `expired` without a
 * write, because every transition checks the deadline itself; it is stored as `expired` only when
 * a new invitation to the same email replaces it (one pending row per organizer and email).
 */
export const INVITATION_STATUSES = ["pending", "accepted", "declined", "revoked", "expired"] as const;
export type InvitationStatus = (typeof INVITATION_STATUSES)[number];

export const EVENT_STATUSES = ["draft", "published", "on_sale", "closed", "cancelled"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const EVENT_CATEGORIES = [
  "concert",
  "sports",
  "theatre",
  "comedy",
  "festival",
  "travel",
  "conference",
  "other",
] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** Durable Object location hints; a venue's region decides where its events' inventory lives. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];

/**
 * An order's life: `pending_payment` → `paid` → (`partially_refunded` →) `refunded`; or
 * `failed` (declined/cancelled, seats released; a retry may take it back to pending), `expired`
 * (the hold lapsed before payment), `cancelled` (the fan released the seats during checkout; its
 * payment is cancelled), `refunded_unavailable` (paid too late, seats gone, refunded).
 */
export const ORDER_STATUSES = [
  "pending_payment",
  "paid",
  "failed",
  "expired",
  "cancelled",
  "partially_refunded",
  "refunded",
  "refunded_unavailable",
] as const;
export type OrderStatus = (typeof ORDER_STATUSES)[number];

/** `valid` and `used` tickets own their seat: at most one per (event, seat). */
export const TICKET_STATUSES = ["valid", "used", "refunded", "void"] as const;
export type TicketStatus = (typeof TICKET_STATUSES)[number];

export const PAYMENT_PROVIDERS = ["stripe", "simulated"] as const;
export type PaymentProvider = (typeof PAYMENT_PROVIDERS)[number];

export const PAYMENT_KINDS = ["charge", "refund"] as const;
export type PaymentKind = (typeof PAYMENT_KINDS)[number];

export const PAYMENT_STATUSES = ["pending", "succeeded", "failed", "canceled"] as const;
export type PaymentStatus = (typeof PAYMENT_STATUSES)[number];

/** Queues a D1 outbox row is shipped to. */
export const OUTBOX_QUEUES = ["notifications", "audit", "payments"] as const;
export type OutboxQueue = (typeof OUTBOX_QUEUES)[number];

export const NOTIFICATION_CHANNELS = ["email", "sms"] as const;
export type NotificationChannel = (typeof NOTIFICATION_CHANNELS)[number];

/** `pending` (recorded, not yet handed to a provider) → `sending` → `sent` | `failed`. */
export const NOTIFICATION_STATUSES = ["pending", "sending", "sent", "failed"] as const;
export type NotificationStatus = (typeof NOTIFICATION_STATUSES)[number];

export const NOTIFICATION_KINDS = [
  "booking_confirmed",
  "payment_failed",
  "refund_issued",
  "event_cancelled",
  "event_rescheduled",
  "event_reminder",
] as const;
export type NotificationKind = (typeof NOTIFICATION_KINDS)[number];
