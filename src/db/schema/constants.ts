/** Enum values stored in D1, in one place so schema, zod and domain agree. */
export const ROLES = ["fan", "organizer", "admin"] as const;
export type Role = (typeof ROLES)[number];

export const EVENT_STATUSES = ["draft", "published", "on_sale", "closed", "cancelled"] as const;
export type EventStatus = (typeof EVENT_STATUSES)[number];

export const EVENT_CATEGORIES = ["concert", "sports", "theatre", "comedy", "festival", "travel", "conference", "other"] as const;
export type EventCategory = (typeof EVENT_CATEGORIES)[number];

/** Durable Object location hints; a venue's region decides where its events' inventory lives. */
export const REGIONS = ["wnam", "enam", "sam", "weur", "eeur", "apac", "oc", "afr", "me"] as const;
export type Region = (typeof REGIONS)[number];
