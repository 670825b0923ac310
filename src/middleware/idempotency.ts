import type { Context, HonoRequest, Next } from "hono";
import { createMiddleware } from "hono/factory";
import { authenticate, bearerToken } from "../auth/middleware";
import { AppError } from "../errors";
import type { AppEnv } from "../env";
import { log } from "../observability/log";
import { isEventId, parseHoldId, requireKnownEvent } from "../domain/event-ids";
import { eventOfOrder } from "../domain/order-ids";
import type { IdempotencyRecord, IdempotencySlot } from "../objects/inventory/idempotency";
import type { DeferredClaim } from "../domain/idempotency-claim";

/** How long the first response to a key is kept and replayed. */
export const IDEMPOTENCY_TTL_MS = 24 * 60 * 60 * 1000;

/** How long a duplicate waits for the first request to finish before answering 409. */
const WAIT_MS = 3_000;
/**
 * An `in_progress` row this old belongs to a request that died (a Worker request cannot run this
 * long), so it no longer locks its key.
 */
const STALE_MS = 5 * 60 * 1000;
const POLL_MS = 100;

const MUTATING = new Set(["POST", "PUT", "PATCH", "DELETE"]);
/**
 * Webhooks dedupe by the provider's event id; the simulated pay page posts plain forms; auth
 * answers carry fresh tokens that must never be stored.
 */
const EXEMPT = /^\/v1\/(webhooks|pay|auth)(\/|$)/;
/** 1–255 visible ASCII characters (0x21–0x7E): no spaces, no control characters. */
const VALID_KEY = /^[\x21-\x7e]{1,255}$/;
const REPLAYED_HEADERS = ["Content-Type", "Location", "ETag"];

type Slot = IdempotencySlot;
type Row = IdempotencyRecord;

const inProgress = () =>
  new AppError("request_in_progress", "A request with this Idempotency-Key is still running; retry shortly", {
    headers: { "Retry-After": "1" },
  });

/**
 * Idempotency-Key on every mutating /v1 call (register on "/v1/*"). The first request for a
 * (caller, route, key) claims a row, runs and stores its answer; a replay with the same body
 * gets that answer back with `Idempotent-Replayed: true`, another body gets 422, and a duplicate
 * that arrives while the first still runs waits for it or answers 409: the handler never runs twice.
 * Requests without the header, and requests without a verified caller, pass through untouched:
 * an anonymous scope (the client address, or "local" behind no proxy) is shared by strangers, so a
 * record there would replay one caller's answer to another.
 */
export const idempotency = createMiddleware<AppEnv>(async (c, next) => {
  const key = c.req.header("Idempotency-Key");
  if (key === undefined || !MUTATING.has(c.req.method) || EXEMPT.test(c.req.path)) return next();
  if (!VALID_KEY.test(key)) {
    throw new AppError(
      "bad_request",
      "Idempotency-Key must be 1 to 255 visible ASCII characters (no spaces or control characters)",
    );
  }
  const scope = await scopeOf(c);
  if (scope === null) return next();
  const slot: Slot = { scope, route: `${c.req.method} ${c.req.path}`, key };
  const { store: db, deferred } = await storeFor(c.env, c.req.path);
  const hash = await requestHash(c.req);
  if (deferred) return runDeferred(c, next, db, slot, hash);

  // Two rounds at most: the second only follows an expired row that was just cleared away.
  for (let round = 0; round < 2; round++) {
    // The INSERT is the lock: D1 applies it atomically, so of any number of concurrent
    // duplicates exactly one sees `changes === 1` and runs the handler.
    if (await db.claim(slot, hash)) return runAndRecord(c, next, db, slot);
    const row = await db.read(slot);
    if (!row) continue;
    if (row.expires_at <= Date.now() || (row.state === "in_progress" && row.created_at <= Date.now() - STALE_MS)) {
      await db.dropExpired(slot);
      continue;
    }
    return answerHeld(db, slot, hash, row);
  }
  throw inProgress();
});

/**
 * For routes where the key is mandatory (checkout). It only checks presence; the global
 * `idempotency` middleware validates the key and does the rest.
 */
export const requireIdempotencyKey = createMiddleware<AppEnv>(async (c, next) => {
  if (c.req.header("Idempotency-Key") === undefined) {
    throw new AppError(
      "idempotency_key_missing",
      "This endpoint requires an Idempotency-Key header (a unique value per intended operation, such as a UUID) " +
        "so a retry never runs it twice",
    );
  }
  await next();
});

/** Deletes records past their expiry (called by the cron); returns how many were removed. */
export async function purgeExpiredIdempotencyKeys(db: D1Database, now = Date.now()): Promise<number> {
  const res = await db.prepare("DELETE FROM idempotency_keys WHERE expires_at <= ?").bind(now).run();
  return res.meta.changes;
}

/** The caller's user id when the bearer token verifies, else null (no record is kept). */
async function scopeOf(c: Context<AppEnv>): Promise<string | null> {
  try {
    const token = bearerToken(c.req.header("Authorization"));
    if (token) return (await authenticate(token, c.env)).userId;
  } catch {
    // A bad token is the route's to refuse (401); until then the caller counts as anonymous.
  }
  return null;
}

/**
 * SHA-256 hex of the Content-Type and the raw body. The body is read through Hono's body cache,
 * so the route's validator parses the same bytes without a clone of the request (a tee of its
 * stream, which cost checkout more than the hash); a bodiless request reads nothing.
 */
async function requestHash(req: HonoRequest): Promise<string> {
  const body = req.raw.body === null ? new Uint8Array() : new Uint8Array(await req.arrayBuffer());
  // A header value cannot contain a newline, so the separator keeps type and body apart.
  const type = new TextEncoder().encode(`${req.header("Content-Type") ?? ""}\n`);
  const bytes = new Uint8Array(type.length + body.length);
  bytes.set(type);
  bytes.set(body, type.length);
  const digest = new Uint8Array(await crypto.subtle.digest("SHA-256", bytes));
  return Array.from(digest, (b) => b.toString(16).padStart(2, "0")).join("");
}

/** Where a route's records live: the event's object for the purchase routes, else D1. */
type Store = {
  claim(slot: Slot, hash: string): Promise<boolean>;
  read(slot: Slot): Promise<Row | null>;
  dropExpired(slot: Slot): Promise<void>;
  release(slot: Slot): Promise<void>;
  finish(slot: Slot, status: number, headers: string, body: string): Promise<void>;
};

const d1Store = (db: D1Database): Store => ({
  claim: (slot, hash) => claim(db, slot, hash),
  read: (slot) => readRow(db, slot),
  dropExpired: (slot) => dropExpired(db, slot),
  release: (slot) => release(db, slot),
  finish: (slot, status, headers, body) => finish(db, slot, status, headers, body),
});

const objectStore = (stub: DurableObjectStub<import("../objects/event-inventory").EventInventory>): Store => ({
  claim: (slot, hash) => stub.idemClaim(slot, hash, IDEMPOTENCY_TTL_MS),
  read: (slot) => stub.idemRead(slot),
  dropExpired: (slot) => stub.idemDropExpired(slot, Date.now() - STALE_MS),
  release: (slot) => stub.idemRelease(slot),
  finish: (slot, status, headers, body) => stub.idemFinish(slot, status, headers, body),
});

/**
 * Paths whose records live in the event's object, so checkout, pay again, cancel, refund and
 * check-in write no D1. `deferred`: the route's own object calls take the key and store the
 * answer (checkout, the purchase's hot path).
 */
const OBJECT_ROUTES: [RegExp, (m: string) => string | null, deferred: boolean][] = [
  [/^\/v1\/holds\/([^/]+)\/checkout$/, (m) => parseHoldId(m)?.eventId ?? null, true],
  [/^\/v1\/orders\/([^/]+)\/(?:pay|cancel)$/, eventOfOrder, false],
  [/^\/v1\/admin\/orders\/([^/]+)\/refund$/, eventOfOrder, false],
  [/^\/v1\/admin\/events\/([^/]+)\/check-in$/, (m) => (isEventId(m) ? m : null), false],
];

async function storeFor(env: Env, path: string): Promise<{ store: Store; deferred: boolean }> {
  for (const [pattern, eventOf, deferred] of OBJECT_ROUTES) {
    const m = pattern.exec(path);
    if (!m) continue;
    let raw: string;
    try {
      raw = decodeURIComponent(m[1]!);
    } catch {
      break; // not an id of ours: the route refuses it
    }
    const eventId = eventOf(raw);
    // An unknown event gets no object (every call would create one): its route answers 404 anyway.
    const known = eventId
      ? await requireKnownEvent(env.DB, eventId).then(
          () => true,
          () => false,
        )
      : false;
    if (known) return { store: objectStore(env.EVENT_INVENTORY.getByName(eventId!)), deferred };
    break;
  }
  return { store: d1Store(env.DB), deferred: false };
}

async function claim(db: D1Database, slot: Slot, hash: string): Promise<boolean> {
  const now = Date.now();
  const res = await db
    .prepare(
      "INSERT INTO idempotency_keys (scope, route, key, request_hash, state, created_at, expires_at) " +
        "VALUES (?, ?, ?, ?, 'in_progress', ?, ?) ON CONFLICT DO NOTHING",
    )
    .bind(slot.scope, slot.route, slot.key, hash, now, now + IDEMPOTENCY_TTL_MS)
    .run();
  return res.meta.changes === 1;
}

function readRow(db: D1Database, slot: Slot): Promise<Row | null> {
  return db
    .prepare(
      "SELECT request_hash, state, response_status, response_headers, response_body, created_at, expires_at " +
        "FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?",
    )
    .bind(slot.scope, slot.route, slot.key)
    .first<Row>();
}

/** Conditional on expiry, so a fresh claim made meanwhile by a concurrent request survives. */
async function dropExpired(db: D1Database, slot: Slot): Promise<void> {
  const now = Date.now();
  await db
    .prepare(
      "DELETE FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ? " +
        "AND (expires_at <= ? OR (state = 'in_progress' AND created_at <= ?))",
    )
    .bind(slot.scope, slot.route, slot.key, now, now - STALE_MS)
    .run();
}

async function release(db: D1Database, slot: Slot): Promise<void> {
  await db
    .prepare("DELETE FROM idempotency_keys WHERE scope = ? AND route = ? AND key = ?")
    .bind(slot.scope, slot.route, slot.key)
    .run();
}

async function finish(db: D1Database, slot: Slot, status: number, headers: string, body: string): Promise<void> {
  await db
    .prepare(
      "UPDATE idempotency_keys SET state = 'done', response_status = ?, response_headers = ?, response_body = ? " +
        "WHERE scope = ? AND route = ? AND key = ?",
    )
    .bind(status, headers, body, slot.scope, slot.route, slot.key)
    .run();
}

/**
 * The answer to a request whose key another request holds (live, not expired): 422 for another
 * body, the stored answer once that request is done, 409 while it still runs after the wait.
 */
async function answerHeld(db: Store, slot: Slot, hash: string, row: Row): Promise<Response> {
  if (row.request_hash !== hash) {
    throw new AppError(
      "idempotency_key_mismatch",
      "This Idempotency-Key was already used with a different request body; use a new key for a new request",
    );
  }
  const done = row.state === "done" ? row : await waitUntilDone(db, slot, hash);
  if (done) return replay(done);
  throw inProgress();
}

/**
 * A key the route's own first object call takes (see `DeferredClaim`), and whose answer it stores
 * with its last: checkout makes two object calls fewer. Only what the route left undone happens
 * here: a key taken by another request is answered as `answerHeld` says, a key the route claimed
 * but did not answer is recorded or released as `runAndRecord` does it.
 */
async function runDeferred(c: Context<AppEnv>, next: Next, db: Store, slot: Slot, hash: string): Promise<void> {
  const claim: DeferredClaim = {
    slot,
    hash,
    ttlMs: IDEMPOTENCY_TTL_MS,
    staleBefore: Date.now() - STALE_MS,
    state: "open",
  };
  c.set("idempotencyClaim", claim);
  try {
    await next();
  } catch (err) {
    if (claim.state === "claimed") await db.release(slot);
    throw err;
  }
  if (claim.state === "claimed") return record(c, db, slot);
  if (claim.state !== "taken" || !claim.holder) return;
  // The route answered with a placeholder problem: a replay takes its place with none of its
  // headers (a 409 or 422 thrown here is rendered over it as any error is).
  const answer = await answerHeld(db, slot, hash, claim.holder);
  c.res = undefined;
  c.res = answer;
}

/** Polls a running duplicate; the finished row, or null if it is still running (or was released). */
async function waitUntilDone(db: Store, slot: Slot, hash: string): Promise<Row | null> {
  const deadline = Date.now() + WAIT_MS;
  while (Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, POLL_MS));
    const row = await db.read(slot);
    if (!row || row.request_hash !== hash) return null;
    if (row.state === "done") return row;
  }
  return null;
}

/** Runs the route once for a claimed key, then stores its answer or gives the key back. */
async function runAndRecord(c: Context<AppEnv>, next: Next, db: Store, slot: Slot): Promise<void> {
  try {
    // Hono renders thrown errors through onError before next() returns, so c.res below is the
    // final answer, problems included; the catch is for anything that still escapes.
    await next();
  } catch (err) {
    await db.release(slot);
    throw err;
  }
  await record(c, db, slot);
}

/** Stores the route's answer under the key it claimed, or gives the key back (see below). */
async function record(c: Context<AppEnv>, db: Store, slot: Slot): Promise<void> {
  const res = c.res;
  // A 5xx (or 429) says "try again later", and the retry is expected to reuse the key; storing
  // that answer would replay the failure for 24 hours, so the key is released and the retry runs.
  // A 401/403 is about who asked, not about the operation: kept, it would refuse the same key after
  // the caller signs in again or is granted the role, so it is never stored either.
  if (res.status >= 500 || res.status === 429 || res.status === 401 || res.status === 403) {
    await db.release(slot);
    return;
  }
  const headers: Record<string, string> = {};
  for (const name of REPLAYED_HEADERS) {
    const value = res.headers.get(name);
    if (value !== null) headers[name] = value;
  }
  try {
    const body = await res.clone().text();
    await db.finish(slot, res.status, JSON.stringify(headers), body);
  } catch (err) {
    // The route has already acted: answering 500 now would invite a retry, and releasing the key
    // would let that retry act twice. The row stays in_progress (duplicates get 409) until it expires.
    log("error", "idempotency record not stored", { requestId: c.get("requestId"), error: String(err) });
  }
}

function replay(row: Row): Response {
  const status = row.response_status ?? 200;
  const headers = new Headers(row.response_headers ? (JSON.parse(row.response_headers) as Record<string, string>) : {});
  headers.set("Idempotent-Replayed", "true");
  const nullBody = status === 204 || status === 205 || status === 304;
  return new Response(nullBody ? null : (row.response_body ?? ""), { status, headers });
}
