import { describe, expect, it } from "vitest";
import { uniq } from "../helpers/fixtures";
import { call, expectProblem } from "../helpers/http";

// Each test draws its own addresses, so the shared limiters of other tests never interfere.
const ip = () =>
  `172.${16 + Math.floor(Math.random() * 16)}.${Math.floor(Math.random() * 250)}.${Math.floor(Math.random() * 250)}`;
const post = (path: string, body: unknown, fromIp: string) =>
  call("POST", path, { body, headers: { "CF-Connecting-IP": fromIp } });

// Runs of 20 to 30 scrypt checks, plus the wait below, can pass the default 20 s on a shared machine.
const SLOW = 90_000;

/**
 * Miniflare's limiter windows are aligned to the wall-clock minute, so a run that crosses a minute
 * boundary starts a fresh budget half-way. Waits for the next minute unless `seconds` remain.
 */
async function inOneWindow(seconds: number) {
  const left = 60_000 - (Date.now() % 60_000);
  if (left < seconds * 1000) await new Promise((resolve) => setTimeout(resolve, left + 100));
}

/** Sends `count` requests one after another; statuses in order and the first 429, left unread. */
async function attempts(count: number, send: (i: number) => Promise<Response>) {
  const statuses: number[] = [];
  let limited: Response | undefined;
  for (let i = 0; i < count; i++) {
    const res = await send(i);
    statuses.push(res.status);
    if (res.status === 429 && !limited) limited = res;
    else await res.body?.cancel();
  }
  return { statuses, limited };
}

async function expectLimited(res: Response | undefined) {
  expect(res).toBeDefined();
  expect(res!.headers.get("retry-after")).toBe("60");
  await expectProblem(res!, 429, "rate_limited");
}

describe("password spraying", () => {
  it("limits one IP across many emails: 30 wrong passwords, then 429 with Retry-After", { timeout: SLOW }, async () => {
    const from = ip();
    const run = uniq();
    await inOneWindow(35);
    const { statuses, limited } = await attempts(31, (i) =>
      post("/v1/auth/login", { email: `spray-${run}-${i}@example.test`, password: "Winter2026!" }, from),
    );
    expect(statuses.slice(0, 30)).toEqual(Array(30).fill(401));
    expect(statuses[30]).toBe(429);
    await expectLimited(limited);
    // Another client is not affected by this one's budget.
    const other = await post("/v1/auth/login", { email: `spray-${run}-0@example.test`, password: "x" }, ip());
    await expectProblem(other, 401, "unauthenticated");
  });

  it("limits one email attacked from many IPs: 20 wrong passwords, then 429 with Retry-After", {
    timeout: SLOW,
  }, async () => {
    const email = `target-${uniq()}@example.test`;
    expect((await post("/v1/auth/signup", { email, password: "correct horse battery" }, ip())).status).toBe(201);
    await inOneWindow(30);
    const { statuses, limited } = await attempts(21, () =>
      post("/v1/auth/login", { email, password: "wrong password" }, ip()),
    );
    expect(statuses.slice(0, 20)).toEqual(Array(20).fill(401));
    expect(statuses[20]).toBe(429);
    await expectLimited(limited);
  });

  it("does not spend a victim's per-email budget on requests refused for their IP", { timeout: SLOW }, async () => {
    const from = ip();
    const run = uniq();
    const victim = `victim-${run}@example.test`;
    expect((await post("/v1/auth/signup", { email: victim, password: "correct horse battery" }, ip())).status).toBe(
      201,
    );
    await inOneWindow(40);
    await attempts(30, (i) => post("/v1/auth/login", { email: `fill-${run}-${i}@example.test`, password: "x" }, from));
    const blocked = await attempts(25, () => post("/v1/auth/login", { email: victim, password: "guess" }, from));
    expect(blocked.statuses).toEqual(Array(25).fill(429));
    const owner = await post("/v1/auth/login", { email: victim, password: "correct horse battery" }, ip());
    expect(owner.status).toBe(200);
  });
});

describe("sign-up limits", () => {
  it("limits one IP creating accounts: 10 sign-ups, then 429 with Retry-After", { timeout: SLOW }, async () => {
    const from = ip();
    const run = uniq();
    await inOneWindow(25);
    const { statuses, limited } = await attempts(11, (i) =>
      post("/v1/auth/signup", { email: `bulk-${run}-${i}@example.test`, password: "a long enough password" }, from),
    );
    expect(statuses.slice(0, 10)).toEqual(Array(10).fill(201));
    expect(statuses[10]).toBe(429);
    await expectLimited(limited);
  });

  it("limits probing one email from many IPs: 201, 19 × 409, then 429", { timeout: SLOW }, async () => {
    const email = `probe-${uniq()}@example.test`;
    await inOneWindow(20);
    const { statuses, limited } = await attempts(21, () =>
      post("/v1/auth/signup", { email, password: "a long enough password" }, ip()),
    );
    expect(statuses.slice(0, 20)).toEqual([201, ...Array(19).fill(409)]);
    expect(statuses[20]).toBe(429);
    await expectLimited(limited);
  });
});
