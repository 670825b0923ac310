import { QUEUE_PING, QUEUE_PONG, type QueueServerMessage } from "../../live/queue-protocol";
import { ApiError, api } from "./api";
import type { QueueTicket } from "./types";

export type QueueMode = "live" | "polling" | "connecting";
type Listener = {
  onMessage: (m: QueueServerMessage) => void;
  onMode?: (mode: QueueMode) => void;
  /** The ticket is not (or no longer) this account's: the caller forgets it. */
  onGone?: () => void;
};

const PING_MS = 30_000;
const POLL_FIRST_MS = 2_000;
const POLL_MAX_MS = 30_000;

const ticketPath = (eventId: string, ticket: string) =>
  `/v1/events/${encodeURIComponent(eventId)}/queue/${encodeURIComponent(ticket)}`;

/** A ticket as read over HTTP, told as the socket would have told it, so one handler serves both. */
export function viewToMessage(v: QueueTicket): QueueServerMessage {
  if (v.state === "admitted" && v.admission)
    return {
      type: "admitted",
      ticket: v.ticket,
      token: v.admission.token,
      expiresAt: Date.parse(v.admission.expiresAt),
    };
  if (v.state === "sold_out") return { type: "sold_out", ticket: v.ticket };
  // An admitted view without a token has lapsed (the server reports that as "expired" anyway).
  if (v.state !== "waiting")
    return { type: "closed", ticket: v.ticket, state: v.state === "left" ? "left" : "expired" };
  return {
    type: "position",
    ticket: v.ticket,
    position: v.position,
    ahead: v.ahead,
    estimatedWaitSeconds: v.estimatedWaitSeconds,
    serverTime: Date.now(),
  };
}

export const readTicket = (eventId: string, ticket: string) => api<QueueTicket>("GET", ticketPath(eventId, ticket));

/**
 * The ticket id lives in localStorage under the event and the account, so a reload, a second tab
 * or a later visit finds the same place instead of joining again (the server would hand back the
 * live ticket anyway, but a left or lapsed one would be replaced by a new one at the back).
 */
const storeKey = (eventId: string, userId: string) => `queue:${eventId}:${userId}`;
export const storedTicket = (eventId: string, userId: string) => localStorage.getItem(storeKey(eventId, userId));
export function keepTicket(eventId: string, userId: string, ticket: string | null) {
  if (ticket) localStorage.setItem(storeKey(eventId, userId), ticket);
  else localStorage.removeItem(storeKey(eventId, userId));
}

/**
 * Follows one queue ticket: the socket (`…/queue/{ticket}/live`) while it is up; while it is down,
 * polls `GET …/queue/{ticket}` from 2 s, doubling to 30 s (a crowd of fans whose sockets dropped
 * together must not turn into a polling storm), and reconnects with the same kind of backoff.
 */
export class LiveQueue {
  private ws: WebSocket | null = null;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private reconnectTimer: ReturnType<typeof setTimeout> | undefined;
  private retry = 0;
  private pollDelay = POLL_FIRST_MS;
  private stopped = false;

  constructor(
    private readonly eventId: string,
    readonly ticket: string,
    private readonly l: Listener,
  ) {}

  start() {
    void this.connect();
  }

  stop() {
    this.stopped = true;
    const ws = this.ws;
    this.ws = null;
    ws?.close();
    clearInterval(this.pingTimer);
    clearTimeout(this.pollTimer);
    clearTimeout(this.reconnectTimer);
  }

  /**
   * Every (re)connect asks for a fresh single-use socket ticket: the access token never goes into
   * the URL, and `api` refreshes an access token that expired while the fan waited.
   */
  private async connect() {
    if (this.stopped) return;
    this.l.onMode?.("connecting");
    let socketTicket: string;
    try {
      socketTicket = (
        await api<{ ticket: string }>("POST", `/v1/events/${encodeURIComponent(this.eventId)}/live-ticket`)
      ).ticket;
    } catch {
      this.fallBack();
      return;
    }
    if (this.stopped) return;
    const url = new URL(`${ticketPath(this.eventId, this.ticket)}/live`, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    url.searchParams.set("socketTicket", socketTicket);
    let ws: WebSocket;
    try {
      ws = new WebSocket(url);
    } catch {
      this.fallBack();
      return;
    }
    this.ws = ws;
    ws.onopen = () => {
      this.retry = 0;
      this.pollDelay = POLL_FIRST_MS;
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.l.onMode?.("live");
      this.pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send(QUEUE_PING), PING_MS);
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string" || e.data === QUEUE_PONG) return;
      let m: QueueServerMessage;
      try {
        m = JSON.parse(e.data) as QueueServerMessage;
      } catch {
        return; // unreadable: the next message, or a poll, says where we stand
      }
      if (m.type === "error") {
        if (m.code === "not_found" || m.code === "forbidden") this.gone();
        return;
      }
      this.l.onMessage(m);
    };
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws !== ws) return; // closed by stop(), or replaced
      this.ws = null;
      this.fallBack();
    };
  }

  private fallBack() {
    if (this.stopped) return;
    this.l.onMode?.("polling");
    // Poll once soon: the socket may have dropped on a message we never saw (an admission).
    if (!this.pollTimer) this.schedulePoll();
    const delay = Math.min(30_000, 1000 * 2 ** this.retry++);
    clearTimeout(this.reconnectTimer);
    this.reconnectTimer = setTimeout(() => void this.connect(), delay);
  }

  private schedulePoll() {
    this.pollTimer = setTimeout(async () => {
      await this.poll();
      if (this.stopped || this.ws?.readyState === WebSocket.OPEN) {
        this.pollTimer = undefined;
        return;
      }
      this.pollDelay = Math.min(POLL_MAX_MS, this.pollDelay * 2);
      this.schedulePoll();
    }, this.pollDelay);
  }

  private async poll() {
    try {
      const v = await readTicket(this.eventId, this.ticket);
      if (!this.stopped) this.l.onMessage(viewToMessage(v));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.gone();
      // anything else (offline, 5xx): the next poll or the socket tries again
    }
  }

  private gone() {
    this.stop();
    this.l.onGone?.();
  }
}
