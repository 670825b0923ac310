import { env } from "cloudflare:workers";
import type { Layout } from "../../src/domain/layout";
import type { InventoryConfigInput, InventoryTier } from "../../src/objects/inventory-types";

/** A grid layout: sections × rows × seats, seat ids "S-R-N" (section, row letter, number). */
export function gridLayout(
  sections = 1,
  rows = 5,
  perRow = 10,
  areas: { id: string; capacity: number }[] = [],
): Layout {
  return {
    sections: Array.from({ length: sections }, (_, s) => ({
      id: `S${s + 1}`,
      name: `Section ${s + 1}`,
      rows: Array.from({ length: rows }, (_, r) => ({
        label: String.fromCharCode(65 + r),
        seats: Array.from({ length: perRow }, (_, n) => ({
          id: `S${s + 1}-${String.fromCharCode(65 + r)}-${n + 1}`,
          label: String(n + 1),
          x: n,
          y: r,
          ...(n === 0 ? { accessible: true } : {}),
        })),
      })),
    })),
    areas: areas.map((a) => ({ id: a.id, name: a.id, capacity: a.capacity })),
  };
}

export const TIERS: InventoryTier[] = [
  { key: "std", name: "Standard", amount: 5000, currency: "EUR", appliesTo: { sections: ["S1", "S2"], areas: ["GA"] } },
  { key: "vip", name: "VIP", amount: 9000, currency: "EUR", appliesTo: { rows: [{ section: "S1", row: "A" }] } },
];

export const CONFIG: InventoryConfigInput = {
  holdSeconds: 300,
  maxSeatsPerOrder: 10,
  maxSeatsPerUser: null,
  currency: "EUR",
};

export async function freshInventory(opts: { layout?: Layout; config?: Partial<InventoryConfigInput> } = {}) {
  const stub = env.EVENT_INVENTORY.getByName(crypto.randomUUID());
  const res = await stub.initialize({
    eventId: "evt_1",
    layout: opts.layout ?? gridLayout(1, 5, 10, [{ id: "GA", capacity: 50 }]),
    tiers: TIERS,
    config: { ...CONFIG, ...opts.config },
  });
  if (!res.ok) throw new Error(`initialize failed: ${res.code}`);
  return stub;
}
