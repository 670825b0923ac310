import { createMiddleware } from "hono/factory";
import type { AppEnv } from "../env";
import { readSession, type SessionStart } from "../db/client";

export const BOOKMARK_HEADER = "x-d1-bookmark";

/**
 * Read routes run on a D1 session (`c.var.readDb`), so D1 read replicas near the caller can serve
 * them. The client sends back the `x-d1-bookmark` it last received and the session starts at least
 * that fresh, so a fan reads their own writes; the response carries the session's newest bookmark.
 *
 * `start` is where a session without a bookmark begins: "first-unconstrained" (any replica) for
 * public catalog reads, "first-primary" for a fan's own orders, whose writes (checkout, payment)
 * go to the primary without a bookmark the client could have seen.
 */
export function readReplica(start: SessionStart) {
  return createMiddleware<AppEnv>(async (c, next) => {
    const session = readSession(c.env.DB, c.req.header(BOOKMARK_HEADER), start);
    c.set("readDb", session.db);
    await next();
    const bookmark = session.bookmark();
    if (bookmark) c.res.headers.set(BOOKMARK_HEADER, bookmark);
  });
}
