import type { InventoryCounts } from "../objects/inventory-types";
import type { MetricFamily, Sample } from "./prometheus";

/** The scrape looks at no more on-sale events than this (soonest first): one inventory RPC each. */
export const MAX_SCRAPED_EVENTS = 50;

type OnSale = { id: string; name: string; region: string | null };
type Row = Record<string, string | number | null>;

const num = (v: unknown) => (typeof v === "number" ? v : Number(v ?? 0));

/** D1 facts behind the gauges: a handful of aggregate queries in one batch (one round trip). */
async function d1Facts(db: D1Database, now: number) {
  const q = (sql: string, ...args: unknown[]) => db.prepare(sql).bind(...args);
  const results = await db.batch<Row>([
    q(
      `SELECT e.id, e.name, v.region FROM events e JOIN venues v ON v.id = e.venue_id
       WHERE e.status = 'on_sale' AND (e.sales_end_at IS NULL OR e.sales_end_at > ?)
       ORDER BY e.starts_at, e.id LIMIT ?`,
      now,
      MAX_SCRAPED_EVENTS,
    ),
    // Revenue: what was captured minus what was refunded, per event and currency (minor units).
    q(`SELECT event_id, currency, SUM(amount - refunded_amount) AS revenue, COUNT(*) AS orders
       FROM orders WHERE paid_at IS NOT NULL GROUP BY event_id, currency`),
    q(
      `SELECT status, COUNT(*) AS n, COALESCE(SUM(amount), 0) AS amount FROM orders
       WHERE status = 'pending_payment' GROUP BY status`,
    ),
    q(`SELECT status, COUNT(*) AS n FROM notifications GROUP BY status`),
    q(`SELECT queue, COUNT(*) AS n FROM outbox GROUP BY queue`),
    q(`SELECT
         (SELECT COUNT(*) FROM payments WHERE status = 'failed' AND last_error LIKE 'dead-lettered%') AS payments,
         (SELECT COUNT(*) FROM notifications WHERE status = 'failed' AND last_error LIKE 'dead-lettered%')
           AS notifications`),
  ]);
  const [events, revenue, pending, notifications, outbox, dead] = results.map((r) => r.results);
  return {
    events: events as unknown as OnSale[],
    revenue: revenue!,
    pending: pending!,
    notifications: notifications!,
    outbox: outbox!,
    dead: dead![0] ?? {},
  };
}

/** Seats, GA places and holds of one on-sale event, as gauge samples; a failed RPC is reported, not thrown. */
function eventSamples(e: OnSale, inv: InventoryCounts | null) {
  const labels = { event_id: e.id };
  const seats: Sample[] = [];
  const places: Sample[] = [];
  if (!inv) return { seats, places, up: { labels, value: 0 } };
  const total = { available: 0, held: 0, sold: 0, blocked: 0 };
  for (const t of Object.values(inv.tiers))
    for (const k of Object.keys(total) as (keyof typeof total)[]) total[k] += t[k];
  for (const [state, value] of Object.entries(total)) seats.push({ labels: { ...labels, state }, value });
  const ga = { available: 0, held: 0, sold: 0 };
  for (const a of inv.areas) {
    ga.available += a.remaining;
    ga.held += a.held;
    ga.sold += a.sold;
  }
  for (const [state, value] of Object.entries(ga)) places.push({ labels: { ...labels, state }, value });
  return { seats, places, up: { labels, value: 1 } };
}

/**
 * Every business gauge, computed from the system's state at scrape time: D1 aggregates plus one
 * `inventory()` RPC per on-sale event (bounded by MAX_SCRAPED_EVENTS, in parallel).
 */
export async function businessGauges(
  env: Pick<Env, "DB" | "EVENT_INVENTORY">,
  now = Date.now(),
): Promise<MetricFamily[]> {
  const facts = await d1Facts(env.DB, now);
  const inventories = await Promise.all(
    facts.events.map((e) =>
      env.EVENT_INVENTORY.getByName(e.id)
        .inventory()
        .then(
          (r) => r as InventoryCounts,
          () => null,
        ),
    ),
  );
  const perEvent = facts.events.map((e, i) => eventSamples(e, inventories[i] ?? null));
  const onSale = new Set(facts.events.map((e) => e.id));

  const revenueOnSale: Sample[] = [];
  const revenueTotal = new Map<string, number>();
  for (const r of facts.revenue) {
    const currency = String(r.currency);
    revenueTotal.set(currency, (revenueTotal.get(currency) ?? 0) + num(r.revenue));
    if (onSale.has(String(r.event_id)))
      revenueOnSale.push({ labels: { event_id: String(r.event_id), currency }, value: num(r.revenue) });
  }
  const pending = facts.pending[0];
  const byStatus = new Map(facts.notifications.map((r) => [String(r.status), num(r.n)]));

  return [
    {
      name: "edge_tickets_on_sale_events",
      type: "gauge",
      help: `Events on sale now (at most ${MAX_SCRAPED_EVENTS} are scraped)`,
      samples: [{ value: facts.events.length }],
    },
    {
      name: "edge_tickets_event_info",
      type: "gauge",
      help: "Always 1: names an on-sale event and its venue region",
      samples: facts.events.map((e) => ({
        labels: { event_id: e.id, name: e.name, region: e.region ?? "" },
        value: 1,
      })),
    },
    {
      name: "edge_tickets_event_inventory_up",
      type: "gauge",
      help: "1 when the event's inventory object answered this scrape",
      samples: perEvent.map((p) => p.up),
    },
    {
      name: "edge_tickets_event_seats",
      type: "gauge",
      help: "Reserved seats of an on-sale event by state (available, held, sold, blocked)",
      samples: perEvent.flatMap((p) => p.seats),
    },
    {
      name: "edge_tickets_event_ga_places",
      type: "gauge",
      help: "General admission places of an on-sale event by state (available, held, sold)",
      samples: perEvent.flatMap((p) => p.places),
    },
    {
      name: "edge_tickets_event_revenue_minor",
      type: "gauge",
      help: "Captured minus refunded, in minor units, per on-sale event",
      samples: revenueOnSale,
    },
    {
      name: "edge_tickets_revenue_minor",
      type: "gauge",
      help: "Captured minus refunded, in minor units, over all events, per currency",
      samples: [...revenueTotal].map(([currency, value]) => ({ labels: { currency }, value })),
    },
    {
      name: "edge_tickets_pending_payments",
      type: "gauge",
      help: "Orders waiting for their payment",
      samples: [{ value: num(pending?.n) }],
    },
    {
      name: "edge_tickets_pending_payments_minor",
      type: "gauge",
      help: "Amount of orders waiting for their payment, minor units (all currencies)",
      samples: [{ value: num(pending?.amount) }],
    },
    {
      name: "edge_tickets_notifications",
      type: "gauge",
      help: "Notifications by status (pending and sending are the backlog; failed need an operator)",
      samples: ["pending", "sending", "sent", "failed"].map((status) => ({
        labels: { status },
        value: byStatus.get(status) ?? 0,
      })),
    },
    {
      name: "edge_tickets_outbox_backlog",
      type: "gauge",
      help: "D1 outbox rows not yet shipped to their queue",
      samples: ["payments", "notifications", "audit"].map((queue) => ({
        labels: { queue },
        value: num(facts.outbox.find((r) => r.queue === queue)?.n),
      })),
    },
    {
      name: "edge_tickets_dead_letters",
      type: "gauge",
      help: "Messages that exhausted their retries and were recorded by the dead-letter consumer",
      samples: [
        { labels: { queue: "payments" }, value: num(facts.dead.payments) },
        { labels: { queue: "notifications" }, value: num(facts.dead.notifications) },
      ],
    },
  ];
}
