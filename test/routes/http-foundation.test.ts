import { env } from "cloudflare:workers";
import { createExecutionContext, waitOnExecutionContext } from "cloudflare:test";
import { describe, expect, it } from "vitest";
import { createApp } from "../../src/app";
import { call, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

/** The app with other bindings than the test config's (here: the seat map's edge cache on). */
async function callWith(bindings: typeof env, path: string, init: RequestInit = {}) {
  const ctx = createExecutionContext();
  const res = await createApp().fetch(new Request(`http://edge.test${path}`, init), bindings, ctx);
  await waitOnExecutionContext(ctx);
  return res;
}

describe("HTTP foundation", () => {
  it("answers GET /v1/health with ok and echoes a caller's request id", async () => {
    const res = await call("GET", "/v1/health", { headers: { "X-Request-Id": "abc-123" } });
    expect(res.status).toBe(200);
    expect(res.headers.get("x-request-id")).toBe("abc-123");
    expect(await res.json()).toMatchObject({ status: "ok" });
  });

  it("generates a request id when none is sent and puts it in errors too", async () => {
    const res = await call("GET", "/v1/nowhere");
    const rid = res.headers.get("x-request-id");
    expect(rid).toMatch(/.{8,}/);
    const problem = await expectProblem(res, 404, "not_found");
    expect(problem.requestId).toBe(rid);
    expect(problem).toMatchObject({ type: expect.stringContaining("not-found"), title: "Not found", status: 404 });
  });

  it("answers 405 with Allow for a known path and a wrong method", async () => {
    const res = await call("DELETE", "/v1/health");
    expect(res.headers.get("allow")).toBe("GET");
    await expectProblem(res, 405, "method_not_allowed");
  });

  it("sets secure headers", async () => {
    const res = await call("GET", "/v1/health");
    expect(res.headers.get("x-content-type-options")).toBe("nosniff");
    expect(res.headers.get("x-frame-options")).toBe("SAMEORIGIN");
  });

  it("allows CORS only from configured origins", async () => {
    const ok = await call("OPTIONS", "/v1/health", {
      headers: { Origin: "http://127.0.0.1:8787", "Access-Control-Request-Method": "GET" },
    });
    expect(ok.headers.get("access-control-allow-origin")).toBe("http://127.0.0.1:8787");
    const other = await call("OPTIONS", "/v1/health", {
      headers: { Origin: "https://evil.example", "Access-Control-Request-Method": "GET" },
    });
    expect(other.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("answers a preflight with the allowed methods, headers and max age, before any route", async () => {
    const res = await call("OPTIONS", "/v1/events/anything/holds", {
      headers: { Origin: "http://127.0.0.1:8787", "Access-Control-Request-Method": "POST" },
    });
    expect(res.status).toBe(204);
    expect(res.headers.get("access-control-allow-methods")).toBe("GET,POST,PUT,PATCH,DELETE,OPTIONS");
    expect(res.headers.get("access-control-allow-headers")).toContain("Idempotency-Key");
    expect(res.headers.get("access-control-max-age")).toBe("600");
    expect(res.headers.get("vary")).toContain("Origin");
    expect(res.headers.get("x-request-id")).toMatch(/.{8,}/);
  });

  it("puts CORS and secure headers on answers and on errors alike", async () => {
    for (const [path, status] of [
      ["/v1/health", 200],
      ["/v1/nowhere", 404],
    ] as const) {
      const res = await call("GET", path, { headers: { Origin: "http://localhost:8787" } });
      expect(res.status).toBe(status);
      expect(res.headers.get("access-control-allow-origin")).toBe("http://localhost:8787");
      expect(res.headers.get("access-control-expose-headers")).toBe("X-Request-Id,Retry-After,ETag,Location");
      expect(res.headers.get("vary")).toContain("Origin");
      expect(res.headers.get("x-content-type-options")).toBe("nosniff");
      expect(res.headers.get("content-type")).toContain("json");
    }
    // A response the route built itself (the seat map from the edge cache) gets them afterwards.
    const { event } = await setupEvent();
    const cached = { ...env, SEAT_CACHE_SECONDS: "30" } as typeof env;
    await callWith(cached, `/v1/events/${event.id}/seats`);
    const hit = await callWith(cached, `/v1/events/${event.id}/seats`, {
      headers: { Origin: "http://localhost:8787", "X-Request-Id": "seat-map-hit" },
    });
    expect(hit.headers.get("x-seat-cache")).toBe("hit");
    expect(hit.headers.get("x-request-id")).toBe("seat-map-hit");
    expect(hit.headers.get("x-frame-options")).toBe("SAMEORIGIN");
    expect(hit.headers.get("strict-transport-security")).toContain("max-age=");
    expect(hit.headers.get("access-control-allow-origin")).toBe("http://localhost:8787");
    const stranger = await call("GET", "/v1/health", { headers: { Origin: "https://evil.example" } });
    expect(stranger.headers.get("access-control-allow-origin")).toBeNull();
  });

  it("serves an OpenAPI 3.1 document", async () => {
    const res = await call("GET", "/v1/openapi.json");
    const doc = (await res.json()) as { openapi: string; paths: Record<string, unknown> };
    expect(doc.openapi).toBe("3.1.0");
    expect(doc.paths["/v1/health"]).toBeDefined();
  });
});

describe("request bodies", () => {
  it("refuses a body over MAX_BODY_BYTES with 413 problem+json", async () => {
    const big = JSON.stringify({ email: "a@example.test", password: "x".repeat(1_100_000) });
    const res = await call("POST", "/v1/auth/login", { raw: big, headers: { "Content-Type": "application/json" } });
    const problem = await expectProblem(res, 413, "payload_too_large");
    expect(problem.limit).toBe(1_048_576);
  });

  it("answers malformed JSON with 400 malformed_json", async () => {
    const res = await call("POST", "/v1/auth/login", {
      raw: "{not json",
      headers: { "Content-Type": "application/json" },
    });
    await expectProblem(res, 400, "malformed_json");
  });

  it("answers a non-JSON content type with 415", async () => {
    const res = await call("POST", "/v1/auth/login", {
      raw: "email=a",
      headers: { "Content-Type": "application/x-www-form-urlencoded" },
    });
    await expectProblem(res, 415, "unsupported_media_type");
  });

  it("serves the rendered API docs at /docs", async () => {
    const res = await call("GET", "/docs");
    expect(res.status).toBe(200);
    expect(await res.text()).toContain("/v1/openapi.json");
  });
});
