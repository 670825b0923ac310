import type { Meter } from "./meter";

/**
 * Thin wrappers around the D1 and Durable Object bindings that bump a `Meter` and otherwise pass
 * every call through unchanged. They are built once per request, queue batch or cron run, so every
 * query and stub call of that unit of work is counted without any call site knowing about it.
 */

/**
 * Whether a statement may change a row. A read is a `SELECT` (or a `WITH` that names no write,
 * `PRAGMA`, `EXPLAIN`); anything else counts as a write, so the count errs towards writes.
 */
export function isWrite(sql: string): boolean {
  const head = /^\s*(\w+)/.exec(sql)?.[1]?.toLowerCase();
  if (head === "select" || head === "pragma" || head === "explain") return false;
  if (head === "with") return /\b(insert|update|delete|replace)\b/i.test(sql);
  return true;
}

/** A prepared statement that counts itself when it runs; `bind` keeps the wrapper. */
class MeteredStatement {
  constructor(
    readonly inner: D1PreparedStatement,
    private readonly meter: Meter,
    readonly writes: 0 | 1,
  ) {}

  bind(...values: unknown[]): MeteredStatement {
    return new MeteredStatement(this.inner.bind(...values), this.meter, this.writes);
  }

  first(column?: string) {
    this.meter.d1Trip(1, this.writes);
    // D1 treats an explicit `undefined` column like a named one, so the two calls stay apart.
    return column === undefined ? this.inner.first() : this.inner.first(column);
  }

  run() {
    this.meter.d1Trip(1, this.writes);
    return this.inner.run();
  }

  all() {
    this.meter.d1Trip(1, this.writes);
    return this.inner.all();
  }

  raw(options?: { columnNames?: boolean }) {
    this.meter.d1Trip(1, this.writes);
    return options ? this.inner.raw(options as { columnNames: true }) : this.inner.raw();
  }
}

/** D1's `batch` accepts only its own statements: a metered one is handed over unwrapped. */
const unwrap = (s: D1PreparedStatement): D1PreparedStatement => (s instanceof MeteredStatement ? s.inner : s);

type Sessionish = Pick<D1Database, "prepare" | "batch"> & Partial<D1Database> & Partial<D1DatabaseSession>;

/** A D1 database (or Sessions API session) whose statements, batches and `exec` are counted. */
function meteredD1<T extends Sessionish>(d1: T, meter: Meter): T {
  const db: Record<string, unknown> = {
    prepare: (sql: string) => new MeteredStatement(d1.prepare(sql), meter, isWrite(sql) ? 1 : 0),
    batch: (statements: D1PreparedStatement[]) => {
      // A statement prepared elsewhere, unmetered, is counted as a write.
      const writes = statements.reduce((n, s) => n + (s instanceof MeteredStatement ? s.writes : 1), 0);
      meter.d1Trip(statements.length, writes);
      return d1.batch(statements.map(unwrap));
    },
  };
  if (d1.exec) {
    const exec = d1.exec.bind(d1);
    // exec runs several statements in one call; its result says how many.
    db.exec = async (query: string) => {
      try {
        const r = await exec(query);
        meter.d1Trip(r.count, isWrite(query) ? r.count : 0);
        return r;
      } catch (err) {
        meter.d1Trip(1, isWrite(query) ? 1 : 0);
        throw err;
      }
    };
  }
  if (d1.dump) db.dump = d1.dump.bind(d1);
  // Present only when the runtime has it: readSession falls back to the plain binding otherwise.
  if (d1.withSession) {
    const withSession = d1.withSession.bind(d1);
    db.withSession = (constraint?: string) => meteredD1(withSession(constraint), meter);
  }
  if (d1.getBookmark) db.getBookmark = d1.getBookmark.bind(d1);
  return db as unknown as T;
}

/** Stub members that are data, not calls. */
const STUB_DATA = new Set<PropertyKey>(["id", "name", "then"]);

function meteredStub<S extends object>(stub: S, meter: Meter): S {
  return new Proxy(stub, {
    get(target, prop) {
      const value = (target as Record<PropertyKey, unknown>)[prop];
      if (typeof value !== "function" || typeof prop === "symbol" || STUB_DATA.has(prop)) return value;
      // Reflect.apply, not value.apply: on a stub, `.apply` would itself be an RPC method name.
      return (...args: unknown[]) => {
        meter.rpcCall();
        return Reflect.apply(value, target, args);
      };
    },
  });
}

/** A namespace whose `get` / `getByName` hand out counting stubs; everything else passes through. */
function meteredNamespace<N extends object>(ns: N, meter: Meter): N {
  return new Proxy(ns, {
    get(target, prop) {
      const value = (target as Record<PropertyKey, unknown>)[prop];
      if (typeof value !== "function") return value;
      const fn = value as (...a: unknown[]) => unknown;
      if (prop === "get" || prop === "getByName")
        return (...args: unknown[]) => meteredStub(Reflect.apply(fn, target, args) as object, meter);
      if (prop === "jurisdiction")
        return (...args: unknown[]) => meteredNamespace(Reflect.apply(fn, target, args) as object, meter);
      return fn.bind(target);
    },
  });
}

type Metered = Pick<Env, "DB" | "EVENT_INVENTORY" | "WAITING_ROOM">;

/**
 * `env` with `DB`, `EVENT_INVENTORY` and `WAITING_ROOM` counting into `meter`. The other bindings
 * and vars are reached through the prototype, and each wrapper is built on its first use: copying
 * every binding and building three wrappers took about 5% of the thread on a request that used
 * none of them (a CPU profile of `GET /v1/health` under load).
 */
export function meteredEnv<E extends Metered>(env: E, meter: Meter): E {
  const out = Object.create(env) as E;
  const lazily = <K extends keyof Metered>(key: K, wrap: (binding: E[K]) => E[K]) =>
    Object.defineProperty(out, key, {
      configurable: true,
      enumerable: true,
      get() {
        const value = wrap(env[key]);
        Object.defineProperty(out, key, { value, enumerable: true, configurable: true, writable: true });
        return value;
      },
    });
  lazily("DB", (db) => meteredD1(db, meter));
  lazily("EVENT_INVENTORY", (ns) => meteredNamespace(ns, meter));
  lazily("WAITING_ROOM", (ns) => meteredNamespace(ns, meter));
  return out;
}
