import { exports } from "cloudflare:workers";
import type { ServerMessage } from "../../src/live/protocol";
import { BASE, call, expectJson } from "../helpers/http";

/** A test WebSocket client that keeps every message and waits for the next matching one. */
export class LiveClient {
  readonly messages: ServerMessage[] = [];
  private waiters: { match: (m: ServerMessage) => boolean; resolve: (m: ServerMessage) => void }[] = [];
  private seen = 0;
  /** Answers to "ping", which the runtime sends without waking the object. */
  pongs = 0;

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (e.data === "pong") {
        this.pongs += 1;
        return;
      }
      const msg = JSON.parse(String(e.data)) as ServerMessage;
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (!w.match(msg)) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /** The next message (after those already taken with `next`) that matches, within `ms`. */
  async next<T extends ServerMessage["type"]>(
    type: T,
    ms = 3000,
    match: (m: Extract<ServerMessage, { type: T }>) => boolean = () => true,
  ): Promise<Extract<ServerMessage, { type: T }>> {
    const test = (m: ServerMessage) => m.type === type && match(m as Extract<ServerMessage, { type: T }>);
    for (let i = this.seen; i < this.messages.length; i++) {
      if (test(this.messages[i]!)) {
        this.seen = i + 1;
        return this.messages[i] as Extract<ServerMessage, { type: T }>;
      }
    }
    const found = await new Promise<ServerMessage>((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${type}" message within ${ms} ms; got ${JSON.stringify(this.messages.slice(-5))}`)),
        ms,
      );
      this.waiters.push({
        match: test,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m);
        },
      });
    });
    this.seen = this.messages.length;
    return found as Extract<ServerMessage, { type: T }>;
  }

  send(data: unknown) {
    this.ws.send(typeof data === "string" ? data : JSON.stringify(data));
  }

  close() {
    this.ws.close(1000, "done");
  }
}

/** A single-use socket ticket for the fan whose access token this is. */
export async function liveTicket(eventId: string, token: string): Promise<string> {
  const res = await call("POST", `/v1/events/${eventId}/live-ticket`, { token });
  const body = (await expectJson(res, 201)) as { ticket: string; expiresAt: string };
  return body.ticket;
}

/** The raw answer to a WebSocket upgrade of `GET /v1/events/{id}/live` with this query. */
export function openLive(eventId: string, query: Record<string, string> = {}): Promise<Response> {
  const url = new URL(`${BASE}/v1/events/${eventId}/live`);
  for (const [k, v] of Object.entries(query)) url.searchParams.set(k, v);
  return exports.default.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
}

/**
 * Opens `GET /v1/events/{id}/live` through the Worker's own entry; with `token`, signed in the way
 * the site does it (a fresh ticket from `POST …/live-ticket`), or with a given `ticket`.
 */
export async function connect(
  eventId: string,
  opts: { version?: number; token?: string; ticket?: string } = {},
): Promise<LiveClient> {
  const query: Record<string, string> = {};
  if (opts.version !== undefined) query.version = String(opts.version);
  const ticket = opts.ticket ?? (opts.token ? await liveTicket(eventId, opts.token) : undefined);
  if (ticket) query.ticket = ticket;
  const res = await openLive(eventId, query);
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
  res.webSocket.accept();
  return new LiveClient(res.webSocket);
}
