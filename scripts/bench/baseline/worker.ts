// The bare design the product's hold path is measured against (issue: "the hold path at the speed
// of the bare design"): the same URLs, the same seats table and the same all-or-nothing hold and
// release, with no auth, no validation beyond shape, no limits, no audit, no outbox, no live
// channel and no deadlines. Whatever the product spends beyond this is the price of those.
import { DurableObject } from "cloudflare:workers";

type Env = { SEATS: DurableObjectNamespace<BaselineSeats> };
type Held = { ok: true; holdId: string; seats: { id: string }[] } | { ok: false; conflicts: string[] };

export class BaselineSeats extends DurableObject<Env> {
  private readonly sql: SqlStorage;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    // The product's seats table as it is (src/objects/inventory/schema.ts), and a bare holds table.
    this.sql.exec(`CREATE TABLE IF NOT EXISTS seats (
      id TEXT PRIMARY KEY, section TEXT NOT NULL, row_label TEXT NOT NULL, row_index INTEGER NOT NULL,
      pos INTEGER NOT NULL, tier TEXT, price INTEGER NOT NULL DEFAULT 0, accessible INTEGER NOT NULL DEFAULT 0,
      aisle_after INTEGER NOT NULL DEFAULT 0, status TEXT NOT NULL DEFAULT 'available', hold_id TEXT)`);
    this.sql.exec(`CREATE INDEX IF NOT EXISTS seats_hold ON seats(hold_id)`);
    this.sql.exec(
      `CREATE TABLE IF NOT EXISTS holds (id TEXT PRIMARY KEY, status TEXT NOT NULL, created_at INTEGER NOT NULL)`,
    );
  }

  /** Puts these seats on sale (the bench sends the product's seat ids). */
  seed(ids: string[]): number {
    this.ctx.storage.transactionSync(() => {
      this.sql.exec(`DELETE FROM seats`);
      this.sql.exec(`DELETE FROM holds`);
      const insert = `INSERT INTO seats (id, section, row_label, row_index, pos, tier, price)
        VALUES (?, ?, ?, ?, ?, 'std', 5000)`;
      for (const [i, id] of ids.entries()) this.sql.exec(insert, id, id.split("-")[0] ?? "", String(i), i, i);
    });
    return ids.length;
  }

  /** All or nothing: every seat available, or none is taken. */
  hold(ids: string[]): Held {
    return this.ctx.storage.transactionSync((): Held => {
      const marks = ids.map(() => "?").join(",");
      const free = this.sql
        .exec<{ id: string }>(`SELECT id FROM seats WHERE id IN (${marks}) AND status = 'available'`, ...ids)
        .toArray();
      if (free.length !== ids.length) {
        const ok = new Set(free.map((r) => r.id));
        return { ok: false, conflicts: ids.filter((id) => !ok.has(id)) };
      }
      const holdId = crypto.randomUUID();
      this.sql.exec(`INSERT INTO holds (id, status, created_at) VALUES (?, 'active', ?)`, holdId, Date.now());
      this.sql.exec(`UPDATE seats SET status = 'held', hold_id = ? WHERE id IN (${marks})`, holdId, ...ids);
      return { ok: true, holdId, seats: ids.map((id) => ({ id })) };
    });
  }

  /** Gives a hold's seats back; false when it holds none (unknown or already released). */
  release(holdId: string): boolean {
    return this.ctx.storage.transactionSync(() => {
      const ended = this.sql.exec(`UPDATE holds SET status = 'released' WHERE id = ? AND status = 'active'`, holdId);
      if (ended.rowsWritten === 0) return false;
      this.sql.exec(`UPDATE seats SET status = 'available', hold_id = NULL WHERE hold_id = ?`, holdId);
      return true;
    });
  }

  seatMap(): Record<string, string> {
    const out: Record<string, string> = {};
    for (const r of this.sql.exec<{ id: string; status: string }>(`SELECT id, status FROM seats`))
      out[r.id] = r.status === "available" ? "a" : "h";
    return out;
  }
}

const json = (body: unknown, status = 200) =>
  new Response(JSON.stringify(body), { status, headers: { "Content-Type": "application/json" } });
const HOLDS = /^\/v1\/events\/([^/]+)\/(holds|seed|seats)$/;
const HOLD = /^\/v1\/holds\/([^/]+)$/;

export default {
  async fetch(req: Request, env: Env): Promise<Response> {
    const { pathname } = new URL(req.url);
    if (pathname === "/v1/health") return json({ ok: true });
    const m = HOLDS.exec(pathname);
    if (m) {
      const stub = env.SEATS.getByName(m[1]!);
      if (m[2] === "seats") return json({ seats: await stub.seatMap() });
      const body = (await req.json()) as { seats?: string[] };
      if (!Array.isArray(body.seats)) return json({ error: "seats" }, 400);
      if (m[2] === "seed") return json({ seeded: await stub.seed(body.seats) });
      const held = await stub.hold(body.seats);
      return held.ok
        ? json({ holdId: `${m[1]}~${held.holdId}`, seats: held.seats }, 201)
        : json({ conflicts: held.conflicts }, 409);
    }
    const h = HOLD.exec(pathname);
    if (h && req.method === "DELETE") {
      const [eventId, holdId] = decodeURIComponent(h[1]!).split("~");
      if (!eventId || !holdId) return json({ error: "hold" }, 404);
      return (await env.SEATS.getByName(eventId).release(holdId)) ? new Response(null, { status: 204 }) : json({}, 404);
    }
    return json({ error: "not found" }, 404);
  },
};
