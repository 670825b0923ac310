import { ledgerCaughtUp } from "../helpers/ledger";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";
import { METRIC, count } from "../../src/observability/metrics";
import { renderPrometheus } from "../../src/observability/prometheus";
import { OPERATOR_TOKEN, parsePrometheus, useOperatorToken } from "./helpers";

async function scrape(token = OPERATOR_TOKEN) {
  const res = await call("GET", "/v1/admin/metrics", { token });
  expect(res.status).toBe(200);
  expect(res.headers.get("content-type")).toMatch(/^text\/plain; version=0\.0\.4/);
  return parsePrometheus(await res.text());
}

describe("GET /v1/admin/metrics", () => {
  useOperatorToken();

  it("answers 401 without a token or with a wrong one, and 403 to a fan", async () => {
    await expectProblem(await call("GET", "/v1/admin/metrics"), 401, "unauthenticated");
    await expectProblem(
      await call("GET", "/v1/admin/metrics", { token: "not-the-operator-token" }),
      401,
      "unauthenticated",
    );
    const fan = await createUser();
    await expectProblem(await call("GET", "/v1/admin/metrics", { token: fan.token }), 403, "forbidden");
  });

  it("lets an admin's access token in as well as the operator token", async () => {
    const admin = await createUser({ role: "admin" });
    const m = await scrape(admin.token);
    expect(m.types.get("edge_tickets_event_seats")).toBe("gauge");
  });

  it("reports seats sold, held and available and the revenue of an on-sale event after a purchase", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-1-1", "A-1-2"]);
    const co = await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await paySimulated(co.payment.paymentUrl);
    await fanWithHold(event.id, ["A-2-1"]); // a live hold, not paid
    // Revenue and payment gauges read the ledger (D1), a moment behind the event's object.
    await ledgerCaughtUp(event.id);

    const m = await scrape();
    for (const name of [
      "edge_tickets_event_seats",
      "edge_tickets_event_revenue_minor",
      "edge_tickets_pending_payments",
      "edge_tickets_dead_letters",
      "edge_tickets_outbox_backlog",
      "edge_tickets_notifications",
    ]) {
      expect(m.types.get(name), name).toBe("gauge");
    }
    const e = { event_id: event.id };
    expect(m.value("edge_tickets_event_seats", { ...e, state: "sold" })).toBe(2);
    expect(m.value("edge_tickets_event_seats", { ...e, state: "held" })).toBe(1);
    expect(m.value("edge_tickets_event_seats", { ...e, state: "available" })).toBe(37);
    expect(m.value("edge_tickets_event_ga_places", { ...e, state: "available" })).toBe(50);
    expect(m.value("edge_tickets_event_revenue_minor", { ...e, currency: "NOK" })).toBe(10000);
    expect(m.value("edge_tickets_event_inventory_up", e)).toBe(1);
    expect(m.value("edge_tickets_event_info", e)).toBe(1);
    expect(m.value("edge_tickets_revenue_minor", { currency: "NOK" })).toBeGreaterThanOrEqual(10000);
  });

  it("counts a checkout waiting for its payment", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-3-1"]);
    const before = (await scrape()).value("edge_tickets_pending_payments", {}) ?? 0;
    await expectJson(await checkoutCall(fan.token, hold.holdId), 201);
    await ledgerCaughtUp(event.id);
    expect((await scrape()).value("edge_tickets_pending_payments", {})).toBe(before + 1);
  });

  it("leaves events that are not on sale out", async () => {
    const { event } = await setupEvent({ onSale: false });
    const m = await scrape();
    expect(m.samples.some((s) => s.labels.event_id === event.id)).toBe(false);
  });
});

describe("Prometheus rendering", () => {
  it("declares HELP and TYPE once per family and escapes label values", () => {
    const text = renderPrometheus([
      {
        name: "x_total",
        type: "counter",
        help: "A\nB",
        samples: [{ labels: { name: 'say "hi"\\' }, value: 2 }, { value: 1 }],
      },
    ]);
    expect(text).toBe('# HELP x_total A\\nB\n# TYPE x_total counter\nx_total{name="say \\"hi\\"\\\\"} 2\nx_total 1\n');
    expect(parsePrometheus(text).samples[0]!.labels.name).toBe('say "hi"\\');
  });
});

describe("Analytics Engine counters", () => {
  const dataset = () => {
    const points: AnalyticsEngineDataPoint[] = [];
    return {
      points,
      METRICS: { writeDataPoint: (p?: AnalyticsEngineDataPoint) => void points.push(p!) } as AnalyticsEngineDataset,
    };
  };

  it("writes one point per count: the name as index and first blob, labels after it, value and ms as doubles", () => {
    const d = dataset();
    count({ METRICS: d.METRICS, METRICS_ENABLED: "true" }, METRIC.holdLost, ["evt_1", 409]);
    expect(d.points).toEqual([{ indexes: ["hold_lost"], blobs: ["hold_lost", "evt_1", "409"], doubles: [1, 0] }]);
  });

  it('writes nothing when METRICS_ENABLED is "false" or the binding is missing, and never throws', () => {
    const d = dataset();
    count({ METRICS: d.METRICS, METRICS_ENABLED: "false" }, METRIC.checkout);
    count({}, METRIC.checkout);
    count(
      {
        METRICS: {
          writeDataPoint: () => {
            throw new Error("limit");
          },
        } as unknown as AnalyticsEngineDataset,
      },
      METRIC.checkout,
    );
    expect(d.points).toEqual([]);
  });
});
