/**
 * The waiting-room socket protocol (`GET /v1/events/{id}/queue/{ticket}/live`), shared by the
 * WaitingRoom object (server) and clients. The server speaks; the client only sends text "ping"
 * (answered "pong" by the runtime without waking the object).
 *
 * - `position`: where the fan stands (null before the on-sale shuffle), sent on connect and after
 *   each admission tick that moved the queue.
 * - `admitted`: the signed admission token for `X-Admission-Token` on `POST /v1/events/{id}/holds`.
 * - `sold_out`: nothing left to wait for; sent to every socket at once.
 * - `reopened`: places came back after a sell-out (a refund, an unblock, a lapsed checkout); the
 *   ticket waits again in its old order, and a `position` follows.
 * - `closed`: the ticket ended another way (the fan left, or the admission expired).
 */
export type QueueState = "waiting" | "admitted" | "left" | "expired" | "sold_out";

export type QueueServerMessage =
  | {
      type: "position";
      ticket: string;
      position: number | null;
      ahead: number | null;
      estimatedWaitSeconds: number | null;
      serverTime: number;
    }
  | { type: "admitted"; ticket: string; token: string; expiresAt: number }
  | { type: "sold_out"; ticket: string }
  | { type: "reopened"; ticket: string }
  | { type: "closed"; ticket: string; state: Extract<QueueState, "left" | "expired"> }
  | { type: "error"; code: "malformed" | "forbidden" | "not_found"; message: string };

export const QUEUE_PING = "ping";
export const QUEUE_PONG = "pong";
