import type { EventRow } from "../db/schema";

/** Why an edit is refused; the API answers it as the problem detail, the portal shows it beside the controls. */
export type EditLock = { code: "locked_after_sales"; reason: string };

/** The refusals the tier and layout edits answer with, in one place so the portal shows the same words. */
export const TIERS_LOCKED: EditLock = {
  code: "locked_after_sales",
  reason: "Prices cannot change once tickets have been sold",
};
export const LAYOUT_LOCKED: EditLock = {
  code: "locked_after_sales",
  reason: "The layout cannot change once tickets have been sold",
};

/**
 * Which parts of `event` can no longer be edited, and why. Sold tickets carry their seat and price
 * into refunds and reports, so both lock at the first sale D1 knows of (the inventory object may
 * refuse a moment earlier, before the ledger catches up).
 */
export function editLocks(event: Pick<EventRow, "firstSaleAt">): { tiers: EditLock | null; layout: EditLock | null } {
  const sold = event.firstSaleAt != null;
  return { tiers: sold ? TIERS_LOCKED : null, layout: sold ? LAYOUT_LOCKED : null };
}
