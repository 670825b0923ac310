import { DurableObject } from "cloudflare:workers";
import { jwtSecret } from "../auth/config";
import { FAIRNESS_ALGORITHM, commitmentOf, fairOrder, newSeed, signAdmission } from "../domain/admission";
import type { AppEnv } from "../env";
import { newId } from "../lib/ids";
import { QUEUE_PING, QUEUE_PONG, type QueueServerMessage, type QueueState } from "../live/queue-protocol";
import { RedeemedTickets } from "./redeemed-tickets";
import { migrateRoom } from "./waiting-room-schema";
import type {
  Fairness,
  JoinResult,
  RoomSettings,
  RoomSettingsInput,
  RoomStats,
  TickResult,
  TicketView,
  ViewResult,
} from "./waiting-room-types";

type TicketRow = {
  id: string;
  user_id: string;
  seq: number;
  rank: number | null;
  state: QueueState;
  joined_at: number;
  admitted_at: number | null;
  expires_at: number | null;
};
type Stock = { available: number; held: number; at: number };

/** Admission ticks this often while fans wait. */
export const TICK_MS = 1000;
/** Default lifetime of an admission token. */
export const DEFAULT_TOKEN_SECONDS = 600;
/**
 * Share of held places assumed to come back (holds that lapse or payments that fail): admitted
 * shoppers may exceed the places still available by this margin, no more.
 */
export const HOLD_LAPSE_SHARE = 0.1;
/** How soon a sold-out room retries asking its inventory to report returned places. */
const RESTOCK_RETRY_MS = 5000;

const ticketTag = (id: string) => `t:${id}`;

function safeSend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // closed meanwhile; the runtime calls webSocketClose
  }
}

/**
 * One per event: the flash-sale queue in front of the EventInventory. Fans join (one place per
 * account), wait in a fair order, and an alarm admits them at the organizer's rate into a signed
 * admission token, never more shoppers than the cap or than the stock can serve. Every
 * check-and-write is one synchronous SQLite section with no `await` inside it, so two requests
 * never both take the last slot or the same rank.
 */
export class WaitingRoom extends DurableObject<Env> {
  private sql: SqlStorage;
  /** The alarm time this instance set last (null: unknown), so a burst of joins costs no storage read each. */
  private armedAt: number | null = null;
  private readonly socketTickets: RedeemedTickets;

  constructor(ctx: DurableObjectState, env: Env) {
    super(ctx, env);
    this.sql = ctx.storage.sql;
    this.socketTickets = new RedeemedTickets(ctx.storage);
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(QUEUE_PING, QUEUE_PONG));
    void ctx.blockConcurrencyWhile(async () => {
      migrateRoom(this.sql);
      if (this.meta("seed") == null) {
        const seed = newSeed();
        this.setMeta("seed", seed);
        this.setMeta("commitment", await commitmentOf(seed));
      }
    });
  }

  // ---------------------------------------------------------------- helpers

  private meta(key: string): string | null {
    return this.sql.exec<{ value: string }>(`SELECT value FROM meta WHERE key = ?`, key).toArray()[0]?.value ?? null;
  }

  private num(key: string): number | null {
    const v = this.meta(key);
    return v == null ? null : Number(v);
  }

  private setMeta(key: string, value: string | number): void {
    this.sql.exec(
      `INSERT INTO meta (key, value) VALUES (?, ?) ON CONFLICT(key) DO UPDATE SET value = excluded.value`,
      key,
      String(value),
    );
  }

  private settings(): RoomSettings | null {
    const row = this.sql.exec<{ json: string }>(`SELECT json FROM settings WHERE id = 1`).toArray()[0];
    return row ? (JSON.parse(row.json) as RoomSettings) : null;
  }

  private count(where: string, ...args: (string | number)[]): number {
    return this.sql.exec<{ n: number }>(`SELECT COUNT(*) AS n FROM tickets WHERE ${where}`, ...args).one().n;
  }

  private shopping(now: number): number {
    return this.count(`state = 'admitted' AND expires_at > ?`, now);
  }

  private row(id: string): TicketRow | undefined {
    return this.sql.exec<TicketRow>(`SELECT * FROM tickets WHERE id = ?`, id).toArray()[0];
  }

  private async token(r: TicketRow, s: RoomSettings): Promise<string> {
    const secret = jwtSecret(this.env as AppEnv["Bindings"]);
    return signAdmission(
      {
        sub: r.user_id,
        evt: s.eventId,
        tkt: r.id,
        iat: Math.floor(r.admitted_at! / 1000),
        exp: Math.floor(r.expires_at! / 1000),
      },
      secret,
    );
  }

  private waitSeconds(ahead: number, s: RoomSettings): number {
    return Math.ceil(ahead / Math.max(s.ratePerMinute / 60, 1e-6));
  }

  private async toView(r: TicketRow, s: RoomSettings, now: number): Promise<TicketView> {
    const v: TicketView = {
      ticket: r.id,
      eventId: s.eventId,
      state: r.state,
      position: null,
      ahead: null,
      estimatedWaitSeconds: null,
      joinedAt: r.joined_at,
    };
    if (r.state === "waiting") {
      if (r.rank != null) {
        v.ahead = this.count(`state = 'waiting' AND rank < ?`, r.rank);
        v.position = v.ahead + 1;
        v.estimatedWaitSeconds = this.waitSeconds(v.ahead, s);
      } else if (s.onSaleAt != null) {
        v.estimatedWaitSeconds = Math.max(0, Math.ceil((s.onSaleAt - now) / 1000));
      }
    }
    if (r.state === "admitted" && r.expires_at! > now)
      v.admission = { token: await this.token(r, s), expiresAt: r.expires_at! };
    if (r.state === "admitted" && r.expires_at! <= now) v.state = "expired";
    return v;
  }

  /** One alarm: at the on-sale instant while the pre-queue waits for it, else the next tick while fans wait. */
  private async rearm(now: number): Promise<void> {
    const s = this.settings();
    if (s?.enabled && this.meta("sold_out_at") != null && this.meta("restock_watched") == null) {
      this.armedAt = now + RESTOCK_RETRY_MS;
      return void (await this.ctx.storage.setAlarm(this.armedAt));
    }
    if (!s?.enabled || this.meta("sold_out_at") != null) {
      this.armedAt = null;
      return void (await this.ctx.storage.deleteAlarm());
    }
    const pending = this.meta("shuffled_at") == null && s.onSaleAt != null && now < s.onSaleAt;
    if (!pending && this.count(`state = 'waiting'`) === 0) return;
    const at = pending ? s.onSaleAt! : now + TICK_MS;
    if (this.armedAt != null && this.armedAt <= at && this.armedAt > Date.now()) return;
    const current = await this.ctx.storage.getAlarm();
    if (current == null || current > at) await this.ctx.storage.setAlarm(at);
    this.armedAt = Math.min(current ?? at, at);
  }

  /**
   * At (or after) the on-sale instant, once: ranks the pre-queue by the seeded shuffle, then
   * everyone who joined since in join order. Runs under blockConcurrencyWhile, so no join lands
   * between the (async) hashing and the write.
   */
  private async ensureShuffled(now: number): Promise<number> {
    const s = this.settings();
    if (!s || this.meta("shuffled_at") != null || (s.onSaleAt != null && now < s.onSaleAt)) return 0;
    let shuffled = 0;
    await this.ctx.blockConcurrencyWhile(async () => {
      if (this.meta("shuffled_at") != null) return;
      const cut = s.onSaleAt ?? -Infinity;
      const pre = this.sql
        .exec<{ id: string }>(`SELECT id FROM tickets WHERE rank IS NULL AND joined_at < ?`, cut)
        .toArray()
        .map((r) => r.id);
      const order = await fairOrder(this.meta("seed")!, pre);
      this.ctx.storage.transactionSync(() => {
        order.forEach((id, i) => {
          this.sql.exec(`UPDATE tickets SET rank = ? WHERE id = ?`, i + 1, id);
        });
        let next = order.length + 1;
        for (const r of this.sql
          .exec<{ id: string }>(`SELECT id FROM tickets WHERE rank IS NULL ORDER BY seq`)
          .toArray())
          this.sql.exec(`UPDATE tickets SET rank = ? WHERE id = ?`, next++, r.id);
        this.setMeta("next_rank", next);
        this.setMeta("prequeue_count", order.length);
        this.setMeta("shuffled_at", now);
      });
      shuffled = order.length;
    });
    return shuffled;
  }

  /** Available (seats + GA places) and held places from the inventory; null when it has none (not set up). */
  private async stock(eventId: string, now: number): Promise<Stock | null> {
    const inv = await this.env.EVENT_INVENTORY.getByName(eventId).inventory();
    const tiers = Object.values(inv.tiers);
    if (tiers.length === 0 && inv.areas.length === 0) return null;
    const available = tiers.reduce((n, t) => n + t.available, 0) + inv.areas.reduce((n, a) => n + a.remaining, 0);
    const held = tiers.reduce((n, t) => n + t.held, 0) + inv.areas.reduce((n, a) => n + a.held, 0);
    return { available, held, at: now };
  }

  // ---------------------------------------------------------------- RPC

  /** Saves the organizer's settings (live: a new rate applies from the next tick) and starts ticking. */
  async configure(input: RoomSettingsInput, now: number = Date.now()): Promise<RoomStats> {
    const s: RoomSettings = { tokenSeconds: DEFAULT_TOKEN_SECONDS, ...input };
    this.sql.exec(
      `INSERT INTO settings (id, json) VALUES (1, ?) ON CONFLICT(id) DO UPDATE SET json = excluded.json`,
      JSON.stringify(s),
    );
    await this.rearm(now);
    return this.stats(now);
  }

  /**
   * Joins the queue. An account with a live ticket (waiting, admitted and unexpired, or sold out)
   * gets it back (`created: false`); one whose ticket lapsed or who left queues again, at the back.
   */
  async join(userId: string, now: number = Date.now()): Promise<JoinResult> {
    const s = this.settings();
    if (!s?.enabled)
      return { ok: false, code: "queue_not_active", detail: "The waiting room for this event is not open" };
    await this.ensureShuffled(now);
    // Check-and-insert with no await between: one live place per account (a partial UNIQUE index
    // on user_id backs it up).
    let created = false;
    const row = this.ctx.storage.transactionSync(() => {
      const existing = this.liveTicketOf(userId);
      if (existing) {
        if (existing.state !== "admitted" || existing.expires_at! > now) return existing;
        // Admitted but lapsed: the tick would mark it so; do it now, so the new ticket may exist.
        this.sql.exec(`UPDATE tickets SET state = 'expired' WHERE id = ?`, existing.id);
      }
      const shuffled = this.meta("shuffled_at") != null;
      const rank = shuffled ? (this.num("next_rank") ?? 1) : null;
      if (rank != null) this.setMeta("next_rank", rank + 1);
      const seq = this.num("next_seq") ?? 1;
      this.setMeta("next_seq", seq + 1);
      const state: QueueState = this.meta("sold_out_at") != null ? "sold_out" : "waiting";
      const id = newId("qt", now);
      this.sql.exec(
        `INSERT INTO tickets (id, user_id, seq, rank, state, joined_at) VALUES (?, ?, ?, ?, ?, ?)`,
        id,
        userId,
        seq,
        rank,
        state,
        now,
      );
      created = true;
      return this.row(id)!;
    });
    await this.rearm(now);
    return { ok: true, created, view: await this.toView(row, s, now) };
  }

  /** The account's live ticket (waiting, admitted or sold out), if any. */
  private liveTicketOf(userId: string): TicketRow | undefined {
    return this.sql
      .exec<TicketRow>(
        `SELECT * FROM tickets WHERE user_id = ? AND state IN ('waiting','admitted','sold_out')
         ORDER BY seq DESC LIMIT 1`,
        userId,
      )
      .toArray()[0];
  }

  /** The owner's view of a ticket: place, fans ahead, wait estimate, and the token once admitted. */
  async view(ticketId: string, userId: string, now: number = Date.now()): Promise<ViewResult> {
    const s = this.settings();
    const r = this.row(ticketId);
    if (!s || !r || r.user_id !== userId) return { ok: false, code: "not_found", detail: "Queue ticket was not found" };
    await this.ensureShuffled(now);
    await this.rearm(now);
    return { ok: true, view: await this.toView(this.row(ticketId)!, s, now) };
  }

  /**
   * The fan leaves (or is done shopping): a waiting place or a shopping slot is freed at once.
   * An admitted fan's token is revoked in the inventory first (it refuses revoked tickets on the
   * hold path without asking the room), so the slot is never free while the token still works.
   */
  async leave(ticketId: string, userId: string, now: number = Date.now()): Promise<ViewResult> {
    const s = this.settings();
    const r = this.row(ticketId);
    if (!s || !r || r.user_id !== userId) return { ok: false, code: "not_found", detail: "Queue ticket was not found" };
    if (r.state === "admitted" && r.expires_at! > now) await this.revoke(s, r);
    if (r.state === "waiting" || r.state === "admitted") {
      this.sql.exec(`UPDATE tickets SET state = 'left' WHERE id = ? AND state = ?`, r.id, r.state);
      this.send(r.id, { type: "closed", ticket: r.id, state: "left" });
    }
    return { ok: true, view: await this.toView(this.row(ticketId)!, s, now) };
  }

  /** Tells the event's inventory to refuse this ticket's admission token from now on. */
  private async revoke(s: RoomSettings, r: TicketRow): Promise<void> {
    await this.env.EVENT_INVENTORY.getByName(s.eventId).revokeAdmission(r.id, r.expires_at!);
  }

  /**
   * The fan paid (called by the payment path): their shopping slot is freed at once, so the next
   * fan is admitted on the next tick instead of when the admission token would have lapsed. The
   * inventory revoked the token itself when it sold the seats.
   */
  async purchased(userId: string): Promise<boolean> {
    const r = this.liveTicketOf(userId);
    if (r?.state !== "admitted") return false;
    this.sql.exec(`UPDATE tickets SET state = 'left' WHERE id = ?`, r.id);
    this.send(r.id, { type: "closed", ticket: r.id, state: "left" });
    return true;
  }

  /**
   * Places came back after a sell-out (a refund, an unblock, a lapsed checkout): the inventory
   * calls this once it has stock again. Fans told "sold out" wait again in their old order, are
   * told at once, and admission resumes on the next tick.
   */
  async restocked(now: number = Date.now()): Promise<boolean> {
    const s = this.settings();
    if (!s?.enabled || this.meta("sold_out_at") == null) return false;
    const reopened = this.ctx.storage.transactionSync(() => {
      const ids = this.sql
        .exec<{ id: string }>(`SELECT id FROM tickets WHERE state = 'sold_out'`)
        .toArray()
        .map((r) => r.id);
      this.sql.exec(`UPDATE tickets SET state = 'waiting' WHERE state = 'sold_out'`);
      this.sql.exec(`DELETE FROM meta WHERE key IN ('sold_out_at', 'restock_watched')`);
      return ids;
    });
    for (const id of reopened) this.send(id, { type: "reopened", ticket: id });
    await this.notify([], [], false, true, s, now);
    await this.rearm(now);
    return true;
  }

  /**
   * Asks the inventory to call `restocked` when places come back. If places came back between the
   * stock read and now, the room reopens at once instead.
   */
  private async watchRestock(s: RoomSettings, now: number): Promise<void> {
    const stillSoldOut = await this.env.EVENT_INVENTORY.getByName(s.eventId).watchRestock();
    this.setMeta("restock_watched", 1);
    if (!stillSoldOut) await this.restocked(now);
  }

  /**
   * One admission step at `now`: shuffle if the sale just opened, expire lapsed admissions, read the
   * stock once, then admit up to min(rate credit, maxShopping − shopping, stock cap − shopping) in
   * rank order, or mark everyone sold out. Unused rate credit is not banked (no burst after a pause).
   */
  async tick(now: number = Date.now()): Promise<TickResult> {
    const s = this.settings();
    const empty: TickResult = {
      admitted: 0,
      expired: 0,
      shuffled: 0,
      soldOut: this.meta("sold_out_at") != null,
      shopping: 0,
      waiting: 0,
    };
    if (!s?.enabled) return empty;
    if (empty.soldOut) {
      // A sold-out room sleeps until the inventory says places came back; if asking it failed,
      // the slow alarm (see rearm) retries here.
      if (this.meta("restock_watched") == null) await this.watchRestock(s, now);
      return empty;
    }
    const shuffled = await this.ensureShuffled(now);
    const waitingBefore = this.count(`state = 'waiting'`);
    const stock = waitingBefore > 0 && this.meta("shuffled_at") != null ? await this.stock(s.eventId, now) : null;
    if (stock) this.setMeta("stock", JSON.stringify(stock));

    // From here to the end of the transaction: no await, so the slot arithmetic is exact.
    const out = this.ctx.storage.transactionSync(() => {
      const expired = this.sql
        .exec<{ id: string }>(`SELECT id FROM tickets WHERE state = 'admitted' AND expires_at <= ?`, now)
        .toArray()
        .map((r) => r.id);
      this.sql.exec(`UPDATE tickets SET state = 'expired' WHERE state = 'admitted' AND expires_at <= ?`, now);
      if (stock && stock.available === 0 && stock.held === 0) {
        this.sql.exec(`UPDATE tickets SET state = 'sold_out' WHERE state = 'waiting'`);
        this.setMeta("sold_out_at", now);
        return { admitted: [] as string[], expired, soldOut: true };
      }
      const last = this.num("last_tick");
      const elapsed = last == null ? TICK_MS : Math.max(0, now - last);
      const credit = (this.num("credit") ?? 0) + (s.ratePerMinute / 60_000) * elapsed;
      const shopping = this.shopping(now);
      const byStock = stock ? stock.available + Math.ceil(stock.held * HOLD_LAPSE_SHARE) - shopping : Infinity;
      const waiting = this.meta("shuffled_at") != null ? this.count(`state = 'waiting'`) : 0;
      const n = Math.max(0, Math.min(Math.floor(credit), s.maxShopping - shopping, byStock, waiting));
      this.setMeta("credit", n === Math.floor(credit) ? credit - n : 0);
      this.setMeta("last_tick", Math.max(now, last ?? now));
      const ids = this.sql
        .exec<{ id: string }>(`SELECT id FROM tickets WHERE state = 'waiting' ORDER BY rank LIMIT ?`, n)
        .toArray()
        .map((r) => r.id);
      for (const id of ids)
        this.sql.exec(
          `UPDATE tickets SET state = 'admitted', admitted_at = ?, expires_at = ? WHERE id = ?`,
          now,
          now + s.tokenSeconds * 1000,
          id,
        );
      return { admitted: ids, expired, soldOut: false };
    });

    await this.notify(out.admitted, out.expired, out.soldOut, shuffled > 0, s, now);
    if (out.soldOut) {
      try {
        await this.watchRestock(s, now);
      } catch (err) {
        console.error(JSON.stringify({ level: "error", msg: "restock watch failed", error: String(err) }));
      }
    }
    await this.rearm(now);
    return {
      admitted: out.admitted.length,
      expired: out.expired.length,
      shuffled,
      soldOut: out.soldOut,
      shopping: this.shopping(now),
      waiting: this.count(`state = 'waiting'`),
    };
  }

  /** The organizer's dashboard figures. */
  async stats(now: number = Date.now()): Promise<RoomStats> {
    const s = this.settings();
    const length = this.count(`state = 'waiting'`);
    const rate = s?.ratePerMinute ?? 0;
    const stock = this.meta("stock");
    return {
      eventId: s?.eventId ?? "",
      enabled: s?.enabled ?? false,
      ratePerMinute: rate,
      maxShopping: s?.maxShopping ?? 0,
      tokenSeconds: s?.tokenSeconds ?? DEFAULT_TOKEN_SECONDS,
      onSaleAt: s?.onSaleAt ?? null,
      length,
      admitted: this.count(`admitted_at IS NOT NULL`),
      shopping: this.shopping(now),
      admittedLastMinute: this.count(`admitted_at > ?`, now - 60_000),
      estimatedDrainSeconds: rate > 0 ? Math.ceil((length / rate) * 60) : null,
      soldOut: this.meta("sold_out_at") != null,
      stock: stock ? (JSON.parse(stock) as Stock) : null,
      commitment: this.meta("commitment")!,
      shuffledAt: this.num("shuffled_at"),
    };
  }

  /** The commitment before the shuffle; after it, the seed and the pre-queue's admission order. */
  async fairness(): Promise<Fairness> {
    const s = this.settings();
    const base = { commitment: this.meta("commitment")!, algorithm: FAIRNESS_ALGORITHM, onSaleAt: s?.onSaleAt ?? null };
    if (this.meta("shuffled_at") == null) return { ...base, revealed: false };
    const p = this.num("prequeue_count") ?? 0;
    const order = this.sql
      .exec<{ id: string }>(`SELECT id FROM tickets WHERE rank <= ? ORDER BY rank`, p)
      .toArray()
      .map((r) => r.id);
    return { ...base, revealed: true, seed: this.meta("seed")!, order };
  }

  /** The admission tick. A failed tick still re-arms, so one bad read never stops the queue. */
  override async alarm(): Promise<void> {
    this.armedAt = null; // the runtime cleared the alarm that fired
    try {
      await this.tick(Date.now());
    } catch (err) {
      console.error(JSON.stringify({ level: "error", msg: "waiting room tick failed", error: String(err) }));
      await this.ctx.storage.setAlarm(Date.now() + TICK_MS);
      this.armedAt = Date.now() + TICK_MS;
    }
  }

  // ---------------------------------------------------------------- sockets

  private send(ticketId: string, msg: QueueServerMessage): void {
    const data = JSON.stringify(msg);
    for (const ws of this.ctx.getWebSockets(ticketTag(ticketId))) safeSend(ws, data);
  }

  /**
   * After a tick: tokens to the newly admitted, `closed` to the expired, `sold_out` to everyone
   * (one serialization), and fresh positions to waiting sockets when the queue moved: the waiting
   * ranks are read once and each socket's place is an index lookup.
   */
  private async notify(
    admitted: string[],
    expired: string[],
    soldOut: boolean,
    shuffled: boolean,
    s: RoomSettings,
    now: number,
  ): Promise<void> {
    for (const id of expired) this.send(id, { type: "closed", ticket: id, state: "expired" });
    if (soldOut) {
      for (const ws of this.ctx.getWebSockets()) {
        const t = (ws.deserializeAttachment() as { ticket: string } | null)?.ticket ?? "";
        safeSend(ws, JSON.stringify({ type: "sold_out", ticket: t } satisfies QueueServerMessage));
      }
      return;
    }
    for (const id of admitted) {
      if (this.ctx.getWebSockets(ticketTag(id)).length === 0) continue;
      const r = this.row(id)!;
      this.send(id, { type: "admitted", ticket: id, token: await this.token(r, s), expiresAt: r.expires_at! });
    }
    if (admitted.length === 0 && expired.length === 0 && !shuffled) return;
    const sockets = this.ctx.getWebSockets();
    if (sockets.length === 0) return;
    const place = new Map<string, number>();
    let i = 0;
    for (const r of this.sql.exec<{ id: string }>(
      `SELECT id FROM tickets WHERE state = 'waiting' AND rank IS NOT NULL ORDER BY rank`,
    ))
      place.set(r.id, i++);
    for (const ws of sockets) {
      const t = (ws.deserializeAttachment() as { ticket: string } | null)?.ticket;
      const ahead = t ? place.get(t) : undefined;
      if (t && ahead !== undefined)
        safeSend(
          ws,
          JSON.stringify({
            type: "position",
            ticket: t,
            position: ahead + 1,
            ahead,
            estimatedWaitSeconds: this.waitSeconds(ahead, s),
            serverTime: now,
          } satisfies QueueServerMessage),
        );
    }
  }

  /** The first message for a socket: where the ticket stands now. */
  private async firstMessage(r: TicketRow, s: RoomSettings, now: number): Promise<QueueServerMessage> {
    const v = await this.toView(r, s, now);
    if (v.admission)
      return { type: "admitted", ticket: r.id, token: v.admission.token, expiresAt: v.admission.expiresAt };
    if (v.state === "sold_out") return { type: "sold_out", ticket: r.id };
    if (v.state === "left" || v.state === "expired") return { type: "closed", ticket: r.id, state: v.state };
    return {
      type: "position",
      ticket: r.id,
      position: v.position,
      ahead: v.ahead,
      estimatedWaitSeconds: v.estimatedWaitSeconds,
      serverTime: now,
    };
  }

  /**
   * The WebSocket upgrade for `GET /v1/events/{id}/queue/{ticket}/live`; the Worker verifies the
   * socket ticket and forwards its user in `X-Queue-User` and its id in `X-Live-Ticket`, redeemed
   * here once (409 when used before). Hibernating: "ping" is answered without waking us.
   */
  override async fetch(request: Request): Promise<Response> {
    if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
      return new Response("expected a WebSocket upgrade", { status: 426 });
    const ticket = request.headers.get("X-Queue-Ticket") ?? "";
    const s = this.settings();
    const r = this.row(ticket);
    if (!s || !r || r.user_id !== request.headers.get("X-Queue-User"))
      return new Response("queue ticket not found", { status: 404 });
    if (!(await this.socketTickets.redeem(request.headers.get("X-Live-Ticket") ?? "")))
      return new Response("this socket ticket was used before", { status: 409 });
    await this.ensureShuffled(Date.now());
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, [ticketTag(ticket)]);
    server.serializeAttachment({ ticket });
    server.send(JSON.stringify(await this.firstMessage(this.row(ticket)!, s, Date.now())));
    return new Response(null, { status: 101, webSocket: client });
  }

  override async webSocketMessage(ws: WebSocket): Promise<void> {
    safeSend(
      ws,
      JSON.stringify({
        type: "error",
        code: "malformed",
        message: 'the queue socket takes only "ping"',
      } satisfies QueueServerMessage),
    );
  }

  override async webSocketClose(ws: WebSocket, code: number, reason: string): Promise<void> {
    try {
      ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
    } catch {
      // already closed
    }
  }
}
