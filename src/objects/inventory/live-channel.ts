import { jwtSecret } from "../../auth/config";
import { liveTag } from "../../auth/live-tickets";
import { PING, PONG, type Change, type ServerMessage } from "../../live/protocol";
import { RedeemedTickets } from "../redeemed-tickets";

/** What each socket remembers across hibernation: who it is and which holds it follows. */
export type SocketState = { userId: string | null; holds: string[] };

export type HoldNotice = {
  holdId: string;
  userId: string;
  status: Extract<ServerMessage, { type: "hold" }>["status"];
  expiresAt: number;
};

const userTag = (userId: string) => `user:${userId}`;
/** Statuses of hold notices whose change takes places for their fan (the rest give places back). */
const TAKING = new Set<HoldNotice["status"]>(["active", "checking_out", "confirmed"]);

/**
 * The event's live sockets, accepted with the Hibernation API: the object can be evicted while
 * thousands of fans stay connected, and "ping" is answered by the runtime without waking it.
 * Changes are queued during a transaction and sent after it, once per change for everyone.
 */
export class LiveChannel {
  private changes: Change[] = [];
  private holds: HoldNotice[] = [];
  private tagKey: string | null | undefined;
  private readonly tags = new Map<string, string>();
  private readonly tickets: RedeemedTickets;

  constructor(
    private readonly ctx: DurableObjectState,
    private readonly env: Env,
  ) {
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
    this.tickets = new RedeemedTickets(ctx.storage);
  }

  /**
   * Accepts a socket and sends it `hello` (its fan's tag) and its first state message (a snapshot,
   * or the deltas it missed).
   */
  accept(userId: string | null, first: ServerMessage): Response {
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, userId ? [userTag(userId)] : []);
    server.serializeAttachment({ userId, holds: [] } satisfies SocketState);
    server.send(JSON.stringify({ type: "hello", you: userId ? this.tagOf(userId) : null } satisfies ServerMessage));
    server.send(JSON.stringify(first));
    return new Response(null, { status: 101, webSocket: client });
  }

  /** Redeems a socket ticket once (see RedeemedTickets); a socket without one is anonymous. */
  redeem(header: string | null, now: number = Date.now()): Promise<boolean> {
    return header == null ? Promise.resolve(true) : this.tickets.redeem(header, now);
  }

  /** A fan's tag on this event (see src/live/protocol.ts); null when no key is configured. */
  private tagOf(userId: string): string | null {
    if (this.tagKey === undefined) {
      try {
        this.tagKey = jwtSecret(this.env);
      } catch {
        this.tagKey = null; // a missing secret must not break holds: deltas go untagged
      }
    }
    if (this.tagKey === null) return null;
    let tag = this.tags.get(userId);
    if (!tag) {
      if (this.tags.size >= 10_000) this.tags.clear();
      tag = liveTag(this.tagKey, this.ctx.id.toString(), userId);
      this.tags.set(userId, tag);
    }
    return tag;
  }

  /** The tag of the one fan a flush took places for, if exactly one did (the common case: a hold). */
  private takerTag(holds: HoldNotice[]): string | null {
    const takers = new Set(holds.filter((h) => TAKING.has(h.status)).map((h) => h.userId));
    return takers.size === 1 ? this.tagOf([...takers][0]!) : null;
  }

  /** Called inside a transaction: remembered, sent by `flush` once the transaction committed. */
  queueChange(change: Change): void {
    this.changes.push(change);
  }

  queueHold(notice: HoldNotice): void {
    this.holds.push(notice);
  }

  /** Drops what a rolled-back transaction queued. */
  discard(): void {
    this.changes = [];
    this.holds = [];
  }

  /**
   * Sends queued deltas to every socket (serialized once) and hold notices to their owners. A
   * flush follows one transaction, so the fan whose hold notices it carries is the fan its deltas
   * were made for: they carry that fan's tag.
   */
  flush(soldOut: () => boolean): void {
    // Nobody watching: no deltas to build, no sold-out check.
    if (this.ctx.getWebSockets().length === 0) {
      this.discard();
      return;
    }
    const holds = this.holds;
    const by = this.changes.length ? this.takerTag(holds) : null;
    const changes = by ? this.changes.map((c) => ({ ...c, by })) : this.changes;
    this.discard();
    if (changes.length) {
      const last = changes[changes.length - 1]!.version;
      this.broadcast({ type: "delta", version: last, changes });
      const took = changes.some(
        (c) => Object.values(c.seats ?? {}).some((s) => s !== "a") || Object.keys(c.areas ?? {}).length > 0,
      );
      if (took && soldOut()) this.broadcast({ type: "sold_out", version: last });
    }
    for (const h of holds) {
      const msg = JSON.stringify({
        type: "hold",
        holdId: h.holdId,
        status: h.status,
        expiresAt: h.expiresAt,
        serverTime: Date.now(),
      } satisfies ServerMessage);
      for (const ws of this.ctx.getWebSockets(userTag(h.userId))) {
        const state = ws.deserializeAttachment() as SocketState | null;
        if (state?.holds.includes(h.holdId)) safeSend(ws, msg);
      }
    }
  }

  broadcast(message: ServerMessage): void {
    const data = JSON.stringify(message);
    for (const ws of this.ctx.getWebSockets()) safeSend(ws, data);
  }

  /** Adds a hold to the ones a socket follows (kept in its attachment, so it survives hibernation). */
  follow(ws: WebSocket, holdId: string): void {
    const state = (ws.deserializeAttachment() as SocketState | null) ?? { userId: null, holds: [] };
    if (!state.holds.includes(holdId)) state.holds = [...state.holds.slice(-9), holdId];
    ws.serializeAttachment(state);
  }

  get size(): number {
    return this.ctx.getWebSockets().length;
  }
}

/** A socket that closed between listing and sending must not break the broadcast to the rest. */
export function safeSend(ws: WebSocket, data: string): void {
  try {
    ws.send(data);
  } catch {
    // closed or closing; the runtime calls webSocketClose for it
  }
}
