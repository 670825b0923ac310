import { ClientMessageSchema, type ServerMessage } from "../../live/protocol";
import { encodeHoldId } from "../../domain/hold-ids";
import { type LiveChannel, type SocketState, safeSend } from "./live-channel";
import type { InventoryStore } from "./store";

/**
 * Answers a client's socket message: `resync` (deltas after a version, or a snapshot) and
 * `watch_hold` (follow one's own hold); anything else gets an error and the socket stays.
 */
export async function answerClient(
  s: InventoryStore,
  live: LiveChannel,
  ws: WebSocket,
  message: string | ArrayBuffer,
  catchUp: (version: number | null) => Promise<ServerMessage>,
): Promise<void> {
  const reply = (m: ServerMessage) => safeSend(ws, JSON.stringify(m));
  let parsed: unknown;
  try {
    parsed = JSON.parse(typeof message === "string" ? message : new TextDecoder().decode(message));
  } catch {
    return reply({ type: "error", code: "malformed", message: "messages are JSON objects" });
  }
  const msg = ClientMessageSchema.safeParse(parsed);
  if (!msg.success)
    return reply({
      type: "error",
      code: "malformed",
      message: 'expected {type:"resync", version} or {type:"watch_hold", holdId}',
    });
  if (msg.data.type === "resync") return reply(await catchUp(msg.data.version));
  const state = ws.deserializeAttachment() as SocketState | null;
  const holdId = msg.data.holdId.includes("~")
    ? msg.data.holdId.slice(msg.data.holdId.indexOf("~") + 1)
    : msg.data.holdId;
  const h = s.getHoldRow(holdId);
  if (!h) return reply({ type: "error", code: "not_found", message: "no such hold" });
  if (!state?.userId || state.userId !== h.user_id)
    return reply({
      type: "error",
      code: "forbidden",
      message: "you can follow only your own holds (connect with ?ticket= from POST /v1/events/{id}/live-ticket)",
    });
  const publicId = encodeHoldId(s.eventId(), h.id);
  live.follow(ws, publicId);
  const view = s.toView(h, Date.now());
  reply({ type: "hold", holdId: publicId, status: view.status, expiresAt: view.expiresAt, serverTime: Date.now() });
}

/**
 * The WebSocket upgrade the Worker forwards (after authenticating): the socket's ticket is
 * redeemed once (409 when it was used before), and its first message is the deltas after
 * `?version=` when the log still reaches, else a snapshot.
 */
export async function upgrade(
  live: LiveChannel,
  request: Request,
  catchUp: (version: number | null) => Promise<ServerMessage>,
): Promise<Response> {
  if (request.headers.get("Upgrade")?.toLowerCase() !== "websocket")
    return new Response("expected a WebSocket upgrade", { status: 426 });
  if (!(await live.redeem(request.headers.get("X-Live-Ticket"))))
    return new Response("this live ticket was used before", { status: 409 });
  const raw = new URL(request.url).searchParams.get("version");
  const version = raw != null && /^\d+$/.test(raw) ? Number(raw) : null;
  return live.accept(request.headers.get("X-Live-User"), await catchUp(version));
}

/** Closes our side of a socket the client closed; 1005 and 1006 cannot be sent back. */
export function closeSocket(ws: WebSocket, code: number, reason: string): void {
  try {
    ws.close(code === 1005 || code === 1006 ? 1000 : code, reason);
  } catch {
    // already closed
  }
}
