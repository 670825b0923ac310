import type { EventStatus } from "../db/schema/constants";

/** What a fan sees about buying: derived from the stored status plus the sales window and the clock. */
export const SALES_STATUSES = ["draft", "upcoming", "on_sale", "ended", "cancelled"] as const;
export type SalesStatus = (typeof SALES_STATUSES)[number];

/** The fields salesStatus needs; times are epoch milliseconds, as stored in D1. */
export type SalesStatusInput = {
  status: EventStatus;
  salesStartAt: number | null;
  salesEndAt: number | null;
  endsAt: number;
};

/**
 * Derives the public sales status. Pure: the caller passes `now` so lists and tests agree on one
 * instant. Stored status wins for draft/cancelled/closed; the clock decides the rest, because an
 * on_sale event is only buyable inside its window and never after it has ended.
 */
export function salesStatus(event: SalesStatusInput, now: number): SalesStatus {
  switch (event.status) {
    case "draft":
      return "draft";
    case "cancelled":
      return "cancelled";
    case "closed":
      return "ended";
  }
  if (now >= event.endsAt) return "ended";
  if (event.salesEndAt !== null && now >= event.salesEndAt) return "ended";
  if (event.status === "published") return "upcoming";
  if (event.salesStartAt !== null && now < event.salesStartAt) return "upcoming";
  return "on_sale";
}
