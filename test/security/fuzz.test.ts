import { exports } from "cloudflare:workers";
import fc from "fast-check";
import { beforeAll, describe, expect, it } from "vitest";
import { newId } from "../../src/lib/ids";
import { createUser } from "../helpers/fixtures";
import { BASE, call, expectJson, type Json } from "../helpers/http";
import { isPublic, type Operation, operations } from "../helpers/openapi";
import { setupEvent } from "../inventory/helpers";

/**
 * Malformed input for every operation of /v1/openapi.json: missing, extra and mistyped fields,
 * huge strings and arrays (under and over the body limit), odd unicode, odd ids. Whatever is sent,
 * the answer is never a 5xx, every 4xx is problem+json, and nothing hangs. Seeded: a failure prints
 * the seed and fast-check's counterexample; set SEED to it to replay.
 */
const SEED = 20_261_201;
const RUNS_PER_OPERATION = 25; // about 2,000 requests, 40 s on two cores
const REQUEST_TIMEOUT_MS = 10_000;
const BODY_LIMIT = 1_048_576; // MAX_BODY_BYTES in wrangler.toml

// ---- odd values

const ODD_STRINGS = [
  "",
  "\u0000",
  "a\u0000b",
  "\ud800",
  "x\udfffy",
  "\u202eevil\u202c",
  "\u2066\u2067\u2068\u2069",
  "👩‍👩‍👧‍👦🏳️‍🌈",
  "😀".repeat(2_000),
  "\ufeff\u200b\u00ad",
  "../../etc/passwd",
  "%00%2e%2e%2f",
  "'; DROP TABLE users; --",
  "<script>alert(1)</script>",
  "#{7*7}{{7*7}}%{7*7}",
  " ",
  "x".repeat(100_000),
];
const oddString = fc.oneof(
  { weight: 3, arbitrary: fc.constantFrom(...ODD_STRINGS) },
  { weight: 1, arbitrary: fc.string({ unit: "binary", maxLength: 40 }) },
);
const junk: fc.Arbitrary<unknown> = fc.oneof(
  oddString,
  fc.integer(),
  fc.constantFrom(1e308, -1e308, 0.5, -0, 2 ** 53 + 1, -1),
  fc.boolean(),
  fc.constant(null),
  fc.array(fc.jsonValue({ maxDepth: 1 }), { maxLength: 3 }),
  fc.dictionary(fc.string({ maxLength: 5 }), fc.jsonValue({ maxDepth: 1 }), { maxKeys: 3 }),
  fc.constant(JSON.parse('{"__proto__":{"admin":true},"constructor":{"prototype":{}}}')),
);

// ---- values shaped by the document's schemas, mostly right, sometimes wrong at any depth

type Schema = Json;
let components: Record<string, Schema> = {};
const resolve = (s: Schema | undefined): Schema => {
  let cur = s ?? {};
  for (let i = 0; i < 10 && cur.$ref; i++) cur = components[String(cur.$ref).split("/").pop() as string] ?? {};
  return cur;
};

function shaped(schema: Schema | undefined, depth = 0): fc.Arbitrary<unknown> {
  return fc.oneof({ weight: 4, arbitrary: wellTyped(resolve(schema), depth) }, { weight: 1, arbitrary: junk });
}

function wellTyped(s: Schema, depth: number): fc.Arbitrary<unknown> {
  if (depth > 4) return junk;
  if (Array.isArray(s.enum)) return fc.constantFrom(...(s.enum as unknown[]));
  const alternatives = (s.anyOf ?? s.oneOf) as Schema[] | undefined;
  if (alternatives?.length) return fc.oneof(...alternatives.map((a) => shaped(a, depth + 1)));
  if (s.allOf) return shaped((s.allOf as Schema[])[0], depth + 1);
  const type = Array.isArray(s.type) ? s.type.find((t: string) => t !== "null") : s.type;
  switch (type) {
    case "string":
      if (s.format === "date-time") return fc.date({ noInvalidDate: true }).map((d) => d.toISOString());
      if (s.format === "email") return fc.emailAddress();
      return fc.oneof(fc.string({ maxLength: Math.min(Number(s.maxLength ?? 30), 30) }), oddString);
    case "integer":
      return fc.oneof(
        fc.integer({ min: Number(s.minimum ?? -1000), max: Number(s.maximum ?? 1_000_000) }),
        fc.constantFrom(0, -1, 2 ** 31, Number.MAX_SAFE_INTEGER),
      );
    case "number":
      return fc.double({ noNaN: true });
    case "boolean":
      return fc.boolean();
    case "array":
      return fc.oneof(
        { weight: 4, arbitrary: fc.array(shaped(s.items, depth + 1), { maxLength: 4 }) },
        // Many items: inside the body limit as short strings, over it as long ones.
        { weight: 1, arbitrary: fc.constantFrom(Array(5_000).fill("A-1-1"), Array(2_000).fill("z".repeat(1_000))) },
      );
    case "object":
    case undefined: {
      const props = (s.properties ?? {}) as Record<string, Schema>;
      const keys = Object.keys(props);
      if (keys.length === 0) return fc.dictionary(fc.string({ maxLength: 8 }), junk, { maxKeys: 3 });
      const record = fc.record(
        Object.fromEntries(keys.map((k) => [k, shaped(props[k], depth + 1)])),
        { requiredKeys: [] }, // any field may be missing
      );
      return fc
        .tuple(record, fc.option(fc.tuple(fc.string({ maxLength: 12 }), junk), { freq: 4 }))
        .map(([o, extra]) => (extra ? { ...o, [extra[0] || "extra"]: extra[1] } : o));
    }
    default:
      return junk;
  }
}

// ---- ids

type World = { ids: Record<string, string>; fan: string; organizer: string; organizerId: string };

/** A real id for a path parameter, so that some requests reach the handler with a known resource. */
function realId(w: World, path: string, name: string): string {
  if (name === "holdId") return w.ids.hold as string;
  if (name === "ticket") return "queue-ticket";
  if (name === "venueId" || path.startsWith("/v1/admin/venues/") || path.startsWith("/v1/venues/"))
    return w.ids.venue as string;
  if (name === "userId") return w.ids.user as string;
  if (name === "invitationId") return newId("inv");
  if (path.startsWith("/v1/admin/organizers/")) return w.organizerId;
  if (path.startsWith("/v1/admin/layouts/")) return w.ids.layout as string;
  if (path.startsWith("/v1/admin/notifications/")) return newId("ntf");
  if (path.startsWith("/v1/admin/orders/") || path.startsWith("/v1/orders/")) return w.ids.order as string;
  if (path.startsWith("/v1/tickets/")) return newId("tkt");
  return w.ids.event as string;
}

const idArb = (real: string) => {
  const prefix = real.includes("_") ? real.slice(0, real.indexOf("_")) : "evt";
  return fc.oneof(
    { weight: 2, arbitrary: fc.constant(encodeURIComponent(real)) },
    {
      weight: 3,
      arbitrary: fc.constantFrom(
        "junk",
        "x".repeat(5_000),
        "..",
        "..%2F..%2Fadmin",
        "%2e%2e%2f",
        "%00",
        "%E2%80%AE", // a bidi override
        "%F0%9F%98%80",
        "%ED%A0%80", // a lone surrogate, as UTF-8 bytes
        "%25",
        encodeURIComponent(newId(prefix)), // well shaped, unknown
        encodeURIComponent(`${real}~x`),
        encodeURIComponent(real.toUpperCase()),
      ),
    },
  );
};

// ---- one request

type Sent = { method: string; path: string; headers: Record<string, string>; body?: string };
type Finding = { op: string; sent: string; status: number | "timeout"; why: string; answer: string };

async function send(req: Sent): Promise<Response | "timeout"> {
  const fetched = exports.default.fetch(
    new Request(BASE + req.path, { method: req.method, headers: req.headers, body: req.body }),
  );
  let timer: ReturnType<typeof setTimeout> | undefined;
  const timeout = new Promise<"timeout">((resolve) => {
    timer = setTimeout(() => resolve("timeout"), REQUEST_TIMEOUT_MS);
  });
  try {
    return await Promise.race([fetched, timeout]);
  } finally {
    clearTimeout(timer);
  }
}

const describeSent = (r: Sent) =>
  `${r.method} ${r.path.slice(0, 200)} ${JSON.stringify(r.headers).slice(0, 200)} ${(r.body ?? "").slice(0, 300)}`;

/** Answers by status, to see that the cases reach past validation too. */
const seen = new Map<number, number>();

/** Checks one answer; returns what is wrong with it, if anything. */
async function check(op: string, req: Sent): Promise<Finding | null> {
  const res = await send(req);
  if (res === "timeout") return { op, sent: describeSent(req), status: "timeout", why: "no answer", answer: "" };
  seen.set(res.status, (seen.get(res.status) ?? 0) + 1);
  const text = await res.text();
  const finding = (why: string): Finding => ({
    op,
    sent: describeSent(req),
    status: res.status,
    why,
    answer: text.slice(0, 300),
  });
  if (res.status >= 500) return finding("server error");
  if (res.status >= 400) {
    if (!res.headers.get("content-type")?.startsWith("application/problem+json"))
      return finding("4xx not problem+json");
    try {
      const p = JSON.parse(text) as Json;
      if (p.status !== res.status || typeof p.code !== "string") return finding("problem body disagrees with status");
    } catch {
      return finding("problem body is not JSON");
    }
  }
  return null;
}

/** The request for one generated case of an operation. */
function requestArb(o: Operation, w: World, tokens: { user: string; organizer: string }) {
  const names = [...o.path.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string);
  const params = fc.tuple(...names.map((n) => idArb(realId(w, o.path, n))));
  const query = ((o.op.parameters ?? []) as Json[]).filter((p) => p.in === "query");
  const queryArb = fc.tuple(
    ...query.map((p) => fc.option(shaped(p.schema).map((v) => (typeof v === "string" ? v : JSON.stringify(v))))),
  );
  const schema = o.op.requestBody?.content?.["application/json"]?.schema as Schema | undefined;
  const bodyArb = fc.oneof(
    { weight: 6, arbitrary: shaped(schema).map((v) => JSON.stringify(v) ?? "null") },
    { weight: 1, arbitrary: fc.constantFrom("{", "[1,", '{"a":1}{"b":2}', "\u0000", "nul", '{"__proto__":{"x":1}}') },
    { weight: 1, arbitrary: fc.constant(undefined) },
  );
  const headerArb = fc.record(
    {
      contentType: fc.constantFrom(
        "application/json",
        "application/json",
        "text/plain",
        "application/json; charset=utf-16",
      ),
      key: fc.option(fc.oneof(fc.uuid(), fc.constantFrom("", "x".repeat(5_000), "\u00e9\u00e9"))),
      token: fc.constantFrom("user", "user", "organizer", "none", "junk"),
    },
    { requiredKeys: ["contentType", "key", "token"] },
  );
  return fc.tuple(params, queryArb, bodyArb, headerArb).map(([ids, qs, body, h]): Sent => {
    let i = 0;
    let path = o.path.replace(/\{[^}]+\}/g, () => ids[i++] as string);
    const search = new URLSearchParams();
    query.forEach((p, j) => {
      const v = qs[j];
      if (v != null) search.set(String(p.name), v);
    });
    if ([...search].length) path += `?${search}`;
    const headers: Record<string, string> = {};
    // Header values must be ByteStrings; odd ones the Fetch API itself refuses are not sent.
    if (h.key != null && /^[\x20-\x7e]*$/.test(h.key)) headers["Idempotency-Key"] = h.key;
    const token = h.token === "user" ? tokens.user : h.token === "organizer" ? tokens.organizer : h.token;
    if (token !== "none") headers.Authorization = `Bearer ${token}`;
    const hasBody = o.method !== "get" && body !== undefined;
    if (hasBody) headers["Content-Type"] = h.contentType;
    return { method: o.method.toUpperCase(), path, headers, body: hasBody ? body : undefined };
  });
}

describe("fuzzing every operation", () => {
  let w: World;
  let ops: Operation[];
  beforeAll(async () => {
    const s = await setupEvent();
    const fan = await createUser();
    const hold = await expectJson(
      await call("POST", `/v1/events/${s.event.id}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
      201,
    );
    const co = await expectJson(
      await call("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, {
        token: fan.token,
        headers: { "Idempotency-Key": crypto.randomUUID() },
      }),
      201,
    );
    const organizerId = s.org.organizerId as string;
    w = {
      ids: {
        event: s.event.id,
        venue: s.venue.id,
        layout: s.layout.id,
        hold: hold.holdId,
        order: co.orderId,
        user: s.org.id,
      },
      fan: fan.token,
      organizer: s.org.token,
      organizerId,
    };
    const doc = await operations();
    components = (doc.doc.components?.schemas ?? {}) as Record<string, Schema>;
    ops = doc.ops;
  }, 60_000);

  it("never answers 5xx, always problem+json for 4xx, never hangs", async () => {
    const started = Date.now();
    console.log(`fuzz seed ${SEED}, ${RUNS_PER_OPERATION} runs per operation`);
    const findings: Finding[] = [];
    let requests = 0;
    for (const [n, o] of ops.entries()) {
      // Fresh accounts per operation, so that one that ends sessions (logout everywhere) or
      // changes a role cannot blind the operations after it.
      const tokens = {
        user: (await createUser()).token,
        organizer: (await createUser({ role: "organizer", organizerId: w.organizerId })).token,
      };
      const secured = !isPublic(o);
      await fc.assert(
        fc.asyncProperty(requestArb(o, w, tokens), async (req) => {
          requests += 1;
          const f = await check(o.operationId, req);
          if (f) findings.push(f);
        }),
        { seed: SEED + n, numRuns: RUNS_PER_OPERATION },
      );
      // Fixed cases per operation: a body just over the limit, and the same request anonymously.
      if (o.method !== "get") {
        const path = o.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(realId(w, o.path, name)));
        const big = JSON.stringify({ blob: "x".repeat(BODY_LIMIT) });
        const headers = { "Content-Type": "application/json", Authorization: `Bearer ${tokens.user}` };
        const req = { method: o.method.toUpperCase(), path, headers, body: big };
        requests += 1;
        const res = await send(req);
        if (res === "timeout" || res.status !== 413)
          findings.push({
            op: o.operationId,
            sent: `${req.method} ${path} with ${big.length} bytes`,
            status: res === "timeout" ? "timeout" : res.status,
            why: "over the body limit and not 413",
            answer: res === "timeout" ? "" : (await res.text()).slice(0, 300),
          });
        else await res.body?.cancel();
      }
      if (secured) {
        const path = o.path.replace(/\{([^}]+)\}/g, (_, name: string) => encodeURIComponent(realId(w, o.path, name)));
        requests += 1;
        const f = await check(o.operationId, { method: o.method.toUpperCase(), path, headers: {} });
        if (f) findings.push(f);
      }
    }
    const seconds = ((Date.now() - started) / 1000).toFixed(1);
    const statuses = [...seen].sort(([a], [b]) => a - b).map(([k, v]) => `${k}×${v}`);
    console.log(`fuzz: ${ops.length} operations, ${requests} requests in ${seconds} s, seed ${SEED}: ${statuses}`);
    expect(findings, `seed ${SEED}`).toEqual([]);
    // A fuzzer that only ever hears 401 or 400 tests nothing behind them.
    expect(seen.get(400) ?? 0).toBeGreaterThan(100);
    expect([...seen].filter(([k]) => k < 300).reduce((n, [, v]) => n + v, 0)).toBeGreaterThan(50);
  }, 240_000);

  it("holds for the routes left out of the document too: the webhook and the simulated pay page", async () => {
    const signature = fc.oneof(
      fc.constant(undefined),
      fc.constantFrom("", "t=1,v1=00", `t=${Math.floor(Date.now() / 1000)},v1=${"a".repeat(64)}`, "t=9999999999,v1=x"),
      fc.string({ maxLength: 200 }).filter((h) => /^[\x20-\x7e]*$/.test(h)),
    );
    const body = fc.oneof(
      fc.jsonValue({ maxDepth: 3 }).map((v) => JSON.stringify(v)),
      fc.constantFrom(...ODD_STRINGS),
      fc.constant(JSON.stringify({ type: "payment_intent.succeeded", data: { object: { id: "pi_x", amount: -1 } } })),
    );
    const findings: Finding[] = [];
    await fc.assert(
      fc.asyncProperty(signature, body, async (sig, raw) => {
        const headers: Record<string, string> = { "Content-Type": "application/json" };
        if (sig !== undefined) headers["Stripe-Signature"] = sig;
        const f = await check("stripeWebhook", { method: "POST", path: "/v1/webhooks/stripe", headers, body: raw });
        if (f) findings.push(f);
      }),
      { seed: SEED, numRuns: 60 },
    );
    await fc.assert(
      fc.asyncProperty(idArb(newId("pi")), fc.constantFrom("GET", "POST"), body, async (id, method, raw) => {
        const headers = { "Content-Type": "application/json" };
        const req = { method, path: `/v1/pay/simulated/${id}`, headers, body: method === "POST" ? raw : undefined };
        const f = await check("simulatedPay", req);
        if (f) findings.push(f);
      }),
      { seed: SEED, numRuns: 40 },
    );
    expect(findings, `seed ${SEED}`).toEqual([]);
  });
});
