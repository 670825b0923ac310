import { listDurableObjectIds } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signLiveTicket } from "../../src/auth/live-tickets";
import { newId } from "../../src/lib/ids";
import { createUser } from "../helpers/fixtures";
import { call } from "../helpers/http";

/**
 * Ids that are not event ids at all, and one shaped like an event id that no event has; fresh for
 * every probe, so an object one probe created is not blamed on the next.
 */
const junkIds = () => {
  const r = crypto.randomUUID().replaceAll("-", "");
  return [`junk${r}`, `evt_${r.slice(0, 8)}`, newId("evt").toUpperCase(), `evt_${"x".repeat(80)}${r}`, newId("evt")];
};

type Probe = {
  method: string;
  path: (id: string) => string;
  body?: unknown;
  as: "fan" | "admin" | "none";
};

/** Every route that takes an event id (or an id that embeds one) and could reach a Durable Object. */
const PROBES: Probe[] = [
  { method: "GET", path: (id) => `/v1/events/${id}`, as: "none" },
  { method: "GET", path: (id) => `/v1/events/${id}/seats`, as: "none" },
  { method: "GET", path: (id) => `/v1/events/${id}/layout`, as: "none" },
  { method: "GET", path: (id) => `/v1/events/${id}/live`, as: "none" },
  { method: "POST", path: (id) => `/v1/events/${id}/holds`, body: { seats: ["A-1-1"] }, as: "fan" },
  { method: "GET", path: (id) => `/v1/events/${id}/queue/fairness`, as: "none" },
  { method: "POST", path: (id) => `/v1/events/${id}/queue`, as: "fan" },
  { method: "GET", path: (id) => `/v1/events/${id}/queue/qt_${crypto.randomUUID()}`, as: "fan" },
  { method: "DELETE", path: (id) => `/v1/events/${id}/queue/qt_${crypto.randomUUID()}`, as: "fan" },
  { method: "GET", path: (id) => `/v1/events/${id}/queue/qt_${crypto.randomUUID()}/live?socketTicket=x`, as: "fan" },
  { method: "GET", path: (id) => `/v1/events/${id}/queue/qt_${crypto.randomUUID()}/live?token=x`, as: "none" },
  // A correctly signed socket ticket for the junk id itself: only the event check can refuse it.
  {
    method: "GET",
    path: (id) => `/v1/events/${id}/queue/qt_${crypto.randomUUID()}/live?socketTicket=SIGNED`,
    as: "none",
  },
  { method: "GET", path: (id) => `/v1/holds/${id}~not-a-uuid`, as: "fan" },
  { method: "GET", path: (id) => `/v1/holds/${id}~${crypto.randomUUID()}`, as: "fan" },
  { method: "DELETE", path: (id) => `/v1/holds/${id}~${crypto.randomUUID()}`, as: "fan" },
  { method: "POST", path: (id) => `/v1/holds/${id}~${crypto.randomUUID()}/checkout`, as: "fan" },
  { method: "GET", path: (id) => `/v1/admin/events/${id}/inventory`, as: "admin" },
  {
    method: "POST",
    path: (id) => `/v1/admin/events/${id}/seats/block`,
    body: { seats: ["A-1-1"], reason: "x" },
    as: "admin",
  },
  { method: "POST", path: (id) => `/v1/admin/events/${id}/seats/unblock`, body: { seats: ["A-1-1"] }, as: "admin" },
  { method: "GET", path: (id) => `/v1/admin/events/${id}/queue`, as: "admin" },
  { method: "PUT", path: (id) => `/v1/admin/events/${id}/queue`, body: { enabled: true }, as: "admin" },
];

async function objectIds(): Promise<Set<string>> {
  const [inv, room] = await Promise.all([
    listDurableObjectIds(env.EVENT_INVENTORY),
    listDurableObjectIds(env.WAITING_ROOM),
  ]);
  return new Set([...inv, ...room].map((id) => id.toString()));
}

describe("junk and unknown event ids never reach a Durable Object", () => {
  it("answers 4xx on every route and creates no stored object for the id", async () => {
    const fan = await createUser();
    const admin = await createUser({ role: "admin" });
    const tokens = { fan: fan.token, admin: admin.token, none: undefined };
    const failures: string[] = [];
    for (const probe of PROBES) {
      for (const id of junkIds()) {
        const signed = (await signLiveTicket(fan.id, id, env)).ticket;
        const path = probe.path(encodeURIComponent(id)).replace("socketTicket=SIGNED", `socketTicket=${signed}`);
        const headers: Record<string, string> = { "Idempotency-Key": crypto.randomUUID() };
        if (path.includes("/live")) headers.Upgrade = "websocket";
        const res = await call(probe.method, path, { token: tokens[probe.as], body: probe.body, headers });
        const created = [env.EVENT_INVENTORY.idFromName(id), env.WAITING_ROOM.idFromName(id)].map(String);
        const ids = await objectIds();
        const label = `${probe.method} ${path} → ${res.status}`;
        if (res.status < 400 || res.status >= 500) failures.push(`${label}: not refused`);
        if (created.some((x) => ids.has(x))) failures.push(`${label}: created an object`);
        await res.body?.cancel();
      }
    }
    expect(failures).toEqual([]);
  });
});
