import { eq } from "drizzle-orm";
import type { Db } from "../db/client";
import { getVenue } from "../db/queries/catalog";
import { events, type EventRow, type PriceTierRow } from "../db/schema";
import type { EventStatus } from "../db/schema/constants";
import { AppError } from "../errors";
import type { Layout } from "./layout";
import { resolveSeatTiers } from "./pricing";
import { inventoryError } from "./inventory-errors";
import type { InitializeResult, InventoryConfigInput } from "../objects/inventory-types";

/** The event's inventory object, placed near its venue. */
export function inventoryStub(ns: Env["EVENT_INVENTORY"], eventId: string, region?: DurableObjectLocationHint) {
  return ns.getByName(eventId, region ? { locationHint: region } : undefined);
}

/** The only moves an event may make; cancelling is allowed from anything not yet finished. */
const NEXT: Record<EventStatus, EventStatus[]> = {
  draft: ["published", "cancelled"],
  published: ["on_sale", "cancelled"],
  on_sale: ["closed", "cancelled"],
  closed: [],
  cancelled: [],
};

/** Throws 409 `invalid_transition` unless `from → to` is an allowed move. */
export function assertTransition(from: EventStatus, to: EventStatus): void {
  if (!NEXT[from].includes(to)) {
    throw new AppError("invalid_transition", `An event cannot go from ${from} to ${to}`, {
      extra: { from, to, allowed: NEXT[from] },
    });
  }
}

/** The first few ids, for a message a person reads (the full list is in the problem's fields). */
const listed = (ids: string[], n = 10) => ids.slice(0, n).join(", ") + (ids.length > n ? ", …" : "");

export type PublishProblem = { code: string; message: string; seats?: string[]; areas?: string[]; count?: number };

/** Everything that stops an event from being published; empty when it may go live. */
export function publishProblems(event: EventRow, tiers: PriceTierRow[]): PublishProblem[] {
  const problems: PublishProblem[] = [];
  if (event.endsAt <= event.startsAt)
    problems.push({ code: "ends_before_start", message: "the event must end after it starts" });
  if (event.salesStartAt != null && event.salesEndAt != null && event.salesEndAt <= event.salesStartAt) {
    problems.push({ code: "sales_end_before_start", message: "sales must end after they start" });
  }
  if (tiers.length === 0) problems.push({ code: "no_tiers", message: "the event has no price tiers" });
  const { unpricedSeats, unpricedAreas } = resolveSeatTiers(event.layoutSnapshot as Layout, tiers);
  if (unpricedSeats.length > 0) {
    problems.push({
      code: "unpriced_seats",
      message: `${unpricedSeats.length} seat(s) have no price: ${listed(unpricedSeats)}`,
      seats: unpricedSeats.slice(0, 50),
      count: unpricedSeats.length,
    });
  }
  if (unpricedAreas.length > 0) {
    problems.push({
      code: "unpriced_areas",
      message: `${unpricedAreas.length} area(s) have no price: ${listed(unpricedAreas)}`,
      areas: unpricedAreas.slice(0, 50),
      count: unpricedAreas.length,
    });
  }
  return problems;
}

/**
 * Moves a draft event to published after checking every seat and area is priced. This is the
 * single place publication happens, so inventory set-up (a Durable Object) can be hooked in here.
 */
export async function publishEvent(
  db: Db,
  ns: Env["EVENT_INVENTORY"],
  event: EventRow,
  tiers: PriceTierRow[],
  now = Date.now(),
): Promise<EventRow> {
  assertTransition(event.status, "published");
  const problems = publishProblems(event, tiers);
  if (problems.length > 0)
    throw new AppError(
      "publish_refused",
      `${problems.length} problem(s) stop publication: ${problems.map((p) => p.message).join("; ")}`,
      { extra: { problems } },
    );
  const [row] = await db
    .update(events)
    .set({ status: "published", publishedAt: now, updatedAt: now })
    .where(eq(events.id, event.id))
    .returning();
  const init = await loadInventory(db, ns, row!, tiers);
  if (!init.ok) {
    // Put the event back so publication can be retried once the inventory is free.
    await db
      .update(events)
      .set({ status: event.status, publishedAt: event.publishedAt, updatedAt: event.updatedAt })
      .where(eq(events.id, event.id));
    throw inventoryError(init);
  }
  return row!;
}

/**
 * Loads the event's layout snapshot, prices and settings into its inventory object: at
 * publication, and again when a published event's layout is swapped before anything is held or
 * sold (the object refuses with `in_use` otherwise, so what the page shows is what a hold takes).
 */
export async function loadInventory(
  db: Db,
  ns: Env["EVENT_INVENTORY"],
  event: EventRow,
  tiers: PriceTierRow[],
): Promise<InitializeResult> {
  const venue = await getVenue(db, event.venueId);
  const stub = inventoryStub(ns, event.id, venue?.region as DurableObjectLocationHint | undefined);
  return stub.initialize({
    eventId: event.id,
    layout: event.layoutSnapshot as Layout,
    tiers: tiers.map((t) => ({
      key: t.key,
      name: t.name,
      amount: t.amount,
      currency: t.currency,
      appliesTo: t.appliesTo as never,
    })),
    config: inventoryConfig(event),
  });
}

/** What the inventory object must know of its event to take holds without reading D1. */
export function inventoryConfig(event: EventRow): InventoryConfigInput {
  return {
    holdSeconds: event.holdSeconds,
    maxSeatsPerOrder: event.maxSeatsPerOrder,
    maxSeatsPerUser: event.maxSeatsPerUser,
    currency: event.currency,
    sale: {
      status: event.status,
      salesStartAt: event.salesStartAt,
      salesEndAt: event.salesEndAt,
      endsAt: event.endsAt,
      queueEnabled: event.queueEnabled,
    },
  };
}

/** After an organizer edits a published event, the object takes the new hold time and limits. */
export async function syncInventoryConfig(ns: Env["EVENT_INVENTORY"], event: EventRow): Promise<void> {
  await inventoryStub(ns, event.id).configure(inventoryConfig(event));
}

/**
 * Applies a status change other than publication (on_sale, closed, cancelled), in D1 and then in
 * the inventory object, which decides on its own whether a hold may happen.
 */
export async function changeEventStatus(
  db: Db,
  event: EventRow,
  to: EventStatus,
  now = Date.now(),
  ns?: Env["EVENT_INVENTORY"],
): Promise<EventRow> {
  assertTransition(event.status, to);
  const patch: Partial<EventRow> = { status: to, updatedAt: now };
  if (to === "cancelled") patch.cancelledAt = now;
  const [row] = await db.update(events).set(patch).where(eq(events.id, event.id)).returning();
  if (ns && row!.publishedAt != null) await syncInventoryConfig(ns, row!);
  return row!;
}
