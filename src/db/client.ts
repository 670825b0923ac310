import { drizzle } from "drizzle-orm/d1";
import * as schema from "./schema";

const build = (d1: D1Database) => drizzle(d1, { schema });
export type Db = ReturnType<typeof build>;

/**
 * The drizzle client of a binding (or session), built from it on first use and then reused while
 * that object lives: building one maps the whole schema's relations, which costs more than most
 * queries. Never at module level: bindings arrive with each request.
 */
export function createDb(d1: D1Database): Db {
  let db = clients.get(d1);
  if (!db) {
    db = build(d1);
    clients.set(d1, db);
  }
  return db;
}
const clients = new WeakMap<D1Database, Db>();

export type SessionStart = "first-unconstrained" | "first-primary";

/**
 * D1 bookmarks look like `00000000-00000007-00000000-<32 hex>`. Anything else is ignored (the
 * session starts fresh) rather than handed to D1, which would fail the read on a malformed one.
 */
const BOOKMARK = /^[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{8}-[0-9a-f]{32}$/i;

/**
 * A D1 Sessions API session for reads: starts at `bookmark` when the client sent one (so it sees
 * at least what that bookmark saw), else at `start`. `db` is usable wherever a D1Database is read
 * from (prepare, batch, drizzle); `bookmark()` is the newest one after the queries ran.
 *
 * Runtimes without `withSession` (older local workerd) fall back to the plain binding, which
 * always reads the primary: correct, just without replicas, and no bookmark is returned.
 */
export function readSession(
  d1: D1Database,
  bookmark: string | null | undefined,
  start: SessionStart,
): { db: D1Database; bookmark: () => string | null } {
  if (typeof d1.withSession !== "function") return { db: d1, bookmark: () => null };
  const session = d1.withSession(bookmark && BOOKMARK.test(bookmark) ? bookmark : start);
  // drizzle and our raw queries use only prepare/batch, which a session has with the same types.
  return { db: session as unknown as D1Database, bookmark: () => session.getBookmark() };
}
