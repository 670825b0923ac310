import type { Change, ClientMessage, SeatCode, ServerMessage } from "../../live/protocol";
import { api, send, session } from "./api";

export type SeatState = { version: number; seats: Record<string, SeatCode>; areas: Record<string, number> };
export type HoldStatus = Extract<ServerMessage, { type: "hold" }>;
type Listener = {
  /**
   * Called with the seat ids (and area ids) that changed; `null` means "everything" (a snapshot).
   * `mine` holds the seats among them that changed for this fan (in this tab or another): the
   * server tags each change with the tag of the fan it was made for, and `hello` told us ours.
   */
  onChange: (seats: string[] | null, areas: string[] | null, mine: ReadonlySet<string>) => void;
  onHold?: (m: HoldStatus) => void;
  onSoldOut?: () => void;
  onMode?: (mode: "live" | "polling" | "connecting") => void;
};

const PING_MS = 30_000;
const POLL_MS = 2_000;

/**
 * Keeps a seat map current: the live WebSocket (`GET /v1/events/{id}/live`) when it answers,
 * polling `GET …/seats` with If-None-Match every 2 s while it does not. Deltas are applied in
 * version order; a gap asks the server to resync from the version we hold.
 */
export class LiveSeats {
  state: SeatState = { version: -1, seats: {}, areas: {} };
  private ws: WebSocket | null = null;
  private pingTimer: ReturnType<typeof setInterval> | undefined;
  private pollTimer: ReturnType<typeof setTimeout> | undefined;
  private retry = 0;
  private watched: string | null = null;
  private stopped = false;
  /** This fan's tag on this event's socket (from `hello`); null when watching signed out. */
  private me: string | null = null;

  constructor(
    private readonly eventId: string,
    private readonly l: Listener,
  ) {}

  /** Loads the snapshot over HTTP (fast first paint), then goes live. */
  async start() {
    await this.poll(true);
    void this.connect();
  }

  stop() {
    this.stopped = true;
    this.ws?.close();
    clearInterval(this.pingTimer);
    clearTimeout(this.pollTimer);
  }

  /** Follows one of the visitor's holds over the socket (countdown, expiry). */
  watchHold(holdId: string | null) {
    this.watched = holdId;
    if (holdId) this.sendMsg({ type: "watch_hold", holdId });
  }

  private sendMsg(m: ClientMessage) {
    if (this.ws?.readyState === WebSocket.OPEN) this.ws.send(JSON.stringify(m));
  }

  /**
   * A single-use ticket for a signed-in socket, fetched afresh for every (re)connect: the access
   * token never goes into the URL, and a token that expired while the page sat idle is refreshed
   * by `api` on the way, so the map stays live. Signed out (or refused): watch anonymously.
   */
  private async ticket(): Promise<string | null> {
    if (!session()) return null;
    try {
      const t = await api<{ ticket: string }>("POST", `/v1/events/${encodeURIComponent(this.eventId)}/live-ticket`);
      return t.ticket;
    } catch {
      return null;
    }
  }

  private async connect() {
    if (this.stopped) return;
    this.l.onMode?.("connecting");
    const ticket = await this.ticket();
    if (this.stopped) return;
    const url = new URL(`/v1/events/${encodeURIComponent(this.eventId)}/live`, location.href);
    url.protocol = location.protocol === "https:" ? "wss:" : "ws:";
    if (this.state.version >= 0) url.searchParams.set("version", String(this.state.version));
    if (ticket) url.searchParams.set("ticket", ticket);
    this.me = null;
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
      clearTimeout(this.pollTimer);
      this.pollTimer = undefined;
      this.l.onMode?.("live");
      this.pingTimer = setInterval(() => ws.readyState === WebSocket.OPEN && ws.send("ping"), PING_MS);
      if (this.watched) this.sendMsg({ type: "watch_hold", holdId: this.watched });
    };
    ws.onmessage = (e) => {
      if (typeof e.data !== "string" || e.data === "pong") return;
      try {
        this.handle(JSON.parse(e.data) as ServerMessage);
      } catch {
        /* a message we cannot read: the next delta or resync repairs the state */
      }
    };
    ws.onclose = () => {
      clearInterval(this.pingTimer);
      if (this.ws === ws) this.ws = null;
      this.fallBack();
    };
  }

  /** Polls until the socket is back; reconnects with backoff (1 s … 30 s). */
  private fallBack() {
    if (this.stopped) return;
    this.l.onMode?.("polling");
    if (!this.pollTimer) this.schedulePoll();
    const delay = Math.min(30_000, 1000 * 2 ** this.retry++);
    setTimeout(() => void this.connect(), delay);
  }

  private schedulePoll() {
    this.pollTimer = setTimeout(async () => {
      await this.poll(false).catch(() => {});
      if (this.stopped || this.ws?.readyState === WebSocket.OPEN) this.pollTimer = undefined;
      else this.schedulePoll();
    }, POLL_MS);
  }

  private async poll(first: boolean) {
    const headers: Record<string, string> = {};
    if (!first && this.state.version >= 0) headers["If-None-Match"] = `"v${this.state.version}"`;
    const res = await send("GET", `/v1/events/${encodeURIComponent(this.eventId)}/seats`, undefined, { headers });
    if (res.status === 304 || !res.ok) return;
    const snap = (await res.json()) as SeatState;
    this.applySnapshot(snap);
  }

  private handle(m: ServerMessage) {
    switch (m.type) {
      case "hello":
        this.me = m.you;
        break;
      case "snapshot":
        this.applySnapshot(m);
        break;
      case "delta":
        this.applyDelta(m.version, m.changes);
        break;
      case "sold_out":
        this.l.onSoldOut?.();
        break;
      case "hold":
        this.l.onHold?.(m);
        break;
      case "error":
        console.warn("live:", m.code, m.message);
        break;
    }
  }

  private applySnapshot(s: { version: number; seats: Record<string, SeatCode>; areas: Record<string, number> }) {
    if (s.version < this.state.version) return;
    this.state = { version: s.version, seats: { ...s.seats }, areas: { ...s.areas } };
    this.l.onChange(null, null, new Set());
  }

  private applyDelta(version: number, changes: Change[]) {
    if (version <= this.state.version) return;
    const sorted = [...changes].sort((a, b) => a.version - b.version);
    const first = sorted[0];
    if (first && first.version > this.state.version + 1) {
      // A gap: we missed a change. Ask for what follows our version (deltas or a snapshot).
      this.sendMsg({ type: "resync", version: this.state.version });
      return;
    }
    const seats = new Set<string>();
    const areas = new Set<string>();
    const mine = new Set<string>();
    for (const c of sorted) {
      if (c.version <= this.state.version) continue;
      const byMe = this.me !== null && c.by === this.me;
      for (const [id, code] of Object.entries(c.seats ?? {})) {
        this.state.seats[id] = code;
        seats.add(id);
        if (byMe) mine.add(id);
        else mine.delete(id);
      }
      for (const [id, left] of Object.entries(c.areas ?? {})) {
        this.state.areas[id] = left;
        areas.add(id);
      }
      this.state.version = c.version;
    }
    this.state.version = Math.max(this.state.version, version);
    this.l.onChange([...seats], [...areas], mine);
  }
}
