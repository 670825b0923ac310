import type { NotificationMessage } from "../../queues/notification-messages";
import type { LedgerMessage } from "../../queues/ledger-messages";
import { type KnownOrder, OrderCache } from "./order-cache";
import { MAX_PARAMS, chunks } from "./rows";
import {
  type LineSql,
  type OrderDetail,
  type OrderSql,
  type PaymentSql,
  type TicketSql,
  lineOut,
  orderOut,
  paymentOut,
  ticketOut,
} from "./order-rows";

type Table = "orders" | "payments" | "tickets";
/** Orders per ledger message: keeps a message far below the queue's size limit. */
const ORDERS_PER_MESSAGE = 10;

/**
 * The purchase rows (orders, lines, payments, tickets) and their trip to the ledger. Modules
 * read and write them here, synchronously, inside the store's transaction; every row a
 * transaction touches is shipped to D1 at its end as `ledger` messages, with its version bumped,
 * so the ledger applies each change once and never moves a row backwards.
 */
export class OrderBook {
  /** Every row this transaction wrote, as its write returned it (so the ledger needs no read). */
  private readonly touched: Record<Table | "order_lines", Map<string, Record<string, SqlStorageValue>>> = {
    orders: new Map(),
    payments: new Map(),
    tickets: new Map(),
    order_lines: new Map(),
  };
  private notices: NotificationMessage[] = [];
  /** The last sequence number handed out (undefined: read it again). */
  private seq: number | undefined;
  /** The transaction took sequence numbers: the last one is written at its end. */
  private seqTaken = false;

  /** Bumped by every write of a purchase row: equal numbers mean nothing here changed in between. */
  generation = 0;
  /** Per order, the generation of the last write of one of its rows (the order, a line, a payment, a ticket). */
  private readonly lastWrite = new Map<string, number>();
  /** Writes before this generation were forgotten (the map is bounded): older reads count as changed. */
  private forgotBefore = 0;

  /** Recent orders' rows in memory: the purchase path reads each order from SQLite at most once. */
  private readonly cache = new OrderCache();

  /**
   * `verify`: every read the cache answers is also run on SQLite and must agree (the test suite
   * turns it on, so every test checks the cache; never in production).
   */
  constructor(
    private readonly sql: SqlStorage,
    public verify = false,
  ) {}

  /** A cached answer, checked against SQLite in verify mode; copies, so no caller can change the cache. */
  private served<T extends object>(cached: T, query: () => T): T {
    if (this.verify) {
      const fresh = query();
      if (JSON.stringify(fresh) !== JSON.stringify(cached)) {
        throw new Error(`order cache diverged from SQLite: ${JSON.stringify(cached)} != ${JSON.stringify(fresh)}`);
      }
    }
    return (Array.isArray(cached) ? cached.map((r) => ({ ...r })) : { ...cached }) as T;
  }

  /** One row: the cached one when there is one (checked in verify mode), else SQLite's. */
  private servedRow<T extends object>(cached: T | undefined, query: () => T | undefined): T | undefined {
    return cached ? this.served(cached, () => query() ?? ({} as T)) : query();
  }

  /** One of an order's lists: from the cache when known, else read and remembered. */
  private list<F extends "lines" | "payments" | "tickets">(
    orderId: string,
    field: F,
    query: () => NonNullable<KnownOrder[F]>,
  ): NonNullable<KnownOrder[F]> {
    const known = this.cache.get(orderId)?.[field];
    if (known) return this.served(known as NonNullable<KnownOrder[F]>, query);
    const rows = query();
    this.cache.learn(orderId, field, rows);
    return rows.map((r) => ({ ...r })) as NonNullable<KnownOrder[F]>;
  }

  /** A charge found through the cache's index, when its cached row still matches. */
  private cachedCharge(
    by: "ref" | "key" | "payment",
    value: string,
    match: (p: PaymentSql) => boolean,
  ): PaymentSql | undefined {
    const orderId = this.cache.orderOf(by, value);
    const payments = orderId ? this.cache.get(orderId)?.payments : undefined;
    return payments?.find(match);
  }

  /** A strictly increasing number for creation order (timestamps can tie); stored when the transaction ends. */
  nextSeq(): number {
    this.seq ??= this.sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'seq'`).one().value;
    this.seq += 1;
    this.seqTaken = true;
    return this.seq;
  }

  order(id: string): OrderSql | undefined {
    const query = () => this.sql.exec<OrderSql>(`SELECT * FROM orders WHERE id = ?`, id).toArray()[0];
    const known = this.cache.get(id)?.order;
    if (known) return this.servedRow(known, query);
    const row = query();
    if (row) this.cache.learn(id, "order", row);
    return row && { ...row };
  }

  /**
   * The order a hold belongs to, from the hold's own row rather than a search of orders:
   * `holds.order_id` is set in the transaction that points an order's `hold_id` at the hold, and
   * never changes, so it is the order named there while that order still points back (one paid
   * again has moved to a new hold). Verify mode runs the search too, and the two must agree.
   */
  orderOfHold(h: { id: string; order_id: string | null }): OrderSql | undefined {
    const named = h.order_id ? this.order(h.order_id) : undefined;
    const found = named?.hold_id === h.id ? named : undefined;
    if (this.verify) {
      const row = this.sql.exec<{ id: string }>(`SELECT id FROM orders WHERE hold_id = ?`, h.id).toArray()[0];
      if (row?.id !== found?.id) throw new Error(`order of hold ${h.id}: ${found?.id} here, ${row?.id} in SQLite`);
    }
    return found;
  }

  lines(orderId: string): LineSql[] {
    return this.list(orderId, "lines", () =>
      this.sql.exec<LineSql>(`SELECT * FROM order_lines WHERE order_id = ? ORDER BY id`, orderId).toArray(),
    );
  }

  payment(id: string): PaymentSql | undefined {
    const cached = this.cachedCharge("payment", id, (p) => p.id === id);
    const query = () => this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE id = ?`, id).toArray()[0];
    return this.servedRow(cached, query);
  }

  payments(orderId: string): PaymentSql[] {
    return this.list(orderId, "payments", () =>
      this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE order_id = ? ORDER BY seq`, orderId).toArray(),
    );
  }

  /** The charge row whose provider reference is this intent. */
  chargeByRef(ref: string): PaymentSql | undefined {
    const cached = this.cachedCharge("ref", ref, (p) => p.provider_ref === ref && p.kind === "charge");
    const query = () =>
      this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE provider_ref = ? AND kind = 'charge'`, ref).toArray()[0];
    return this.servedRow(cached, query);
  }

  /** The charge of an attempt, by the provider idempotency key the attempt was given. */
  chargeByKey(key: string): PaymentSql | undefined {
    const cached = this.cachedCharge("key", key, (p) => p.idempotency_key === key);
    const query = () => this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE idempotency_key = ?`, key).toArray()[0];
    return this.servedRow(cached, query);
  }

  /** The order's latest charge row (its current attempt once one was opened). */
  currentCharge(orderId: string): PaymentSql | undefined {
    return this.payments(orderId).findLast((p) => p.kind === "charge");
  }

  tickets(orderId: string): TicketSql[] {
    return this.list(orderId, "tickets", () =>
      this.sql.exec<TicketSql>(`SELECT * FROM tickets WHERE order_id = ? ORDER BY place, id`, orderId).toArray(),
    );
  }

  ticket(id: string): TicketSql | undefined {
    return this.sql.exec<TicketSql>(`SELECT * FROM tickets WHERE id = ?`, id).toArray()[0];
  }

  /**
   * Inserts one row; `row` keys are column names. Versioned rows start at version 1. The row as
   * stored is kept for the ledger.
   */
  insert(table: Table | "order_lines", row: Record<string, string | number | null>): Record<string, SqlStorageValue> {
    return this.write(table, [row], "")[0]!;
  }

  /**
   * Inserts rows of one table, several to a statement (each statement costs the object's thread
   * about as much as the rows it carries); every row must have the same columns.
   */
  insertAll(table: Table | "order_lines", rows: Record<string, string | number | null>[]): void {
    this.write(table, rows, "");
  }

  /** Inserts each row unless its id exists (only the rows it inserted go to the ledger). */
  insertNew(table: Table, rows: Record<string, string | number | null>[]): void {
    this.write(table, rows, " ON CONFLICT(id) DO NOTHING");
  }

  private write(
    table: Table | "order_lines",
    rows: Record<string, string | number | null>[],
    onConflict: string,
  ): Record<string, SqlStorageValue>[] {
    if (!rows.length) return [];
    this.generation++;
    const versioned = table === "order_lines" ? rows : rows.map((r) => ({ ...r, version: 1 }));
    const cols = Object.keys(versioned[0]!);
    const marks = `(${cols.map(() => "?").join(", ")})`;
    const stored: Record<string, SqlStorageValue>[] = [];
    // RETURNING gives rows in no set order: each is applied by its id, and lists sort on the way in.
    for (const part of chunks(versioned, Math.floor(MAX_PARAMS / cols.length))) {
      const cursor = this.sql.exec(
        `INSERT INTO ${table} (${cols.join(", ")}) VALUES ${part.map(() => marks).join(", ")}${onConflict} RETURNING *`,
        ...part.flatMap((v) => cols.map((c) => v[c] ?? null)),
      );
      for (const row of cursor) stored.push(row);
    }
    for (const row of stored) {
      this.touched[table].set(String(row.id), row);
      this.wrote(table, row);
      if (table === "orders") this.cache.created(row as OrderSql);
      else this.cache.stored(table, row);
    }
    return stored;
  }

  /**
   * Updates columns of one row by id (column names come from code, never from input) and bumps
   * its version, so the ledger never takes an older copy over this one.
   */
  update(table: Table, id: string, patch: Record<string, string | number | null>): void {
    const cols = Object.keys(patch);
    if (!cols.length) return;
    this.generation++;
    const stored = this.sql
      .exec(
        `UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(", ")}, version = version + 1 WHERE id = ? RETURNING *`,
        ...cols.map((c) => patch[c] ?? null),
        id,
      )
      .toArray()[0];
    if (stored) {
      this.touched[table].set(id, stored);
      this.wrote(table, stored);
      this.cache.stored(table, stored);
    }
  }

  /** True when a row of this order was written after `generation` (rolled-back writes count too). */
  changedSince(orderId: string, generation: number): boolean {
    return generation < this.forgotBefore || (this.lastWrite.get(orderId) ?? 0) > generation;
  }

  private wrote(table: Table | "order_lines", row: Record<string, SqlStorageValue>) {
    if (this.lastWrite.size >= 10_000) {
      this.lastWrite.clear();
      this.forgotBefore = this.generation;
    }
    this.lastWrite.set(String(table === "orders" ? row.id : row.order_id), this.generation);
  }

  /** A notification sent once the ledger has written the rows it reads. */
  notify(message: NotificationMessage): void {
    this.notices.push(message);
  }

  /** The order page's rows, as they stand. */
  detail(orderId: string, eventId: string): OrderDetail | null {
    const o = this.order(orderId);
    if (!o) return null;
    return {
      order: orderOut(o, eventId),
      lines: this.lines(orderId).map(lineOut),
      tickets: this.tickets(orderId).map((t) => ticketOut(t, eventId)),
      payments: this.payments(orderId).map(paymentOut),
    };
  }

  /** Forgets what a rolled-back transaction touched, and the sequence number it may have taken. */
  rollback(): void {
    this.seq = undefined;
    this.seqTaken = false;
    this.cache.rolledBack();
    this.discard();
  }

  /** The transaction committed: the cache keeps what it changed. */
  committed(): void {
    this.cache.committed();
  }

  /** Forgets what the transaction touched (it was shipped, or rolled back). */
  discard(): void {
    for (const rows of Object.values(this.touched)) rows.clear();
    this.notices = [];
  }

  /**
   * At the end of a transaction: the ledger messages carrying every row it wrote (each as its
   * last write left it), grouped by order so each message holds whole orders. Its only SQL
   * stores the last sequence number the transaction took.
   */
  drain(eventId: string): LedgerMessage[] {
    if (this.seqTaken) {
      this.sql.exec(`UPDATE meta SET value = ? WHERE key = 'seq'`, this.seq!);
      this.seqTaken = false;
    }
    const t = this.touched;
    if (!t.orders.size && !t.payments.size && !t.tickets.size && !t.order_lines.size && !this.notices.length) {
      this.discard();
      return [];
    }
    const orders = [...t.orders.values()] as OrderSql[];
    const payments = [...t.payments.values()] as PaymentSql[];
    const tickets = [...t.tickets.values()] as TicketSql[];
    const lines = [...t.order_lines.values()] as LineSql[];
    const notices = this.notices;
    this.discard();

    const orderIds = [
      ...new Set([
        ...orders.map((o) => o.id),
        ...payments.map((p) => p.order_id),
        ...tickets.map((t) => t.order_id),
        ...lines.map((l) => l.order_id),
        ...notices.flatMap((n) => ("orderId" in n && n.orderId ? [n.orderId] : [])),
      ]),
    ];
    const groups = chunks(orderIds, ORDERS_PER_MESSAGE);
    if (!groups.length) groups.push([]);
    return groups.map((group, i) => {
      const mine = new Set(group);
      const last = i === groups.length - 1;
      return {
        type: "rows" as const,
        eventId,
        orders: orders.filter((o) => mine.has(o.id)).map((o) => orderOut(o, eventId)),
        lines: lines.filter((l) => mine.has(l.order_id)).map(lineOut),
        payments: payments.filter((p) => mine.has(p.order_id)).map(paymentOut),
        tickets: tickets.filter((t) => mine.has(t.order_id)).map((t) => ticketOut(t, eventId)),
        notify: notices.filter((n) => ("orderId" in n && n.orderId ? mine.has(n.orderId) : last)),
      };
    });
  }
}
