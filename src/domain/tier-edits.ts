import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { type EventRow, priceTiers } from "../db/schema";
import { AppError, type FieldError } from "../errors";
import { newId } from "../lib/ids";
import { inventoryStub } from "./event-lifecycle";
import { TIERS_LOCKED } from "./edit-locks";
import { inventoryError } from "./inventory-errors";
import type { Layout } from "./layout";
import { type AppliesTo, resolveSeatTiers, tierCoversSomething, tierReferenceProblems } from "./pricing";

/** One tier as the organizer sends it; the currency, when given, must be the event's. */
export type TierEdit = { key: string; name: string; amount: number; currency?: string; appliesTo: AppliesTo };

/** Whether the event's inventory object holds seats and prices (it is loaded at publish). */
const isPublished = (event: EventRow) => event.publishedAt != null && event.status !== "draft";

/**
 * Replaces all price tiers of `event`. A published event's inventory object is re-priced first:
 * it is the authority on whether anything has sold (D1's `firstSaleAt` is written after the object
 * confirms a sale), and when it refuses D1 is left as it was. A retry after a failed D1 write
 * converges, because re-pricing to the same tiers changes nothing. Throws 409
 * `locked_after_sales` after a sale, 422 `unprocessable` for tiers that do not fit the layout (or
 * that would leave seats of a published event without a price).
 */
export async function replaceTiers(
  db: Db,
  ns: Env["EVENT_INVENTORY"],
  event: EventRow,
  tiers: TierEdit[],
  now = Date.now(),
): Promise<void> {
  // Tickets already sold carry their price; changing tiers afterwards would make refunds and reports lie.
  if (event.firstSaleAt != null) throw new AppError(TIERS_LOCKED.code, TIERS_LOCKED.reason);
  const layout = event.layoutSnapshot as Layout;
  const problems = tierProblems(event, layout, tiers);
  if (problems.length > 0)
    throw new AppError("unprocessable", `${problems.length} problem(s) in the price tiers: ${problems[0]!.message}`, {
      extra: { errors: problems },
    });
  if (isPublished(event)) {
    const r = await inventoryStub(ns, event.id).reprice({
      layout,
      tiers: tiers.map((t) => ({ key: t.key, amount: t.amount, appliesTo: t.appliesTo })),
    });
    if (!r.ok && r.code === "in_use") throw new AppError("locked_after_sales", r.detail);
    if (!r.ok) throw inventoryError(r, "Event inventory");
  }
  const rows = tiers.map((t, i) => ({
    id: newId("tier"),
    eventId: event.id,
    key: t.key,
    name: t.name,
    amount: t.amount,
    currency: event.currency,
    appliesTo: t.appliesTo,
    sort: i,
    createdAt: now,
    updatedAt: now,
  }));
  // One batch so readers never see a half-replaced set of tiers.
  const del = db.delete(priceTiers).where(eq(priceTiers.eventId, event.id));
  if (rows.length > 0) await db.batch([del, ...rows.map((r) => db.insert(priceTiers).values(r))]);
  else await del;
}

/** Everything wrong with `tiers` for this event, with paths into the request body. */
function tierProblems(event: EventRow, layout: Layout, tiers: TierEdit[]): FieldError[] {
  const problems = tierReferenceProblems(layout, tiers);
  tiers.forEach((t, i) => {
    // A tier whose references name nothing in the layout already has its problems listed.
    const badRefs = problems.some((p) => p.path.startsWith(`tiers.${i}.appliesTo.`));
    if (!badRefs && !tierCoversSomething(layout, t.appliesTo))
      problems.push({
        path: `tiers.${i}.appliesTo`,
        code: "empty_tier",
        message: `tier "${t.name}" (${t.key}) covers no seat or area`,
      });
    if (t.currency !== undefined && t.currency !== event.currency)
      problems.push({
        path: `tiers.${i}.currency`,
        code: "currency_mismatch",
        message: `the event is priced in ${event.currency}`,
      });
  });
  // Publication refuses unpriced seats; once on sale, an unpriced seat would be held for nothing.
  if (isPublished(event)) {
    const { unpricedSeats, unpricedAreas } = resolveSeatTiers(layout, tiers);
    for (const [code, what, ids] of [
      ["unpriced_seats", "seat", unpricedSeats],
      ["unpriced_areas", "area", unpricedAreas],
    ] as const) {
      if (ids.length > 0)
        problems.push({
          path: "tiers",
          code,
          message: `${ids.length} ${what}(s) would have no price: ${ids.slice(0, 20).join(", ")}`,
        });
    }
  }
  return problems;
}
