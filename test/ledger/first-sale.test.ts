import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { orderRow, rowsMessage, runLedger, seedBuyer, testEnv } from "./helpers";

const firstSaleOf = async (eventId: string) =>
  (
    await env.DB.prepare("SELECT first_sale_at AS at FROM events WHERE id = ?")
      .bind(eventId)
      .first<{ at: number | null }>()
  )?.at ?? null;

describe("ledger consumer: the event's first sale", () => {
  it("is the earliest paid order D1 has seen, never unset by a refund or moved later", async () => {
    const b = await seedBuyer();
    const t = testEnv();
    const pending = orderRow(b);
    await runLedger([rowsMessage(b.eventId, { orders: [pending] })], t.env);
    expect(await firstSaleOf(b.eventId), "an unpaid order is no sale").toBeNull();

    const paid = { ...pending, status: "paid" as const, paidAt: 2_000, updatedAt: 2_000, version: 2 };
    await runLedger([rowsMessage(b.eventId, { orders: [paid] })], t.env);
    expect(await firstSaleOf(b.eventId)).toBe(2_000);

    // A later sale keeps the first; a sale the ledger learns of late but paid earlier moves it back.
    const later = orderRow(b, { status: "paid", paidAt: 3_000, version: 2 });
    await runLedger([rowsMessage(b.eventId, { orders: [later] })], t.env);
    expect(await firstSaleOf(b.eventId)).toBe(2_000);
    const earlier = orderRow(b, { status: "paid", paidAt: 1_500, version: 2 });
    await runLedger([rowsMessage(b.eventId, { orders: [earlier] })], t.env);
    expect(await firstSaleOf(b.eventId)).toBe(1_500);

    // Refunded tickets still carry their price into reports: the lock stays.
    const refunded = { ...earlier, status: "refunded" as const, refundedAmount: earlier.amount, version: 3 };
    await runLedger([rowsMessage(b.eventId, { orders: [refunded] })], t.env);
    expect(await firstSaleOf(b.eventId)).toBe(1_500);
  });

  it("is set per event when one delivery carries sales of two events", async () => {
    const [a, b] = await Promise.all([seedBuyer(), seedBuyer()]);
    const t = testEnv();
    await runLedger(
      [
        rowsMessage(a.eventId, { orders: [orderRow(a, { status: "paid", paidAt: 4_000 })] }),
        rowsMessage(b.eventId, { orders: [orderRow(b, { status: "paid", paidAt: 5_000 })] }),
      ],
      t.env,
    );
    expect([await firstSaleOf(a.eventId), await firstSaleOf(b.eventId)]).toEqual([4_000, 5_000]);
  });
});
