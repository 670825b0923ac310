import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { until } from "./wait";

type Versioned = { table: "orders" | "payments" | "tickets"; id: string; version: number };

/**
 * Where D1 (the ledger) still differs from the event's object: rows the object has at a version
 * D1 has not reached, and ledger messages not yet shipped. Empty once the ledger has caught up.
 */
export async function ledgerLag(eventId: string): Promise<string[]> {
  const object = await runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), (_i, state) => {
    const sql = state.storage.sql;
    const rows: Versioned[] = [];
    for (const table of ["orders", "payments", "tickets"] as const)
      for (const r of sql.exec<{ id: string; version: number }>(`SELECT id, version FROM ${table}`))
        rows.push({ table, id: r.id, version: r.version });
    const unshipped = sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM outbox WHERE queue = 'ledger'`).one().n;
    return { rows, unshipped };
  });
  const out: string[] = object.unshipped ? [`${object.unshipped} ledger message(s) unshipped`] : [];
  for (const table of ["orders", "payments", "tickets"] as const) {
    const mine = object.rows.filter((r) => r.table === table);
    if (!mine.length) continue;
    const d1 = new Map<string, number>();
    for (let i = 0; i < mine.length; i += 90) {
      const part = mine.slice(i, i + 90);
      const { results } = await env.DB.prepare(
        `SELECT id, version FROM ${table} WHERE id IN (${part.map(() => "?").join(",")})`,
      )
        .bind(...part.map((r) => r.id))
        .all<{ id: string; version: number }>();
      for (const r of results) d1.set(r.id, r.version);
    }
    for (const r of mine) {
      const v = d1.get(r.id);
      if (v !== r.version) out.push(`${table} ${r.id}: object v${r.version}, D1 ${v == null ? "missing" : `v${v}`}`);
    }
  }
  return out;
}

/** Waits (bounded) until D1 holds every row of the event's object at the object's version. */
export async function ledgerCaughtUp(eventId: string, ms = 10_000): Promise<void> {
  const lag = await until(
    () => ledgerLag(eventId),
    (l) => l.length === 0,
    ms,
  );
  if (lag.length) throw new Error(`the ledger did not catch up with ${eventId}: ${lag.slice(0, 5).join("; ")}`);
}

/** `ledgerCaughtUp` for the event an order id carries. */
export const orderLedgerCaughtUp = (orderId: string, ms?: number) => ledgerCaughtUp(orderId.split("~")[0]!, ms);
