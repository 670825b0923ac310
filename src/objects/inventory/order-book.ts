import type { NotificationMessage } from "../../queues/notification-messages";
import type { LedgerMessage } from "../../queues/ledger-messages";
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
  private readonly touched: Record<Table, Set<string>> = {
    orders: new Set(),
    payments: new Set(),
    tickets: new Set(),
  };
  private newLines = new Set<string>();
  private notices: NotificationMessage[] = [];
  /** The last sequence number handed out (undefined: read it again). */
  private seq: number | undefined;

  constructor(private readonly sql: SqlStorage) {}

  /** A strictly increasing number for creation order (timestamps can tie). */
  nextSeq(): number {
    this.seq ??= this.sql.exec<{ value: number }>(`SELECT value FROM meta WHERE key = 'seq'`).one().value;
    const v = this.seq + 1;
    this.sql.exec(`UPDATE meta SET value = ? WHERE key = 'seq'`, v);
    this.seq = v;
    return v;
  }

  order(id: string): OrderSql | undefined {
    return this.sql.exec<OrderSql>(`SELECT * FROM orders WHERE id = ?`, id).toArray()[0];
  }

  orderByHold(holdId: string): OrderSql | undefined {
    return this.sql.exec<OrderSql>(`SELECT * FROM orders WHERE hold_id = ?`, holdId).toArray()[0];
  }

  lines(orderId: string): LineSql[] {
    return this.sql.exec<LineSql>(`SELECT * FROM order_lines WHERE order_id = ? ORDER BY id`, orderId).toArray();
  }

  payment(id: string): PaymentSql | undefined {
    return this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE id = ?`, id).toArray()[0];
  }

  payments(orderId: string): PaymentSql[] {
    return this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE order_id = ? ORDER BY seq`, orderId).toArray();
  }

  /** The charge row whose provider reference is this intent. */
  chargeByRef(ref: string): PaymentSql | undefined {
    return this.sql
      .exec<PaymentSql>(`SELECT * FROM payments WHERE provider_ref = ? AND kind = 'charge'`, ref)
      .toArray()[0];
  }

  /** The charge of an attempt, by the provider idempotency key the attempt was given. */
  chargeByKey(key: string): PaymentSql | undefined {
    return this.sql.exec<PaymentSql>(`SELECT * FROM payments WHERE idempotency_key = ?`, key).toArray()[0];
  }

  /** The order's latest charge row (its current attempt once one was opened). */
  currentCharge(orderId: string): PaymentSql | undefined {
    return this.sql
      .exec<PaymentSql>(
        `SELECT * FROM payments WHERE order_id = ? AND kind = 'charge' ORDER BY seq DESC LIMIT 1`,
        orderId,
      )
      .toArray()[0];
  }

  tickets(orderId: string): TicketSql[] {
    return this.sql.exec<TicketSql>(`SELECT * FROM tickets WHERE order_id = ? ORDER BY place`, orderId).toArray();
  }

  ticket(id: string): TicketSql | undefined {
    return this.sql.exec<TicketSql>(`SELECT * FROM tickets WHERE id = ?`, id).toArray()[0];
  }

  /** Inserts one row; `row` keys are column names. Marks it for the ledger. */
  insert(table: Table | "order_lines", row: Record<string, string | number | null>): void {
    const cols = Object.keys(row);
    this.sql.exec(
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")})`,
      ...cols.map((c) => row[c] ?? null),
    );
    if (table === "order_lines") this.newLines.add(String(row.id));
    else this.touched[table].add(String(row.id));
  }

  /** Inserts one row unless its id exists; true when it did (only then is it marked for the ledger). */
  insertNew(table: Table, row: Record<string, string | number | null>): boolean {
    const cols = Object.keys(row);
    const written = this.sql.exec(
      `INSERT INTO ${table} (${cols.join(", ")}) VALUES (${cols.map(() => "?").join(", ")}) ON CONFLICT(id) DO NOTHING`,
      ...cols.map((c) => row[c] ?? null),
    ).rowsWritten;
    if (written > 0) this.touched[table].add(String(row.id));
    return written > 0;
  }

  /** Updates columns of one row by id (column names come from code, never from input). */
  update(table: Table, id: string, patch: Record<string, string | number | null>): void {
    const cols = Object.keys(patch);
    if (!cols.length) return;
    this.sql.exec(
      `UPDATE ${table} SET ${cols.map((c) => `${c} = ?`).join(", ")} WHERE id = ?`,
      ...cols.map((c) => patch[c] ?? null),
      id,
    );
    this.touched[table].add(id);
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
    this.discard();
  }

  /** Forgets what the transaction touched (it was shipped, or rolled back). */
  discard(): void {
    for (const set of Object.values(this.touched)) set.clear();
    this.newLines.clear();
    this.notices = [];
  }

  /**
   * At the end of a transaction: bumps the version of every touched row and returns the ledger
   * messages carrying them, grouped by order so each message holds whole orders.
   */
  drain(eventId: string): LedgerMessage[] {
    const ids = (t: Table) => [...this.touched[t]];
    if (!ids("orders").length && !ids("payments").length && !ids("tickets").length && !this.notices.length) {
      this.discard();
      return [];
    }
    // One statement per table: the version bump hands back the rows it bumped.
    const load = <R extends Record<string, SqlStorageValue>>(table: string, list: string[]): R[] =>
      chunks(list, MAX_PARAMS).flatMap((part) => {
        const ids = part.map(() => "?").join(",");
        const q =
          table === "order_lines"
            ? `SELECT * FROM order_lines WHERE id IN (${ids})`
            : `UPDATE ${table} SET version = version + 1 WHERE id IN (${ids}) RETURNING *`;
        return this.sql.exec<R>(q, ...part).toArray();
      });
    const orders = load<OrderSql>("orders", ids("orders"));
    const payments = load<PaymentSql>("payments", ids("payments"));
    const tickets = load<TicketSql>("tickets", ids("tickets"));
    const lines = load<LineSql>("order_lines", [...this.newLines]);
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
