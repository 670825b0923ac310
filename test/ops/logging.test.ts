import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { checkoutCall, fanWithHold, paySimulated, setupEvent } from "../orders/helpers";
import { hashUserId, redact, scrub } from "../../src/observability/log";
import { OPERATOR_TOKEN, captureLogs, requestLines, useOperatorToken, useRequestLogs } from "./helpers";

describe("request logging", () => {
  useOperatorToken();
  useRequestLogs();

  it(
    "writes one JSON line per request with the route pattern, status, duration, " + "event id and a hashed user",
    async () => {
      const { event } = await setupEvent();
      const { fan, lines } = await captureLogs(async () => {
        const { fan } = await fanWithHold(event.id, ["A-1-1"]);
        return fan;
      }).then((r) => ({ fan: r.result, lines: r.lines }));
      const reqs = requestLines(lines);
      expect(reqs).toHaveLength(1);
      const line = reqs[0]!;
      expect(line).toMatchObject({
        level: "info",
        msg: "request",
        method: "POST",
        route: "/v1/events/:id/holds",
        path: `/v1/events/${event.id}/holds`,
        status: 201,
        eventId: event.id,
        user: await hashUserId(fan.id),
      });
      expect(typeof line.requestId).toBe("string");
      expect(typeof line.durationMs).toBe("number");
      expect(typeof line.ts).toBe("string");
      expect(JSON.stringify(line)).not.toContain(fan.id);
    },
  );

  it("logs client errors at warn with the matched route, and unknown paths as unmatched", async () => {
    const { lines } = await captureLogs(async () => {
      await call("GET", "/v1/orders");
      await call("GET", "/v1/nothing-here");
    });
    const [unauth, missing] = requestLines(lines);
    expect(unauth).toMatchObject({ level: "warn", route: "/v1/orders", status: 401 });
    expect(missing).toMatchObject({ route: "unmatched", status: 404 });
  });

  it("logs a lost seat race (409) at info: an on-sale has them by the thousand", async () => {
    const { event } = await setupEvent();
    await fanWithHold(event.id, ["A-1-1"]);
    const late = await createUser();
    const { lines } = await captureLogs(async () => {
      const res = await call("POST", `/v1/events/${event.id}/holds`, { token: late.token, body: { seats: ["A-1-1"] } });
      expect(res.status).toBe(409);
    });
    expect(requestLines(lines)).toMatchObject([{ level: "info", status: 409, route: "/v1/events/:id/holds" }]);
  });

  it("LOG_LEVEL=warn drops the info lines and keeps the warnings", async () => {
    const { event } = await setupEvent();
    const e = env as unknown as { LOG_LEVEL: string };
    const before = e.LOG_LEVEL;
    e.LOG_LEVEL = "warn";
    try {
      const { lines } = await captureLogs(async () => {
        await fanWithHold(event.id, ["A-1-1"]);
        await call("GET", "/v1/orders");
      });
      const reqs = requestLines(lines);
      expect(reqs.map((l) => [l.level, l.status])).toEqual([["warn", 401]]);
    } finally {
      e.LOG_LEVEL = before;
    }
  });

  it("no line carries a bearer token, the JWT secret, a password, a card number or an email address", async () => {
    const email = `leak-${uniq()}@example.test`;
    const password = `pw-${uniq()}-correct-horse`;
    const card = "4242 4242 4242 4242";
    const { lines, result } = await captureLogs(async () => {
      const signup = await expectJson(
        await call("POST", "/v1/auth/signup", { body: { email, password, name: "Leak Test" } }),
        201,
      );
      await call("POST", "/v1/auth/login", { body: { email, password: "wrong-password-123" } });
      const login = await expectJson(await call("POST", "/v1/auth/login", { body: { email, password } }), 200);
      const { event } = await setupEvent();
      const hold = await expectJson(
        await call("POST", `/v1/events/${event.id}/holds`, { token: login.accessToken, body: { seats: ["A-1-1"] } }),
        201,
      );
      const co = await expectJson(await checkoutCall(login.accessToken, hold.holdId), 201);
      await paySimulated(co.payment.paymentUrl, card);
      await call("GET", "/v1/admin/metrics", { token: OPERATOR_TOKEN });
      await call("GET", "/v1/health?deep=1", { token: OPERATOR_TOKEN });
      return {
        tokens: [signup.accessToken, signup.refreshToken, login.accessToken, login.refreshToken].filter(
          Boolean,
        ) as string[],
      };
    });
    expect(requestLines(lines).length).toBeGreaterThanOrEqual(8);
    const all = lines.join("\n");
    for (const secret of [
      ...result.tokens,
      OPERATOR_TOKEN,
      (env as unknown as { JWT_SECRET: string }).JWT_SECRET,
      password,
      card,
      card.replaceAll(" ", ""),
      email,
    ]) {
      expect(all, `a log line contains ${secret.slice(0, 12)}…`).not.toContain(secret);
    }
    expect(all).not.toMatch(/[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/);
  });
});

describe("redaction", () => {
  it("drops secret keys and scrubs tokens, card numbers and emails from any string", () => {
    const out = redact({
      password: "hunter2",
      Authorization: "Bearer abc.def",
      nested: { recipient: "a@b.co", note: "card 4000 0000 0000 0002 for x@y.example, jwt eyJhbGciOi.eyJzdWIiOi.sig" },
      count: 3,
    });
    expect(out).toEqual({
      password: "[redacted]",
      Authorization: "[redacted]",
      nested: { recipient: "[redacted]", note: "card [card] for [email], jwt [jwt]" },
      count: 3,
    });
    expect(scrub("failed: Bearer sk_live_abcdefgh12345678 sent")).toBe("failed: Bearer [redacted] sent");
    expect(scrub("key whsec_abcdefghijk")).toBe("key [key]");
  });

  it("flattens errors to name, scrubbed message and stack", () => {
    const out = redact(new Error("could not mail ada@example.test")) as {
      name: string;
      message: string;
      stack: string;
    };
    expect(out.name).toBe("Error");
    expect(out.message).toBe("could not mail [email]");
    expect(out.stack).not.toContain("ada@example.test");
  });
});
