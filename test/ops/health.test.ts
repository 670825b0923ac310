import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { consumeHealthProbes } from "../../src/observability/deep-health";
import { OPERATOR_TOKEN, useOperatorToken } from "./helpers";

describe("GET /v1/health", () => {
  useOperatorToken();

  it("stays public and cheap without ?deep", async () => {
    const body = await expectJson(await call("GET", "/v1/health"), 200);
    expect(body.status).toBe("ok");
    expect(body.checks).toBeUndefined();
  });

  it("answers 401 to ?deep=1 without the operator token, 403 to a fan", async () => {
    await expectProblem(await call("GET", "/v1/health?deep=1"), 401, "unauthenticated");
    const fan = await createUser();
    await expectProblem(await call("GET", "/v1/health?deep=1", { token: fan.token }), 403, "forbidden");
  });

  it("checks D1, a Durable Object and a queue send, each with its latency", async () => {
    const body = await expectJson(await call("GET", "/v1/health?deep=1", { token: OPERATOR_TOKEN }), 200);
    expect(body.status).toBe("ok");
    for (const name of ["d1", "durableObject", "queue"]) {
      expect(body.checks[name], name).toMatchObject({ ok: true });
      expect(Number.isInteger(body.checks[name].latencyMs) && body.checks[name].latencyMs >= 0, name).toBe(true);
    }
  });

  it("accepts an admin's access token", async () => {
    const admin = await createUser({ role: "admin" });
    expect((await expectJson(await call("GET", "/v1/health?deep=1", { token: admin.token }), 200)).status).toBe("ok");
  });
});

describe("health-probe queue", () => {
  it("acks every probe", async () => {
    const batch = createMessageBatch("health-probe", [
      {
        id: "p1",
        timestamp: new Date(),
        attempts: 1,
        body: { type: "health.probe", requestId: "r", sentAt: Date.now() },
      },
    ]);
    const ctx = createExecutionContext();
    await consumeHealthProbes(batch);
    const result = await getQueueResult(batch, ctx);
    expect(result.ackAll).toBe(true);
    expect(result.retryMessages).toEqual([]);
  });
});
