import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { ORDER_STATUSES, PAYMENT_STATUSES } from "../../src/db/schema/constants";
import { attemptOfKey, decideSuccess, SETTLED, type SuccessFacts } from "../../src/domain/payment-decision";

const order = { status: "pending_payment" as const, amount: 5000, currency: "NOK", paymentAttempt: 2 };
const charge = { attempt: 2, status: "pending" as const, amount: 5000, currency: "NOK" };
const intent = { amount: 5000, currency: "nok" };

describe("decideSuccess", () => {
  it("sells for the current attempt of an unsettled order at the recorded amount", () => {
    for (const status of ["pending_payment", "failed", "expired"] as const) {
      expect(decideSuccess({ order: { ...order, status }, charge, intent })).toEqual({ action: "sell" });
    }
  });

  it("refunds every other success, naming why", () => {
    const cases: [SuccessFacts, string][] = [
      [{ order, charge: null, intent }, "unknown_intent"],
      [{ order, charge: { ...charge, attempt: 1 }, intent }, "superseded"],
      [{ order: { ...order, status: "paid" }, charge, intent }, "settled"],
      [{ order: { ...order, status: "cancelled" }, charge, intent }, "cancelled"],
      [{ order, charge, intent: { ...intent, amount: 4999 } }, "mismatch"],
      [{ order, charge, intent: { ...intent, currency: "usd" } }, "mismatch"],
    ];
    for (const [facts, reason] of cases) expect(decideSuccess(facts)).toEqual({ action: "refund", reason });
  });

  it("treats a replay of the intent that settled the order as done", () => {
    expect(
      decideSuccess({ order: { ...order, status: "paid" }, charge: { ...charge, status: "succeeded" }, intent }),
    ).toEqual({
      action: "done",
    });
  });

  it("never sells a settled order, a stale attempt or a different amount (property)", () => {
    fc.assert(
      fc.property(
        fc.constantFrom(...ORDER_STATUSES),
        fc.constantFrom(...PAYMENT_STATUSES),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 1, max: 5 }),
        fc.integer({ min: 0, max: 10_000 }),
        fc.constantFrom("nok", "usd"),
        (status, chargeStatus, current, attempt, amount, currency) => {
          const d = decideSuccess({
            order: { status, amount: 5000, currency: "NOK", paymentAttempt: current },
            charge: { attempt, status: chargeStatus, amount: 5000, currency: "NOK" },
            intent: { amount, currency },
          });
          if (d.action !== "sell") return;
          expect(SETTLED).not.toContain(status);
          expect(status).not.toBe("cancelled");
          expect(attempt).toBe(current);
          expect([amount, currency]).toEqual([5000, "nok"]);
        },
      ),
      { numRuns: 500 },
    );
  });
});

describe("attemptOfKey", () => {
  it("reads the attempt from the provider idempotency key", () => {
    expect(attemptOfKey("order_abc_attempt_3")).toBe(3);
    expect(attemptOfKey("refund_x")).toBe(0);
  });
});
