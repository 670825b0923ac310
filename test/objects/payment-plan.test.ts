import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import type { EventInventory } from "../../src/objects/event-inventory";
import type { PaymentResults } from "../../src/objects/inventory/payment-results";
import type { TicketDesk } from "../../src/objects/inventory/ticket-desk";
import type { IntentFacts } from "../../src/objects/inventory-types";
import { expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, intentOf, setupEvent } from "../orders/helpers";

// A success delivery reads its order, signs the tickets (an await, while other requests run), then
// sells in one transaction. It reads the order again only when a row of THAT order was written in
// between: under a rush other orders change all the time, and re-reading for each of them cost
// every delivery two more statements.

type Internals = { results: PaymentResults; tickets: TicketDesk };

async function twoCheckouts() {
  const { event } = await setupEvent();
  const intents: IntentFacts[] = [];
  for (const seat of ["A-1-1", "A-1-2"]) {
    const { fan, hold } = await fanWithHold(event.id, [seat]);
    intents.push(intentOf(await expectJson(await checkoutCall(fan.token, hold.holdId), 201)));
  }
  return { event, a: intents[0]!, b: intents[1]! };
}

/** Runs `fn` in the event's object, counting the statements it runs that read an order for a payment. */
function inObject<T>(eventId: string, fn: (o: Internals, orderReads: () => number) => Promise<T>) {
  return runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), async (instance: EventInventory, state) => {
    const sql = state.storage.sql as unknown as { exec: (query: string, ...b: unknown[]) => unknown };
    const exec = sql.exec.bind(sql);
    let reads = 0;
    sql.exec = (query: string, ...bindings: unknown[]) => {
      if (/^SELECT \* FROM (payments WHERE provider_ref|orders WHERE id) = \?/.test(query.trim())) reads++;
      return exec(query, ...bindings);
    };
    try {
      return await fn(instance as unknown as Internals, () => reads);
    } finally {
      sql.exec = exec;
    }
  });
}

/** A delivery's two halves: the plan (read, then sign the tickets), and the sale on that plan. */
async function planned({ results, tickets }: Internals, intent: IntentFacts, now: number) {
  const plan = results.plan(intent);
  if (!plan.sell) throw new Error(`order ${intent.metadata.order_id} should be sellable`);
  const signed = await tickets.sign(plan.order, plan.lines, now);
  return (webhookEventId: string) =>
    results.succeeded(intent, "simulated", signed, webhookEventId, now, plan.read).outcome;
}

describe("a payment success planned before its tickets were signed", () => {
  it("sells on what it read when only other orders changed meanwhile", async () => {
    const { event, a, b } = await twoCheckouts();
    const outcome = await inObject(event.id, async (o, reads) => {
      const now = Date.now();
      const sellA = await planned(o, a, now);
      // Meanwhile order B is paid: its rows are written.
      expect((await planned(o, b, now))("evt_b")).toBe("paid");
      const before = reads();
      const paidA = sellA("evt_a");
      expect(reads() - before, "order A was not read again").toBe(0);
      return paidA;
    });
    expect(outcome).toBe("paid");
  });

  it("reads its order again when that order changed meanwhile, and never sells it twice", async () => {
    const { event, a } = await twoCheckouts();
    const outcomes = await inObject(event.id, async (o, reads) => {
      const now = Date.now();
      // The same success delivered twice at once (providers retry): both plan to sell.
      const first = await planned(o, a, now);
      const second = await planned(o, a, now);
      const one = first("evt_1");
      const before = reads();
      const two = second("evt_2");
      expect(reads() - before, "the second delivery read the order again").toBeGreaterThan(0);
      return [one, two];
    });
    expect(outcomes).toEqual(["paid", "already_settled"]);
  });
});
