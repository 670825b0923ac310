import { describe, expect, it } from "vitest";
import { call, expectProblem } from "../helpers/http";
import { uniq } from "../helpers/fixtures";

// Every request gets its own client IP so the shared AUTH_LIMITER never trips between tests.
const ip = () =>
  `10.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const post = (path: string, body: unknown) => call("POST", path, { body, headers: { "CF-Connecting-IP": ip() } });
const password = "correct horse battery";

type Session = {
  user: { id: string; email: string; role: string; notifications: { email: boolean; sms: boolean } };
  accessToken: string;
  refreshToken: string;
  expiresIn: number;
};

describe("POST /v1/auth/signup", () => {
  it("creates a fan with a normalized email and returns a session", async () => {
    const local = `New.${uniq()}`;
    const res = await post("/v1/auth/signup", {
      email: `  ${local}@Example.TEST `,
      password,
      name: "Ada",
      phone: "+14155550123",
      notifications: { sms: true },
    });
    expect(res.status).toBe(201);
    const body = (await res.json()) as Session;
    expect(body.user).toMatchObject({
      email: `${local.toLowerCase()}@example.test`,
      role: "fan",
      notifications: { email: true, sms: true },
    });
    expect(body.accessToken.split(".")).toHaveLength(3);
    expect(body.refreshToken.length).toBeGreaterThan(20);
    expect(body.expiresIn).toBe(900);
  });

  it("refuses a duplicate email, whatever its case, with 409 email_taken", async () => {
    const email = `dup-${uniq()}@example.test`;
    expect((await post("/v1/auth/signup", { email, password })).status).toBe(201);
    await expectProblem(await post("/v1/auth/signup", { email: email.toUpperCase(), password }), 409, "email_taken");
  });

  it("makes the bootstrap email an admin", async () => {
    const res = await post("/v1/auth/signup", { email: "Root@Example.test", password });
    expect(res.status).toBe(201);
    expect(((await res.json()) as Session).user.role).toBe("admin");
  });

  it("rejects a short password with a field error on password", async () => {
    const problem = await expectProblem(
      await post("/v1/auth/signup", { email: `s-${uniq()}@example.test`, password: "short" }),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "password" })]));
  });

  it("rejects a phone that is not E.164", async () => {
    const problem = await expectProblem(
      await post("/v1/auth/signup", { email: `p-${uniq()}@example.test`, password, phone: "555-1234" }),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "phone" })]));
  });

  it("requires a phone for SMS notifications", async () => {
    const problem = await expectProblem(
      await post("/v1/auth/signup", { email: `n-${uniq()}@example.test`, password, notifications: { sms: true } }),
      400,
      "validation_failed",
    );
    expect(problem.errors).toEqual(expect.arrayContaining([expect.objectContaining({ path: "notifications.sms" })]));
  });

  it("rejects unknown fields", async () => {
    await expectProblem(
      await post("/v1/auth/signup", { email: `u-${uniq()}@example.test`, password, role: "admin" }),
      400,
      "validation_failed",
    );
  });

  it("answers malformed JSON with malformed_json", async () => {
    const res = await call("POST", "/v1/auth/signup", {
      raw: '{"email":',
      headers: { "Content-Type": "application/json", "CF-Connecting-IP": ip() },
    });
    await expectProblem(res, 400, "malformed_json");
  });
});

describe("POST /v1/auth/login", () => {
  it("signs in with the right password, case-insensitively on email", async () => {
    const email = `login-${uniq()}@example.test`;
    await post("/v1/auth/signup", { email, password });
    const res = await post("/v1/auth/login", { email: email.toUpperCase(), password });
    expect(res.status).toBe(200);
    const body = (await res.json()) as Session;
    expect(body.user.email).toBe(email);
    const me = await call("GET", "/v1/me", { token: body.accessToken });
    expect(me.status).toBe(200);
  });

  it("answers a wrong email and a wrong password identically", async () => {
    const email = `victim-${uniq()}@example.test`;
    await post("/v1/auth/signup", { email, password });
    const wrongPassword = await expectProblem(
      await post("/v1/auth/login", { email, password: "not the password" }),
      401,
      "unauthenticated",
    );
    const wrongEmail = await expectProblem(
      await post("/v1/auth/login", { email: `nobody-${uniq()}@example.test`, password }),
      401,
      "unauthenticated",
    );
    const strip = ({ requestId: _r, ...rest }: Record<string, unknown>) => rest;
    expect(strip(wrongEmail)).toEqual(strip(wrongPassword));
    expect(wrongPassword.detail).toBe("Email or password is incorrect");
  });

  it("rate limits the 11th attempt from one IP for one email with 429 and Retry-After", async () => {
    // The limiter counts in windows aligned to the clock's minutes: eleven attempts that straddle
    // a minute's turn are two windows' worth, so such a round is run again, inside one minute.
    const round = async () => {
      const email = `limited-${uniq()}@example.test`;
      const headers = { "CF-Connecting-IP": ip() };
      const minute = () => Math.floor(Date.now() / 60_000);
      const started = minute();
      const statuses: number[] = [];
      let limited: Response | undefined;
      for (let i = 0; i < 11; i++) {
        const res = await call("POST", "/v1/auth/login", { body: { email, password: "wrong password" }, headers });
        statuses.push(res.status);
        if (res.status === 429) limited = res;
        else await res.body?.cancel();
      }
      return { statuses, limited, straddled: minute() !== started };
    };
    let r = await round();
    if (r.straddled) r = await round();
    const { statuses, limited } = r;
    expect(statuses.slice(0, 10).every((s) => s === 401)).toBe(true);
    expect(limited).toBeDefined();
    expect(limited!.headers.get("retry-after")).toBe("60");
    await expectProblem(limited!, 429, "rate_limited");
  });
});
