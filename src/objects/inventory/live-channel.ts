import { PING, PONG, type Change, type ServerMessage } from "../../live/protocol";

/** What each socket remembers across hibernation: who it is and which holds it follows. */
export type SocketState = { userId: string | null; holds: string[] };

export type HoldNotice = {
  holdId: string;
  userId: string;
  status: Extract<ServerMessage, { type: "hold" }>["status"];
  expiresAt: number;
};

const userTag = (userId: string) => `user:${userId}`;

/**
 * The event's live sockets, accepted with the Hibernation API: the object can be evicted while
 * thousands of fans stay connected, and "ping" is answered by the runtime without waking it.
 * Changes are queued during a transaction and sent after it, once per change for everyone.
 */
export class LiveChannel {
  private changes: Change[] = [];
  private holds: HoldNotice[] = [];

  constructor(private readonly ctx: DurableObjectState) {
    ctx.setWebSocketAutoResponse(new WebSocketRequestResponsePair(PING, PONG));
  }

  /** Accepts a socket and sends it its first message (a snapshot, or the deltas it missed). */
  accept(userId: string | null, first: ServerMessage): Response {
    const pair = new WebSocketPair();
    const [client, server] = Object.values(pair) as [WebSocket, WebSocket];
    this.ctx.acceptWebSocket(server, userId ? [userTag(userId)] : []);
    server.serializeAttachment({ userId, holds: [] } satisfies SocketState);
    server.send(JSON.stringify(first));
    return new Response(null, { status: 101, webSocket: client });
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

  /** Sends queued deltas to every socket (serialized once) and hold notices to their owners. */
  flush(soldOut: () => boolean): void {
    const changes = this.changes;
    const holds = this.holds;
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
