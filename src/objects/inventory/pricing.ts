import type { Layout } from "../../domain/layout";
import { resolveSeatTiers } from "../../domain/pricing";
import type { RepriceResult, RepriceTier } from "../inventory-types";

/** Bound parameters per statement stay at or under this (as in the object). */
const MAX_PARAMS = 100;

/**
 * Gives every seat and GA area the tier and price that `tiers` assign them over `layout` (no tier:
 * tier NULL and price 0, as at publish) and re-prices every `active` hold from its seats or area,
 * so what a hold shows is what checkout charges. Run inside the caller's transaction; writes only
 * rows whose values change, so a repeat is a no-op.
 *
 * Refuses with `in_use` once anything has sold: a sold ticket carries its price into refunds and
 * reports. Holds in `checking_out` keep their amount, because their order and PaymentIntent were
 * created with it. Prices are not seat states, so nothing is written to the change log.
 */
export function repriceInventory(sql: SqlStorage, layout: Layout, tiers: RepriceTier[]): RepriceResult {
  // A confirmed hold is a sale even when a refund has since given its seats back.
  const sold =
    sql.exec(`SELECT 1 FROM seats WHERE status = 'sold' LIMIT 1`).toArray().length > 0 ||
    sql.exec(`SELECT 1 FROM areas WHERE sold > 0 LIMIT 1`).toArray().length > 0 ||
    sql.exec(`SELECT 1 FROM holds WHERE status = 'confirmed' LIMIT 1`).toArray().length > 0;
  if (sold) return { ok: false, code: "in_use", detail: "tickets have been sold; prices are locked" };

  const res = resolveSeatTiers(layout, tiers);
  const amount = new Map(tiers.map((t) => [t.key, t.amount]));
  const target = (tier: string | undefined) => ({ tier: tier ?? null, price: tier ? (amount.get(tier) ?? 0) : 0 });

  // Seats that change, grouped by their new (tier, price) so a 20,000-seat edit is a few hundred statements.
  const groups = new Map<string, { tier: string | null; price: number; ids: string[] }>();
  let unpriced = 0;
  let seats = 0;
  for (const s of sql.exec<{ id: string; tier: string | null; price: number }>(`SELECT id, tier, price FROM seats`)) {
    const t = target(res.seatTier.get(s.id));
    if (t.tier == null) unpriced++;
    if (t.tier === s.tier && t.price === s.price) continue;
    seats++;
    const key = `${t.tier ?? ""}\u0000${t.price}`;
    let g = groups.get(key);
    if (!g) {
      g = { ...t, ids: [] };
      groups.set(key, g);
    }
    g.ids.push(s.id);
  }
  for (const g of groups.values()) {
    for (let i = 0; i < g.ids.length; i += MAX_PARAMS - 2) {
      const part = g.ids.slice(i, i + MAX_PARAMS - 2);
      sql.exec(
        `UPDATE seats SET tier = ?, price = ? WHERE id IN (${part.map(() => "?").join(",")})`,
        g.tier,
        g.price,
        ...part,
      );
    }
  }

  let areas = 0;
  for (const a of sql.exec<{ id: string; tier: string | null; price: number }>(`SELECT id, tier, price FROM areas`)) {
    const t = target(res.areaTier.get(a.id));
    if (t.tier == null) unpriced++;
    if (t.tier === a.tier && t.price === a.price) continue;
    areas++;
    sql.exec(`UPDATE areas SET tier = ?, price = ? WHERE id = ?`, t.tier, t.price, a.id);
  }

  // Same sums as `hold` makes: the seats' prices, or the area's price times the quantity.
  const stale = sql
    .exec<{ id: string; amount: number }>(
      `SELECT id, amount FROM (
         SELECT h.id, CASE h.kind
           WHEN 'area' THEN h.quantity * COALESCE((SELECT a.price FROM areas a WHERE a.id = h.area_id), 0)
           ELSE COALESCE((SELECT SUM(s.price) FROM json_each(h.seat_ids) j JOIN seats s ON s.id = j.value), 0)
         END AS amount, h.amount AS old
         FROM holds h WHERE h.status = 'active')
       WHERE amount <> old`,
    )
    .toArray();
  for (const h of stale) sql.exec(`UPDATE holds SET amount = ? WHERE id = ?`, h.amount, h.id);

  return { ok: true, seats, areas, holds: stale.length, unpriced };
}
