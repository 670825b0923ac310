import fc from "fast-check";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, type Json } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { checkoutCall, deliver, expireHold, newKey, runPayments, signedEvent } from "./helpers";
import { objectState, settled } from "./lifecycle-checks";

/**
 * A model-based lifecycle test: random sequences of fan, provider and organizer steps on one fresh
 * event, driven through the Worker's own entry, then the money and seat invariants once the queues
 * drain. The model is what the steps need to pick targets (holds, orders, attempts, webhooks sent)
 * and is refreshed from the object and D1 after each step, so it never guesses a queue's timing;
 * steps whose outcome is certain from that state also assert it.
 */

// Replaying a failure: VITE_MODEL_SEED=<seed> npx vitest run test/orders/lifecycle.model.test.ts
// workerd has no process.env; Vite hands VITE_-prefixed variables to the tests on import.meta.env.
const viteEnv = (import.meta as { env?: Record<string, string | undefined> }).env ?? {};
const SEED = viteEnv.VITE_MODEL_SEED ? Number(viteEnv.VITE_MODEL_SEED) : Date.now();
/** At least 200 sequences; VITE_MODEL_RUNS may ask for more (a longer hunt), never fewer. */
const RUNS = Math.max(200, Number(viteEnv.VITE_MODEL_RUNS) || 0);

/** How often each step ran and how the orders ended, printed once so a vacuous run shows. */
const seen = new Map<string, number>();
const tally = (key: string) => seen.set(key, (seen.get(key) ?? 0) + 1);
const timing = { setup: 0, steps: 0, settle: 0 };

type Attempt = { orderId: string; reference: string; paymentUrl: string; amount: number; currency: string };
type HoldM = { id: string; fan: number; status: string; orderId?: string };
type OrderM = { id: string; fan: number; status: string; holdId: string; attempts: Attempt[] };
type Signed = { type: string; intent: ReturnType<typeof intentFacts>; ev: { payload: string; header: string } };
type Model = {
  holds: HoldM[];
  orders: OrderM[];
  sent: Signed[];
  seats: Record<string, string>;
  cancelled: boolean;
  sold: boolean;
};
type Fan = Awaited<ReturnType<typeof createUser>>;
type Real = { eventId: string; org: Json; fans: Fan[] };
type Cmd = fc.AsyncCommand<Model, Real>;

const FANS = 3;
/** A few seats in one row, so fans collide on them. */
const POOL = ["A-1-1", "A-1-2", "A-1-3", "A-1-4"];
const DECLINE = "4000 0000 0000 0002";
const GOOD = "4242 4242 4242 4242";

const pick = <T>(list: readonly T[], i: number): T | undefined => (list.length ? list[i % list.length] : undefined);
const internal = (publicHoldId: string) => publicHoldId.split("~")[1]!;
const last = (o: OrderM) => o.attempts[o.attempts.length - 1];
const intentFacts = (a: Attempt) => ({
  id: a.reference,
  amount: a.amount,
  currency: a.currency.toLowerCase(),
  metadata: { order_id: a.orderId },
});
const holdOf = (m: Readonly<Model>, o: OrderM) => m.holds.find((h) => internal(h.id) === o.holdId);

/** Refreshes the model from the object and D1: statuses, seats, new holds an order moved to. */
async function sync(m: Model, r: Real): Promise<void> {
  const object = await objectState(r.eventId);
  m.seats = Object.fromEntries(object.seats.filter((s) => POOL.includes(s.id)).map((s) => [s.id, s.status]));
  const holdStatus = new Map(object.holds.map((h) => [h.id, h.status]));
  const [orders, event] = await env.DB.batch<Json>([
    env.DB.prepare("SELECT id, status, hold_id AS holdId FROM orders WHERE event_id = ?").bind(r.eventId),
    env.DB.prepare("SELECT status, first_sale_at AS firstSaleAt FROM events WHERE id = ?").bind(r.eventId),
  ]);
  for (const row of orders?.results ?? []) {
    const o = m.orders.find((x) => x.id === row.id);
    if (!o) continue;
    o.status = row.status;
    o.holdId = row.holdId;
    // A late success re-acquires the seats under a hold the model never made: track it too.
    if (!holdOf(m, o)) m.holds.push({ id: `${r.eventId}~${o.holdId}`, fan: o.fan, status: "", orderId: o.id });
  }
  for (const h of m.holds) h.status = holdStatus.get(internal(h.id)) ?? "unknown";
  m.cancelled = event?.results[0]?.status === "cancelled";
  m.sold = event?.results[0]?.firstSaleAt != null;
}

/** Records a checkout answer: a new order, or a new attempt of a known one. */
function recordCheckout(m: Model, fan: number, holdId: string, co: Json) {
  const attempt: Attempt = {
    orderId: co.orderId,
    reference: co.payment.reference,
    paymentUrl: co.payment.paymentUrl,
    amount: co.amount,
    currency: co.currency,
  };
  let o = m.orders.find((x) => x.id === co.orderId);
  if (!o) {
    o = { id: co.orderId, fan, status: co.status, holdId: internal(holdId), attempts: [] };
    m.orders.push(o);
  }
  if (!o.attempts.some((a) => a.reference === attempt.reference)) o.attempts.push(attempt);
  const h = m.holds.find((x) => x.id === holdId);
  if (h) h.orderId = o.id;
  else m.holds.push({ id: holdId, fan, status: "checking_out", orderId: o.id });
}

const orderStatus = async (r: Real, o: OrderM) =>
  (await expectJson(await call("GET", `/v1/orders/${o.id}`, { token: r.fans[o.fan]!.token }), 200)).status;

/** Runs the cancel_payment the object sends for a checkout hold that lapsed or was released. */
async function cancelPayment(m: Model, h: HoldM, reason: "expired" | "released") {
  const orderId = h.orderId ?? m.orders.find((o) => o.holdId === internal(h.id))?.id;
  if (!orderId) return;
  // The queued copy arrives too; the consumer is idempotent, and running it here keeps the next
  // step from racing the queue's batch timeout.
  const result = await runPayments([{ type: "cancel_payment", orderId, holdId: internal(h.id), reason }]);
  expect(result.retryMessages).toEqual([]);
}

abstract class Step implements Cmd {
  abstract check(m: Readonly<Model>): boolean;
  abstract act(m: Model, r: Real): Promise<void>;
  abstract toString(): string;
  /** The name the coverage line counts this step under. */
  get label(): string {
    return this.constructor.name;
  }
  async run(m: Model, r: Real) {
    tally(`step ${this.label}`);
    await this.act(m, r);
    await sync(m, r);
  }
}

class HoldSeats extends Step {
  constructor(
    readonly fan: number,
    readonly seats: string[],
  ) {
    super();
  }
  check() {
    return true;
  }
  async act(m: Model, r: Real) {
    const free = this.seats.every((s) => m.seats[s] === "available");
    const res = await call("POST", `/v1/events/${r.eventId}/holds`, {
      token: r.fans[this.fan]!.token,
      body: { seats: this.seats },
    });
    if (!m.cancelled) expect(res.status).toBe(free ? 201 : 409);
    if (res.status === 201) m.holds.push({ id: (await res.json<Json>()).holdId, fan: this.fan, status: "active" });
  }
  override toString() {
    return `hold(fan${this.fan}, ${this.seats.join("+")})`;
  }
}

class HoldPit extends Step {
  constructor(
    readonly fan: number,
    readonly quantity: number,
  ) {
    super();
  }
  check() {
    return true;
  }
  async act(m: Model, r: Real) {
    const res = await call("POST", `/v1/events/${r.eventId}/holds`, {
      token: r.fans[this.fan]!.token,
      body: { area: "pit", quantity: this.quantity },
    });
    // 50 places and at most a few dozen asked for in one sequence: a GA hold always fits.
    if (!m.cancelled) expect(res.status).toBe(201);
    if (res.status === 201) m.holds.push({ id: (await res.json<Json>()).holdId, fan: this.fan, status: "active" });
  }
  override toString() {
    return `holdPit(fan${this.fan}, ${this.quantity})`;
  }
}

const checkoutable = (m: Readonly<Model>) =>
  m.holds.filter((h) => h.status === "active" || h.status === "checking_out");

class Checkout extends Step {
  constructor(readonly hold: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return checkoutable(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const h = pick(checkoutable(m), this.hold)!;
    const res = await checkoutCall(r.fans[h.fan]!.token, h.id);
    if (h.status === "active" && !m.cancelled) expect(res.status).toBe(201);
    if (res.status === 201) recordCheckout(m, h.fan, h.id, await res.json<Json>());
  }
  override toString() {
    return `checkout(hold#${this.hold})`;
  }
}

const pending = (m: Readonly<Model>) => m.orders.filter((o) => o.status === "pending_payment");
/** A pending order whose current hold is in checkout: its current attempt is payable right now. */
const live = (m: Readonly<Model>, o: OrderM) =>
  o.status === "pending_payment" && holdOf(m, o)?.status === "checking_out";

class DeclineOnPage extends Step {
  constructor(readonly order: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return pending(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const o = pick(pending(m), this.order)!;
    const wasLive = live(m, o);
    const res = await call("POST", last(o)!.paymentUrl, { token: r.fans[o.fan]!.token, body: { card: DECLINE } });
    if (wasLive) {
      expect(await expectJson(res, 200)).toMatchObject({ result: "declined" });
      expect(await orderStatus(r, o)).toBe("failed");
    }
  }
  override toString() {
    return `declineOnPage(order#${this.order})`;
  }
}

/** Signs and delivers an intent event, remembering it so a later step can deliver it again. */
async function sendSigned(m: Model, type: string, a: Attempt) {
  const intent = intentFacts(a);
  const ev = await signedEvent(type, intent);
  const res = await deliver(ev);
  expect(res.status).toBe(200);
  m.sent.push({ type, intent, ev });
  return res.json<Json>();
}

const withAttempts = (m: Readonly<Model>) => m.orders.filter((o) => o.attempts.length > 0);

/** A signed webhook for any attempt of any order: the current one, or one superseded long ago. */
class IntentWebhook extends Step {
  constructor(
    readonly type: "payment_intent.payment_failed" | "payment_intent.succeeded",
    readonly order: number,
    readonly attempt: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return withAttempts(m).length > 0;
  }
  async act(m: Model, _r: Real) {
    const o = pick(withAttempts(m), this.order)!;
    await sendSigned(m, this.type, pick(o.attempts, this.attempt)!);
  }
  override get label() {
    return this.type === "payment_intent.succeeded" ? "SucceedWebhook" : "FailWebhook";
  }
  override toString() {
    const name = this.type === "payment_intent.succeeded" ? "succeedWebhook" : "failWebhook";
    return `${name}(order#${this.order}, attempt#${this.attempt})`;
  }
}

class PayAgain extends Step {
  constructor(readonly order: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.orders.some((o) => o.status === "failed");
  }
  async act(m: Model, r: Real) {
    const o = pick(
      m.orders.filter((x) => x.status === "failed"),
      this.order,
    )!;
    const res = await call("POST", `/v1/orders/${o.id}/pay`, {
      token: r.fans[o.fan]!.token,
      headers: { "Idempotency-Key": newKey() },
    });
    if (res.status !== 201) return; // seats taken meanwhile, event cancelled, or the old attempt paid after all
    const co = await res.json<Json>();
    const row = await env.DB.prepare("SELECT hold_id AS holdId FROM orders WHERE id = ?")
      .bind(o.id)
      .first<{ holdId: string }>();
    recordCheckout(m, o.fan, `${r.eventId}~${row!.holdId}`, co);
  }
  override toString() {
    return `payAgain(order#${this.order})`;
  }
}

class PayOnPage extends Step {
  constructor(
    readonly order: number,
    readonly attempt: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return withAttempts(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const o = pick(withAttempts(m), this.order)!;
    const a = pick(o.attempts, this.attempt)!;
    const certain = live(m, o) && a === last(o) && !m.cancelled;
    const res = await call("POST", a.paymentUrl, { token: r.fans[o.fan]!.token, body: { card: GOOD } });
    if (certain) {
      expect(await expectJson(res, 200)).toMatchObject({ result: "succeeded", webhook: { outcome: "paid" } });
      expect(await orderStatus(r, o)).toBe("paid");
    }
  }
  override toString() {
    return `payOnPage(order#${this.order}, attempt#${this.attempt})`;
  }
}

class Redeliver extends Step {
  constructor(
    readonly event: number,
    readonly fresh: boolean,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return m.sent.length > 0;
  }
  async act(m: Model, _r: Real) {
    const s = pick(m.sent, this.event)!;
    // Same event id: Stripe retrying; a fresh id: the provider reporting the same fact twice.
    const res = await deliver(this.fresh ? await signedEvent(s.type, s.intent) : s.ev);
    const body = await expectJson(res, 200);
    if (!this.fresh) expect(body.duplicate).toBe(true);
  }
  override toString() {
    return `redeliver(sent#${this.event}, ${this.fresh ? "fresh id" : "same id"})`;
  }
}

class Release extends Step {
  constructor(readonly hold: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return checkoutable(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const h = pick(checkoutable(m), this.hold)!;
    const res = await call("DELETE", `/v1/holds/${encodeURIComponent(h.id)}`, { token: r.fans[h.fan]!.token });
    expect(res.status).toBe(204);
    if (h.status === "checking_out") await cancelPayment(m, h, "released");
  }
  override toString() {
    return `release(hold#${this.hold})`;
  }
}

class Expire extends Step {
  constructor(readonly hold: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return checkoutable(m).length > 0;
  }
  async act(m: Model, _r: Real) {
    const h = pick(checkoutable(m), this.hold)!;
    await expireHold(h.id);
    if (h.status === "checking_out") await cancelPayment(m, h, "expired");
  }
  override toString() {
    return `expire(hold#${this.hold})`;
  }
}

const refundable = (m: Readonly<Model>) =>
  m.orders.filter((o) => o.status === "paid" || o.status === "partially_refunded");

class FanCancel extends Step {
  constructor(readonly order: number) {
    super();
  }
  check(m: Readonly<Model>) {
    return refundable(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const o = pick(refundable(m), this.order)!;
    const res = await call("POST", `/v1/orders/${o.id}/cancel`, { token: r.fans[o.fan]!.token });
    if (o.status === "paid") {
      expect(await expectJson(res, 200)).toMatchObject({ refund: { amount: last(o)!.amount } });
      expect(await orderStatus(r, o)).toBe("refunded");
    }
  }
  override toString() {
    return `fanCancel(order#${this.order})`;
  }
}

class OrganizerRefund extends Step {
  constructor(
    readonly order: number,
    readonly partial: boolean,
    readonly ticket: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return refundable(m).length > 0;
  }
  async act(m: Model, r: Real) {
    const o = pick(refundable(m), this.order)!;
    let body: Json = {};
    if (this.partial) {
      const view = await expectJson(await call("GET", `/v1/orders/${o.id}`, { token: r.fans[o.fan]!.token }), 200);
      const valid = (view.tickets as Json[]).filter((t) => t.status === "valid");
      const t = pick(valid, this.ticket);
      if (t) body = { ticketIds: [t.id] };
    }
    const res = await call("POST", `/v1/admin/orders/${o.id}/refund`, { token: r.org.token, body });
    expect(res.status).toBe(200);
  }
  override toString() {
    return `organizerRefund(order#${this.order}, ${this.partial ? `ticket#${this.ticket}` : "whole"})`;
  }
}

class CancelEvent extends Step {
  check(m: Readonly<Model>) {
    return !m.cancelled;
  }
  async act(m: Model, r: Real) {
    const path = `/v1/admin/events/${r.eventId}/status`;
    await expectJson(await call("POST", path, { token: r.org.token, body: { status: "cancelled" } }), 200);
    m.cancelled = true;
    // The route queues one refund_order per paid order; run them here so later steps see the result.
    const { results } = await env.DB.prepare(
      "SELECT id FROM orders WHERE event_id = ? AND status IN ('paid', 'partially_refunded')",
    )
      .bind(r.eventId)
      .all<{ id: string }>();
    if (results.length) {
      const res = await runPayments(
        results.map((o) => ({ type: "refund_order", orderId: o.id, reason: "event_cancelled" })),
      );
      expect(res.retryMessages).toEqual([]);
    }
  }
  override toString() {
    return "cancelEvent";
  }
}

class EditTiers extends Step {
  constructor(
    readonly std: number,
    readonly ga: number,
  ) {
    super();
  }
  check(m: Readonly<Model>) {
    return !m.cancelled && !m.sold;
  }
  async act(_m: Model, r: Real) {
    const tiers = [
      { key: "std", name: "Standard", amount: this.std, appliesTo: { sections: ["A"] } },
      { key: "ga", name: "Pit", amount: this.ga, appliesTo: { areas: ["pit"] } },
    ];
    // Before the first sale the edit is accepted; a sale the model has not seen yet makes it 409.
    const res = await call("PUT", `/v1/admin/events/${r.eventId}/tiers`, { token: r.org.token, body: { tiers } });
    expect([200, 409]).toContain(res.status);
  }
  override toString() {
    return `editTiers(std ${this.std}, ga ${this.ga})`;
  }
}

const fan = fc.integer({ min: 0, max: FANS - 1 });
const idx = fc.nat(7);
/**
 * Weighted so that sequences of 8 get somewhere: most steps need a hold, an order or an attempt
 * made earlier in the sequence, and a cancelled event refuses nearly everything after it.
 */
const step: fc.Arbitrary<Cmd> = fc.oneof(
  {
    weight: 5,
    arbitrary: fc
      .tuple(fan, fc.uniqueArray(fc.constantFrom(...POOL), { minLength: 1, maxLength: 2 }))
      .map(([f, s]) => new HoldSeats(f, s)),
  },
  { weight: 3, arbitrary: fc.tuple(fan, fc.integer({ min: 1, max: 2 })).map(([f, q]) => new HoldPit(f, q)) },
  { weight: 6, arbitrary: idx.map((i) => new Checkout(i)) },
  { weight: 4, arbitrary: idx.map((i) => new DeclineOnPage(i)) },
  {
    weight: 2,
    arbitrary: fc.tuple(idx, idx).map(([o, a]) => new IntentWebhook("payment_intent.payment_failed", o, a)),
  },
  { weight: 6, arbitrary: idx.map((i) => new PayAgain(i)) },
  { weight: 4, arbitrary: fc.tuple(idx, idx).map(([o, a]) => new PayOnPage(o, a)) },
  { weight: 3, arbitrary: fc.tuple(idx, idx).map(([o, a]) => new IntentWebhook("payment_intent.succeeded", o, a)) },
  { weight: 2, arbitrary: fc.tuple(idx, fc.boolean()).map(([e, f]) => new Redeliver(e, f)) },
  { weight: 2, arbitrary: idx.map((i) => new Release(i)) },
  { weight: 2, arbitrary: idx.map((i) => new Expire(i)) },
  { weight: 4, arbitrary: idx.map((i) => new FanCancel(i)) },
  { weight: 4, arbitrary: fc.tuple(idx, fc.boolean(), idx).map(([o, p, t]) => new OrganizerRefund(o, p, t)) },
  { weight: 1, arbitrary: fc.constant(new CancelEvent()) },
  {
    weight: 1,
    arbitrary: fc
      .tuple(fc.constantFrom(4000, 5000, 6500), fc.constantFrom(2500, 3000))
      .map(([s, g]) => new EditTiers(s, g)),
  },
);

type Base = Awaited<ReturnType<typeof setupEvent>>;
let base: Base | undefined;

/**
 * A fresh event with a refund policy (so fan cancels work) and its fans. The first comes from
 * `setupEvent`; later ones reuse its organizer, venue and layout, which otherwise cost most of a
 * sequence's time, and are made the same way (same body, tiers, publish, on sale).
 */
async function freshEvent(): Promise<Real> {
  let event: Json;
  if (!base) {
    base = await setupEvent();
    event = base.event;
  } else {
    const { org, venue, layout } = base;
    const body = {
      venueId: venue.id,
      layoutId: layout.id,
      name: `Gig ${crypto.randomUUID().slice(0, 8)}`,
      // As setupEvent makes them (test/inventory/helpers.ts).
      category: "concert",
      startsAt: "2030-06-01T19:00:00Z",
      endsAt: "2030-06-01T23:00:00Z",
      currency: "NOK",
      maxSeatsPerOrder: 10,
      // The refund policy the first event gets by PATCH, set here at creation (one call less).
      refundDeadlineHours: 24,
    };
    event = await expectJson(await call("POST", "/v1/admin/events", { token: org.token, body }), 201);
    const tiers = [
      { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
      { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } },
    ];
    const admin = `/v1/admin/events/${event.id}`;
    await expectJson(await call("PUT", `${admin}/tiers`, { token: org.token, body: { tiers } }), 200);
    await expectJson(await call("POST", `${admin}/publish`, { token: org.token }), 200);
    await expectJson(await call("POST", `${admin}/status`, { token: org.token, body: { status: "on_sale" } }), 200);
  }
  const { org } = base;
  if (event.id === base.event.id)
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { refundDeadlineHours: 24 } }),
      200,
    );
  const fans = await Promise.all(Array.from({ length: FANS }, () => createUser()));
  return { eventId: event.id, org, fans };
}

describe("order lifecycle, model-based", () => {
  it(`keeps money, seats and attempts consistent over ${RUNS} random sequences`, { timeout: 900_000 }, async () => {
    console.log(`lifecycle model seed=${SEED} runs=${RUNS}`);
    const started = Date.now();
    await fc.assert(
      fc.asyncProperty(fc.commands([step], { maxCommands: 20, size: "max" }), async (cmds) => {
        let t = Date.now();
        const real = await freshEvent();
        timing.setup += Date.now() - t;
        const model: Model = { holds: [], orders: [], sent: [], seats: {}, cancelled: false, sold: false };
        await sync(model, real);
        t = Date.now();
        await fc.asyncModelRun(() => ({ model, real }), cmds);
        timing.steps += Date.now() - t;
        t = Date.now();
        const tokens = new Map(real.fans.map((f) => [f.id, f.token]));
        expect(await settled(real.eventId, tokens)).toEqual([]);
        timing.settle += Date.now() - t;
        for (const o of model.orders) tally(`order ${o.status}${o.attempts.length > 1 ? " (retried)" : ""}`);
      }),
      // Shrinking re-runs sequences on fresh events; stop it well before the test's own timeout so
      // the seed and the shortest sequence found so far are still printed.
      { seed: SEED, numRuns: RUNS, verbose: 1, interruptAfterTimeLimit: 840_000, markInterruptAsFailure: true },
    );
    console.log(`lifecycle model: ${RUNS} sequences in ${Math.round((Date.now() - started) / 1000)} s`);
    console.log(`lifecycle model time (ms): ${JSON.stringify(timing)}`);
    console.log(`lifecycle model coverage: ${[...seen].map(([k, n]) => `${k}=${n}`).join(", ")}`);
  });
});
