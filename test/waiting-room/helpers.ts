import { env, exports } from "cloudflare:workers";
import type { QueueServerMessage } from "../../src/live/queue-protocol";
import type { RoomSettingsInput } from "../../src/objects/waiting-room-types";
import { QueueTicketSchema } from "../../src/routes/queue";
import { uniq } from "../helpers/fixtures";
import { BASE, call, expectJson } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

/** A room on a unique name, not tied to a D1 event (its inventory is empty: no stock cap). */
export function roomStub(name = `room-${uniq()}`) {
  return { name, stub: env.WAITING_ROOM.getByName(name) };
}

/** Settings for a bare room; `now`-driven tests use a clock an hour ahead so real alarms stay idle. */
export function settings(eventId: string, over: Partial<RoomSettingsInput> = {}): RoomSettingsInput {
  return { eventId, enabled: true, ratePerMinute: 60, maxShopping: 100, onSaleAt: null, ...over };
}
export const FUTURE = () => Date.now() + 3_600_000;

/** An on-sale event (setupEvent) with its waiting room switched on through the admin API. */
export async function eventWithRoom(
  opts: {
    rows?: number;
    perRow?: number;
    ratePerMinute?: number;
    maxShopping?: number;
    maxSeatsPerOrder?: number;
  } = {},
) {
  const s = await setupEvent({ rows: opts.rows, perRow: opts.perRow, maxSeatsPerOrder: opts.maxSeatsPerOrder });
  const body = { enabled: true, ratePerMinute: opts.ratePerMinute ?? 600, maxShopping: opts.maxShopping ?? 100 };
  await expectJson(await call("PUT", `/v1/admin/events/${s.event.id}/queue`, { token: s.org.token, body }), 200);
  return s;
}

/** Joins through the API and returns the parsed ticket with the status. */
export async function join(eventId: string, token: string) {
  const res = await call("POST", `/v1/events/${eventId}/queue`, { token });
  const status = res.status;
  return { status, ticket: QueueTicketSchema.parse(await expectJson(res, status)) };
}

/** A queue socket client that keeps every message and waits for the next one of a type. */
export class QueueClient {
  readonly messages: QueueServerMessage[] = [];
  private waiters: { type: string; resolve: (m: QueueServerMessage) => void }[] = [];

  constructor(readonly ws: WebSocket) {
    ws.addEventListener("message", (e) => {
      if (e.data === "pong") return;
      const msg = JSON.parse(String(e.data)) as QueueServerMessage;
      this.messages.push(msg);
      this.waiters = this.waiters.filter((w) => {
        if (w.type !== msg.type) return true;
        w.resolve(msg);
        return false;
      });
    });
  }

  /** The first message of `type` seen so far, or the next one within `ms`. */
  async wait<T extends QueueServerMessage["type"]>(
    type: T,
    ms = 3000,
  ): Promise<Extract<QueueServerMessage, { type: T }>> {
    const seen = this.messages.find((m) => m.type === type);
    if (seen) return seen as Extract<QueueServerMessage, { type: T }>;
    return new Promise((resolve, reject) => {
      const timer = setTimeout(
        () => reject(new Error(`no "${type}" within ${ms} ms; got ${JSON.stringify(this.messages)}`)),
        ms,
      );
      this.waiters.push({
        type,
        resolve: (m) => {
          clearTimeout(timer);
          resolve(m as Extract<QueueServerMessage, { type: T }>);
        },
      });
    });
  }
}

/** A single-use socket ticket for `token`'s account on the event (POST /v1/events/{id}/live-ticket). */
export async function socketTicket(eventId: string, token: string): Promise<string> {
  const t = await expectJson(await call("POST", `/v1/events/${eventId}/live-ticket`, { token }), 201);
  return String(t.ticket);
}

/** Asks for `GET /v1/events/{id}/queue/{ticket}/live` with `query` through the Worker's own entry. */
export function upgradeQueue(eventId: string, ticket: string, query: string): Promise<Response> {
  const url = `${BASE}/v1/events/${eventId}/queue/${ticket}/live?${query}`;
  return exports.default.fetch(new Request(url, { headers: { Upgrade: "websocket" } }));
}

/** Opens the queue socket signed in as `token`'s account, with a fresh socket ticket. */
export async function connectQueue(eventId: string, ticket: string, token: string): Promise<QueueClient> {
  const pass = await socketTicket(eventId, token);
  const res = await upgradeQueue(eventId, ticket, `socketTicket=${encodeURIComponent(pass)}`);
  if (res.status !== 101 || !res.webSocket) throw new Error(`expected 101, got ${res.status}: ${await res.text()}`);
  res.webSocket.accept();
  return new QueueClient(res.webSocket);
}
