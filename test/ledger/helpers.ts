import { env } from "cloudflare:workers";
import { eq } from "drizzle-orm";
import { createDb } from "../../src/db/client";
import { orderLines, orders, payments, tickets } from "../../src/db/schema";
import { consumeLedger, consumeLedgerDeadLetters } from "../../src/queues/ledger-consumer";
import type {
  LedgerLine,
  LedgerMessage,
  LedgerOrder,
  LedgerPayment,
  LedgerTicket,
} from "../../src/queues/ledger-messages";
import { seedEvent } from "../helpers/catalog";
import { createUser, uniq } from "../helpers/fixtures";
import { runConsumer } from "../helpers/queues";

/** A buyer and an on-sale event in D1: ledger rows need both for their foreign keys. */
export async function seedBuyer() {
  const [user, event] = await Promise.all([createUser(), seedEvent()]);
  return { userId: user.id, eventId: event.id };
}
export type Buyer = Awaited<ReturnType<typeof seedBuyer>>;

const T0 = 1_900_000_000_000;

export function orderRow(b: Buyer, over: Partial<LedgerOrder> = {}): LedgerOrder {
  return {
    id: `ord_${uniq()}${uniq()}`,
    userId: b.userId,
    eventId: b.eventId,
    holdId: `hold_${uniq()}${uniq()}`,
    status: "pending_payment",
    amount: 10000,
    currency: "EUR",
    refundedAmount: 0,
    paymentAttempt: 1,
    holdExpiresAt: T0 + 300_000,
    email: `buyer-${uniq()}@example.test`,
    createdAt: T0,
    updatedAt: T0,
    paidAt: null,
    closedAt: null,
    version: 1,
    ...over,
  };
}

export function lineRow(order: LedgerOrder, over: Partial<LedgerLine> = {}): LedgerLine {
  return {
    id: `ol_${uniq()}${uniq()}`,
    orderId: order.id,
    seatId: `A-1-${uniq()}`,
    areaId: null,
    tier: "t0",
    price: 5000,
    quantity: 1,
    ...over,
  };
}

export function chargeRow(order: LedgerOrder, over: Partial<LedgerPayment> = {}): LedgerPayment {
  return {
    id: `pay_${uniq()}${uniq()}`,
    orderId: order.id,
    kind: "charge",
    provider: "simulated",
    providerRef: `pi_sim_${uniq()}${uniq()}`,
    idempotencyKey: `charge_${order.id}_1`,
    amount: order.amount,
    currency: order.currency,
    status: "pending",
    attempts: 1,
    lastError: null,
    reason: null,
    holdId: order.holdId,
    chargeRef: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...over,
  };
}

export function ticketRow(order: LedgerOrder, over: Partial<LedgerTicket> = {}): LedgerTicket {
  const place = over.place ?? `A-2-${uniq()}`;
  return {
    id: `tkt_${uniq()}${uniq()}`,
    orderId: order.id,
    eventId: order.eventId,
    userId: order.userId,
    place,
    seatId: place,
    areaId: null,
    tier: "t0",
    price: 5000,
    status: "valid",
    code: `T1.${uniq()}${uniq()}.sig`,
    usedAt: null,
    usedBy: null,
    refundId: null,
    createdAt: T0,
    updatedAt: T0,
    version: 1,
    ...over,
  };
}

/** A `rows` message body for the buyer's event. */
export function rowsMessage(eventId: string, parts: Partial<Omit<LedgerMessage, "type" | "eventId">>): LedgerMessage {
  return { type: "rows", eventId, orders: [], lines: [], payments: [], tickets: [], notify: [], ...parts };
}

/** A queue binding that records what is sent to it; `onSend` runs first and may throw. */
export function recorder(onSend?: (bodies: unknown[]) => Promise<void>) {
  const bodies: unknown[] = [];
  const queue = {
    send: async (body: unknown) => {
      await onSend?.([body]);
      bodies.push(body);
    },
    sendBatch: async (msgs: Iterable<{ body: unknown }>) => {
      const list = [...msgs].map((m) => m.body);
      await onSend?.(list);
      bodies.push(...list);
    },
  } as unknown as Queue;
  return { queue, bodies };
}

/** The test env with recording NOTIFICATIONS and AUDIT queues. */
export function testEnv(onNotify?: (bodies: unknown[]) => Promise<void>) {
  const notifications = recorder(onNotify);
  const audit = recorder();
  const e = { ...env, NOTIFICATIONS: notifications.queue, AUDIT: audit.queue } as Env;
  return {
    env: e,
    notified: notifications.bodies,
    audited: audit.bodies as { action: string; [k: string]: unknown }[],
  };
}

/** Runs the ledger (or ledger-dlq) consumer on message bodies; returns the queue result with retry delays. */
export function runLedger(bodies: unknown[], e: Env, opts: { attempts?: number; dlq?: boolean } = {}) {
  const queue = opts.dlq ? "ledger-dlq" : "ledger";
  return runConsumer(queue, opts.dlq ? consumeLedgerDeadLetters : consumeLedger, bodies, e, opts.attempts);
}

/** The D1 rows with these ids, in camelCase as drizzle reads them (undefined when missing). */
export const d1 = {
  order: (id: string) => createDb(env.DB).select().from(orders).where(eq(orders.id, id)).get(),
  line: (id: string) => createDb(env.DB).select().from(orderLines).where(eq(orderLines.id, id)).get(),
  payment: (id: string) => createDb(env.DB).select().from(payments).where(eq(payments.id, id)).get(),
  ticket: (id: string) => createDb(env.DB).select().from(tickets).where(eq(tickets.id, id)).get(),
};
