import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectJson, expectProblem } from "../helpers/http";
import { checkoutCall, fanWithHold, newKey, paymentRows, setupEvent } from "./helpers";

// Checkout's Idempotency-Key lives in the event's object and is taken by the same call that opens
// the order, and its answer stored by the call that records the intent (no calls of its own).

type KeyRow = { state: string; response_status: number | null; response_body: string | null; created_at: number };

/** The key's record in the event's object, or undefined. */
function keyRecord(eventId: string, key: string) {
  return runInDurableObject(
    env.EVENT_INVENTORY.getByName(eventId),
    (_i, state) =>
      state.storage.sql
        .exec<KeyRow>(
          "SELECT state, response_status, response_body, created_at FROM idempotency_keys WHERE key = ?",
          key,
        )
        .toArray()[0],
  );
}

function rewriteRecord(eventId: string, key: string, sql: string, ...values: unknown[]) {
  return runInDurableObject(env.EVENT_INVENTORY.getByName(eventId), (_i, state) => {
    state.storage.sql.exec(`UPDATE idempotency_keys SET ${sql} WHERE key = ?`, ...values, key);
  });
}

describe("checkout's Idempotency-Key, kept by the event's object", () => {
  it("stores the answer it sent with the intent, and replays it", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-1"]);
    const key = newKey();
    const first = await checkoutCall(fan.token, hold.holdId, key);
    const sent = await first.text();
    expect(first.status).toBe(201);
    const row = await keyRecord(event.id, key);
    expect(row).toMatchObject({ state: "done", response_status: 201 });
    expect(row!.response_body).toBe(sent);

    const again = await checkoutCall(fan.token, hold.holdId, key);
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect(again.headers.get("Content-Type")).toBe("application/json");
    expect(await again.text()).toBe(sent);
  });

  it("runs once for two requests sent at once under one key: the other gets the same answer", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-2"]);
    const key = newKey();
    const answers = await Promise.all([
      checkoutCall(fan.token, hold.holdId, key),
      checkoutCall(fan.token, hold.holdId, key),
    ]);
    const bodies = await Promise.all(answers.map((r) => r.text()));
    expect(answers.map((r) => r.status)).toEqual([201, 201]);
    expect(bodies[0]).toBe(bodies[1]);
    expect(answers.filter((r) => r.headers.get("Idempotent-Replayed") === "true")).toHaveLength(1);
    expect(await paymentRows(JSON.parse(bodies[0]!).orderId)).toHaveLength(1);
  });

  it("takes over a key whose request died in progress, and one whose record expired", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-3"]);
    const key = newKey();
    const first = await expectJson(await checkoutCall(fan.token, hold.holdId, key), 201);

    // A request that took the key ten minutes ago and never answered: its lock is void.
    await rewriteRecord(
      event.id,
      key,
      "state = 'in_progress', response_body = NULL, created_at = ?",
      Date.now() - 600_000,
    );
    const afterDeath = await checkoutCall(fan.token, hold.holdId, key);
    expect(afterDeath.status).toBe(201);
    expect(afterDeath.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await afterDeath.json()) as { orderId: string }).toMatchObject({ orderId: first.orderId });
    expect(await keyRecord(event.id, key)).toMatchObject({ state: "done", response_status: 201 });

    // An answer past its 24 hours is not replayed: the request runs again.
    await rewriteRecord(event.id, key, "response_body = '{\"stale\":true}', expires_at = 1");
    const afterExpiry = await checkoutCall(fan.token, hold.holdId, key);
    expect(afterExpiry.headers.get("Idempotent-Replayed")).toBeNull();
    expect((await afterExpiry.json()) as { orderId: string }).toMatchObject({ orderId: first.orderId });
    expect(await paymentRows(first.orderId)).toHaveLength(1);
  });

  it("answers 409 while the request holding the key still runs, and takes no key for a refusal", async () => {
    const { event } = await setupEvent();
    const { fan, hold } = await fanWithHold(event.id, ["A-2-4"]);
    const key = newKey();
    await expectJson(await checkoutCall(fan.token, hold.holdId, key), 201);
    await rewriteRecord(event.id, key, "state = 'in_progress', created_at = ?", Date.now());
    const busy = await checkoutCall(fan.token, hold.holdId, key);
    await expectProblem(busy, 409, "request_in_progress");
    expect(busy.headers.get("Retry-After")).toBe("1");

    // A released hold cannot check out: nothing is written, so the key stays free.
    const other = await fanWithHold(event.id, ["A-2-5"]);
    const release = await call("DELETE", `/v1/holds/${encodeURIComponent(other.hold.holdId)}`, {
      token: other.fan.token,
    });
    expect(release.status).toBe(204);
    const refusedKey = newKey();
    await expectProblem(await checkoutCall(other.fan.token, other.hold.holdId, refusedKey), 409, "hold_not_active");
    expect(await keyRecord(event.id, refusedKey)).toBeUndefined();
  });
});
