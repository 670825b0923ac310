import type { LineSql, OrderSql, PaymentSql, TicketSql } from "./order-rows";

/**
 * What is known of one order's rows, exactly as SQLite holds them. An absent field is not known
 * (read it from SQLite); a list, when known, is every row of that order, in the order its query
 * returns them.
 */
export type KnownOrder = { order?: OrderSql; lines?: LineSql[]; payments?: PaymentSql[]; tickets?: TicketSql[] };

type Row = Record<string, SqlStorageValue>;
type ListTable = "order_lines" | "payments" | "tickets";
type ListField = "lines" | "payments" | "tickets";
const FIELD: Record<ListTable, ListField> = { order_lines: "lines", payments: "payments", tickets: "tickets" };

/**
 * SQLite's BINARY collation on UTF-8 text is code point order; JavaScript compares UTF-16 units,
 * which differ only around surrogates. The fix-up is the usual one (as in ICU).
 */
export function codePointCompare(a: string, b: string): number {
  const n = Math.min(a.length, b.length);
  for (let i = 0; i < n; i++) {
    let x = a.charCodeAt(i);
    let y = b.charCodeAt(i);
    if (x === y) continue;
    if (x >= 0xd800 && y >= 0xd800) {
      x += x >= 0xe000 ? -0x800 : 0x2000;
      y += y >= 0xe000 ? -0x800 : 0x2000;
    }
    return x - y;
  }
  return a.length - b.length;
}

/** Each list in its query's order: lines by id, payments by seq, tickets by place. */
const ORDER: { [F in ListField]: (a: Row, b: Row) => number } = {
  lines: (a, b) => codePointCompare(String(a.id), String(b.id)),
  payments: (a, b) => Number(a.seq) - Number(b.seq),
  tickets: (a, b) => codePointCompare(String(a.place), String(b.place)) || codePointCompare(String(a.id), String(b.id)),
};

/**
 * The purchase rows of recently written or read orders, kept in memory by the order book so the
 * purchase path reads each order's rows from SQLite at most once: checkout writes them, the
 * payment's webhook and the fan's order page read them back. Every write of these tables goes
 * through the book, which applies each stored row here, so an entry is always what SQLite holds.
 * Entries changed inside a transaction are dropped if it rolls back. Bounded: the least recently
 * used order goes first.
 */
export class OrderCache {
  private readonly known = new Map<string, KnownOrder>();
  /** Lookups by other keys, to an order id; checked against the entry on use, so a stale one only misses. */
  private readonly byKey = {
    ref: new Map<string, string>(),
    key: new Map<string, string>(),
    payment: new Map<string, string>(),
  };
  /** Orders whose entry was made or changed in the running transaction. */
  private readonly dirty = new Set<string>();

  constructor(private readonly max = 2_000) {}

  /** The entry of an order (most recently used now), or undefined. */
  get(orderId: string): KnownOrder | undefined {
    const k = this.known.get(orderId);
    if (k) {
      this.known.delete(orderId);
      this.known.set(orderId, k);
    }
    return k;
  }

  /** The order a charge's provider reference, idempotency key or payment id belongs to, if cached. */
  orderOf(by: keyof OrderCache["byKey"], value: string): string | undefined {
    return this.byKey[by].get(value);
  }

  /** Records rows just read from SQLite for an order (a field at a time). */
  learn<F extends keyof KnownOrder>(orderId: string, field: F, value: NonNullable<KnownOrder[F]>): void {
    const k = this.entry(orderId);
    k[field] = value;
    if (field === "payments") for (const p of value as PaymentSql[]) this.index(p);
  }

  /** A new order was inserted: it has no lines, payments or tickets yet. */
  created(order: OrderSql): void {
    const k = this.entry(order.id);
    k.order = order;
    k.lines ??= [];
    k.payments ??= [];
    k.tickets ??= [];
  }

  /** A row of an order was stored (inserted or updated) as `row`. */
  stored(table: "orders" | ListTable, row: Row): void {
    if (table === "orders") {
      const k = this.known.get(String(row.id));
      if (k) {
        k.order = row as OrderSql;
        this.dirty.add(String(row.id));
      }
      return;
    }
    const orderId = String(row.order_id);
    const k = this.known.get(orderId);
    const field = FIELD[table];
    const list = k?.[field] as Row[] | undefined;
    if (!list) return;
    this.dirty.add(orderId);
    const at = list.findIndex((r) => r.id === row.id);
    if (at >= 0) list.splice(at, 1);
    const compare = ORDER[field];
    let i = list.length;
    while (i > 0 && compare(list[i - 1]!, row) > 0) i--;
    list.splice(i, 0, row);
    if (table === "payments") this.index(row as PaymentSql);
  }

  /** The transaction committed: what it changed stays. */
  committed(): void {
    this.dirty.clear();
  }

  /** The transaction rolled back: forget every entry it made or changed. */
  rolledBack(): void {
    for (const id of this.dirty) this.known.delete(id);
    this.dirty.clear();
  }

  private entry(orderId: string): KnownOrder {
    let k = this.get(orderId);
    if (!k) {
      if (this.known.size >= this.max) {
        const oldest = this.known.keys().next().value;
        if (oldest !== undefined) this.known.delete(oldest);
      }
      k = {};
      this.known.set(orderId, k);
    }
    this.dirty.add(orderId);
    return k;
  }

  private index(p: PaymentSql): void {
    const maps = this.byKey;
    if (maps.payment.size >= this.max * 8) for (const m of Object.values(maps)) m.clear();
    maps.payment.set(p.id, p.order_id);
    maps.key.set(p.idempotency_key, p.order_id);
    if (p.provider_ref) maps.ref.set(p.provider_ref, p.order_id);
  }
}
