import { desc } from "drizzle-orm";
import { createDb } from "../db/client";
import { notifications } from "../db/schema";
import { AppError } from "../errors";
import { isDevelopment } from "../lib/environment";
import { mailboxPage } from "../notifications/mailbox-page";
import { createRouter } from "./router";

/**
 * `GET /mailbox` (HTML) and `GET /mailbox.json`: what a fan would have received, for local runs.
 * Unauthenticated and showing every fan's mail, so it exists only in development (404 elsewhere,
 * staging's public workers.dev host included, like any unknown path).
 */
export const mailbox = createRouter();
mailbox.use("/mailbox", devOnly);
mailbox.use("/mailbox.json", devOnly);

async function devOnly(c: { env: Env; req: { method: string; path: string } }, next: () => Promise<void>) {
  if (!isDevelopment(c.env)) throw new AppError("not_found", `No route for ${c.req.method} ${c.req.path}`);
  await next();
}

const latest = (d1: D1Database) =>
  createDb(d1)
    .select()
    .from(notifications)
    .orderBy(desc(notifications.createdAt), desc(notifications.id))
    .limit(100)
    .all();

mailbox.get("/mailbox", async (c) => c.html(mailboxPage(await latest(c.env.DB))));
mailbox.get("/mailbox.json", async (c) => c.json({ items: await latest(c.env.DB) }));
