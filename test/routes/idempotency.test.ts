import { env } from "cloudflare:workers";
import { Hono } from "hono";
import { describe, expect, it } from "vitest";
import type { AppError } from "../../src/errors";
import type { AppEnv } from "../../src/env";
import {
  IDEMPOTENCY_TTL_MS,
  purgeExpiredIdempotencyKeys,
  requireIdempotencyKey,
} from "../../src/middleware/idempotency";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";

const venueBody = () => ({
  name: `Arena ${uniq()}`,
  address: "2 Quay",
  city: "Oslo",
  country: "NO",
  timezone: "Europe/Oslo",
  region: "weur",
});

function postVenue(token: string, body: unknown, key?: string) {
  return call("POST", "/v1/admin/venues", {
    token,
    body,
    headers: key === undefined ? {} : { "Idempotency-Key": key },
  });
}

async function venueCount(token: string): Promise<number> {
  const list = await expectJson(await call("GET", "/v1/admin/venues", { token }), 200);
  return (list.items as unknown[]).length;
}

function keyRow(scope: string, route: string, key: string) {
  return env.DB.prepare("SELECT * FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?")
    .bind(scope, route, key)
    .first<Record<string, unknown>>();
}

describe("Idempotency-Key on mutating routes", () => {
  it("replays the first status and body for the same key and body, and creates only one venue", async () => {
    const org = await createUser({ role: "organizer" });
    const key = `k-${uniq()}`;
    const body = venueBody();
    const first = await postVenue(org.token, body, key);
    expect(first.status).toBe(201);
    expect(first.headers.get("idempotent-replayed")).toBeNull();
    const firstText = await first.text();
    const second = await postVenue(org.token, body, key);
    expect(second.status).toBe(201);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(second.headers.get("content-type")).toMatch(/^application\/json/);
    expect(await second.text()).toBe(firstText);
    expect(JSON.parse(firstText)).toMatchObject({ name: body.name });
    expect(await venueCount(org.token)).toBe(1);
  });

  it(
    "answers 422 idempotency_key_mismatch when the same key comes with another body, " + "and creates nothing",
    async () => {
      const org = await createUser({ role: "organizer" });
      const key = `k-${uniq()}`;
      await expectJson(await postVenue(org.token, venueBody(), key), 201);
      await expectProblem(await postVenue(org.token, venueBody(), key), 422, "idempotency_key_mismatch");
      expect(await venueCount(org.token)).toBe(1);
    },
  );

  it("scopes keys per user: two users with the same key both run", async () => {
    const a = await createUser({ role: "organizer" });
    const b = await createUser({ role: "organizer" });
    const key = `shared-${uniq()}`;
    const body = venueBody();
    const ra = await postVenue(a.token, body, key);
    const rb = await postVenue(b.token, body, key);
    expect(ra.headers.get("idempotent-replayed")).toBeNull();
    expect(rb.headers.get("idempotent-replayed")).toBeNull();
    const va = await expectJson(ra, 201);
    const vb = await expectJson(rb, 201);
    expect(va.id).not.toBe(vb.id);
    expect(await venueCount(a.token)).toBe(1);
    expect(await venueCount(b.token)).toBe(1);
  });

  it("stores and replays a 4xx problem for the same key and body", async () => {
    const org = await createUser({ role: "organizer" });
    const key = `k-${uniq()}`;
    const bad = { ...venueBody(), country: "norway" };
    const first = await postVenue(org.token, bad, key);
    const firstText = await first.clone().text();
    const problem = await expectProblem(first, 400, "validation_failed");
    const second = await postVenue(org.token, bad, key);
    expect(second.headers.get("idempotent-replayed")).toBe("true");
    expect(await second.clone().text()).toBe(firstText);
    // The replay is the first answer, request id included.
    expect((await expectProblem(second, 400, "validation_failed")).requestId).toBe(problem.requestId);
  });

  it(
    "runs concurrent duplicates once: the others replay the first answer " + "or answer 409 request_in_progress",
    async () => {
      const org = await createUser({ role: "organizer" });
      const key = `k-${uniq()}`;
      const body = venueBody();
      const answers = await Promise.all(Array.from({ length: 5 }, () => postVenue(org.token, body, key)));
      const originals = answers.filter((r) => r.status === 201 && r.headers.get("idempotent-replayed") === null);
      expect(originals).toHaveLength(1);
      const originalText = await originals[0]!.text();
      for (const res of answers) {
        if (res === originals[0]) continue;
        if (res.status === 409) {
          await expectProblem(res, 409, "request_in_progress");
          expect(res.headers.get("retry-after")).toBe("1");
        } else {
          expect(res.status).toBe(201);
          expect(res.headers.get("idempotent-replayed")).toBe("true");
          expect(await res.text()).toBe(originalText);
        }
      }
      expect(await venueCount(org.token)).toBe(1);
    },
  );

  it("runs the request again once its record has expired", async () => {
    const org = await createUser({ role: "organizer" });
    const key = `k-${uniq()}`;
    const body = venueBody();
    await expectJson(await postVenue(org.token, body, key), 201);
    const row = await keyRow(org.id, "POST /v1/admin/venues", key);
    expect(row).toMatchObject({ state: "done", response_status: 201 });
    expect(Number(row!.expires_at) - Number(row!.created_at)).toBe(IDEMPOTENCY_TTL_MS);
    await env.DB.prepare("UPDATE idempotency_keys SET expires_at = ? WHERE scope = ? AND route = ? AND key = ?")
      .bind(Date.now() - 1000, org.id, "POST /v1/admin/venues", key)
      .run();

    const again = await postVenue(org.token, body, key);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    await expectJson(again, 201);
    expect(await venueCount(org.token)).toBe(2);
  });

  it("treats a record left in progress by a request that died long ago as abandoned", async () => {
    const org = await createUser({ role: "organizer" });
    const key = `k-${uniq()}`;
    const body = venueBody();
    const stale = Date.now() - 6 * 60 * 1000;
    // What a Worker that crashed mid-request leaves behind: a claim without an answer.
    await env.DB.prepare(
      "INSERT INTO idempotency_keys (scope, route, key, request_hash, state, created_at, expires_at) " +
        "VALUES (?, ?, ?, 'x', 'in_progress', ?, ?)",
    )
      .bind(org.id, "POST /v1/admin/venues", key, stale, stale + IDEMPOTENCY_TTL_MS)
      .run();
    await expectJson(await postVenue(org.token, body, key), 201);
    expect(await venueCount(org.token)).toBe(1);
  });

  it("leaves requests without the header untouched: two identical POSTs create two venues", async () => {
    const org = await createUser({ role: "organizer" });
    const body = venueBody();
    await expectJson(await postVenue(org.token, body), 201);
    const second = await postVenue(org.token, body);
    expect(second.headers.get("idempotent-replayed")).toBeNull();
    await expectJson(second, 201);
    expect(await venueCount(org.token)).toBe(2);
  });

  it.each([
    ["longer than 255 characters", "x".repeat(300)],
    ["containing a space", "two words"],
    ["empty", ""],
  ])("answers 400 bad_request for a key %s", async (_, key) => {
    const org = await createUser({ role: "organizer" });
    const problem = await expectProblem(await postVenue(org.token, venueBody(), key), 400, "bad_request");
    expect(problem.detail).toMatch(/Idempotency-Key/);
    expect(await venueCount(org.token)).toBe(0);
  });

  it("stores no record for an anonymous caller, so a later caller never gets its 401 replayed", async () => {
    const key = `k-${uniq()}`;
    const body = venueBody();
    await expectProblem(await postVenue("not-a-valid-jwt", body, key), 401, "unauthenticated");
    const again = await call("POST", "/v1/admin/venues", { body, headers: { "Idempotency-Key": key } });
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    await expectProblem(again, 401, "unauthenticated");
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = ?")
      .bind(key)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });

  it("never stores a 403: the same caller may retry the key once allowed", async () => {
    const fan = await createUser();
    const key = `k-${uniq()}`;
    const body = venueBody();
    await expectProblem(await postVenue(fan.token, body, key), 403, "forbidden");
    expect(await keyRow(fan.id, "POST /v1/admin/venues", key)).toBeNull();
    const again = await postVenue(fan.token, body, key);
    expect(again.headers.get("idempotent-replayed")).toBeNull();
    await expectProblem(again, 403, "forbidden");
  });

  it("ignores the header on the simulated pay page and on reads", async () => {
    const key = `k-${uniq()}`;
    await call("POST", `/v1/pay/${uniq()}`, { headers: { "Idempotency-Key": key } });
    const org = await createUser({ role: "organizer" });
    await expectJson(
      await call("GET", "/v1/admin/venues", { token: org.token, headers: { "Idempotency-Key": key } }),
      200,
    );
    const rows = await env.DB.prepare("SELECT COUNT(*) AS n FROM idempotency_keys WHERE key = ?")
      .bind(key)
      .first<{ n: number }>();
    expect(rows!.n).toBe(0);
  });
});

describe("requireIdempotencyKey", () => {
  const app = new Hono<AppEnv>()
    .post("/checkout", requireIdempotencyKey, (c) => c.text("ran"))
    .onError((err, c) => c.json({ code: (err as AppError).code }, (err as AppError).status));

  it("answers 400 idempotency_key_missing without the header", async () => {
    const res = await app.request("/checkout", { method: "POST" });
    expect(res.status).toBe(400);
    expect(await res.json()).toEqual({ code: "idempotency_key_missing" });
  });

  it("lets a request with the header through", async () => {
    const res = await app.request("/checkout", { method: "POST", headers: { "Idempotency-Key": "abc" } });
    expect(await res.text()).toBe("ran");
  });
});

describe("purgeExpiredIdempotencyKeys", () => {
  it("deletes only the records whose expiry has passed", async () => {
    const scope = `purge-${uniq()}`;
    const insert = (key: string, expiresAt: number) =>
      env.DB.prepare(
        "INSERT INTO idempotency_keys (scope, route, key, request_hash, state, created_at, expires_at) " +
          "VALUES (?, 'POST /v1/x', ?, 'h', 'done', 0, ?)",
      ).bind(scope, key, expiresAt);
    // Expiries far in the past, so rows left by other tests in this file are never at stake.
    await env.DB.batch([insert("old", 1_000), insert("edge", 2_000), insert("young", 3_000)]);
    expect(await purgeExpiredIdempotencyKeys(env.DB, 2_000)).toBe(2);
    const left = await env.DB.prepare("SELECT key FROM idempotency_keys WHERE scope = ?")
      .bind(scope)
      .all<{ key: string }>();
    expect(left.results.map((r) => r.key)).toEqual(["young"]);
  });
});
