import Stripe from "stripe";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { SIMULATED_WEBHOOK_SECRET } from "../../src/payments";
import { OrderSchema } from "../../src/routes/order-schemas";
import { expectJson, expectProblem } from "../helpers/http";
import { checkedOut, deliver, getOrder, intentOf, seatMap, signedEvent, ticketRows } from "./helpers";

const now = () => Math.floor(Date.now() / 1000);

/** Signs any payload string as Stripe would, so the route gets past the signature to its contents. */
async function signRaw(payload: string, timestamp = now()) {
  const header = await Stripe.webhooks.generateTestHeaderStringAsync({
    payload,
    secret: SIMULATED_WEBHOOK_SECRET,
    timestamp,
    cryptoProvider: Stripe.createSubtleCryptoProvider(),
  });
  return { payload, header };
}

/** A signed event of `type` with whatever `data` the test wants. */
function signedWith(type: string, data: unknown, id = `evt_${crypto.randomUUID().replaceAll("-", "")}`) {
  return signRaw(JSON.stringify({ id, object: "event", type, created: now(), data }));
}

/** The order is exactly as checkout left it: unpaid, its seats held, no tickets. */
async function expectUntouched(fan: { token: string }, co: { orderId: string }, eventId: string, seats: string[]) {
  expect(OrderSchema.parse(await getOrder(fan.token, co.orderId)).status).toBe("pending_payment");
  const map = await seatMap(eventId);
  expect(seats.map((s) => map[s])).toEqual(seats.map(() => "h"));
  expect(await ticketRows(co.orderId)).toHaveLength(0);
}

async function recorded(eventId: string) {
  return env.DB.prepare("SELECT id FROM webhook_events WHERE id = ?").bind(eventId).first();
}

describe("POST /v1/webhooks/stripe: signed events with malformed contents", () => {
  it("refuses a malformed success for a real order with 400, naming the field, and changes nothing", async () => {
    const { event, fan, co } = await checkedOut(["A-1-1"]);
    const intent = { object: "payment_intent", status: "succeeded", ...intentOf(co) };
    const { id: _id, ...withoutId } = intent;
    const { currency: _currency, ...withoutCurrency } = intent;
    const cases: [string, unknown, string][] = [
      ["no object", {}, "data.object"],
      ["null object", { object: null }, "data.object"],
      ["intent without id", { object: withoutId }, "data.object.id"],
      ["amount as a string", { object: { ...intent, amount: String(intent.amount) } }, "data.object.amount"],
      ["metadata not an object", { object: { ...intent, metadata: "order" } }, "data.object.metadata"],
      ["currency missing", { object: withoutCurrency }, "data.object.currency"],
    ];
    // One event id for every delivery: were a refusal recorded, the good event below would answer duplicate.
    const eventId = `evt_bad_${crypto.randomUUID().replaceAll("-", "")}`;
    for (const [label, data, field] of cases) {
      const problem = await expectProblem(
        await deliver(await signedWith("payment_intent.succeeded", data, eventId)),
        400,
        "bad_request",
      );
      expect(problem.detail, label).toContain(field);
    }
    await expectUntouched(fan, co, event.id, ["A-1-1"]);
    expect(await recorded(eventId)).toBeNull();

    const good = await signedEvent("payment_intent.succeeded", intentOf(co), { id: eventId });
    expect(await expectJson(await deliver(good), 200)).toMatchObject({ duplicate: false, outcome: "paid" });
  });

  it("refuses malformed failure and cancel events with 400 and keeps the seats held", async () => {
    const { event, fan, co } = await checkedOut(["A-1-2"]);
    const intent = intentOf(co);
    for (const type of ["payment_intent.payment_failed", "payment_intent.canceled"]) {
      await expectProblem(await deliver(await signedWith(type, {})), 400, "bad_request");
      await expectProblem(
        await deliver(await signedWith(type, { object: { ...intent, amount: null } })),
        400,
        "bad_request",
      );
    }
    await expectUntouched(fan, co, event.id, ["A-1-2"]);
  });

  it("acknowledges an event type it does not act on as ignored, whatever its data", async () => {
    for (const data of [{}, null, "text", 7, { object: null }, { object: { id: 5 } }]) {
      const body = await expectJson(await deliver(await signedWith("customer.created", data)), 200);
      expect(body).toMatchObject({ received: true, outcome: "ignored" });
    }
  });

  it("refuses a signed payload that is JSON but not an event with 400", async () => {
    for (const payload of ["null", "[]", '"text"', "42", "{}", '{"id":"evt_x"}', '{"id":7,"type":"x","data":{}}']) {
      await expectProblem(await deliver(await signRaw(payload)), 400, "bad_request");
    }
  });
});

describe("POST /v1/webhooks/stripe: signature timestamps", () => {
  it("refuses a success signed 600 s in the future, changing nothing, and accepts one 60 s ahead", async () => {
    const { event, fan, co } = await checkedOut(["A-2-1"]);
    const ahead = await signedEvent("payment_intent.succeeded", intentOf(co), { timestamp: now() + 600 });
    await expectProblem(await deliver(ahead), 400, "bad_request");
    await expectUntouched(fan, co, event.id, ["A-2-1"]);

    const nearly = await signedEvent("payment_intent.succeeded", intentOf(co), { timestamp: now() + 60 });
    expect(await expectJson(await deliver(nearly), 200)).toMatchObject({ outcome: "paid" });
    expect(await ticketRows(co.orderId)).toHaveLength(1);
  });
});
