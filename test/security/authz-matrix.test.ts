import { orderLedgerCaughtUp } from "../helpers/ledger";
import { env } from "cloudflare:workers";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, type Json } from "../helpers/http";
import { isPublic, type Operation, operations } from "../helpers/openapi";
import { until } from "../helpers/wait";
import { layoutDoc, setupEvent } from "../inventory/helpers";

/**
 * Who may call what: every operation of /v1/openapi.json × every kind of caller, against
 * resources that belong to fan A and organizer A. The table is keyed by operationId, so a new
 * route fails here until someone writes down who may call it.
 */

const ACTORS = ["anon", "fanA", "fanB", "ownerA", "staffA", "orgB", "admin"] as const;
type Actor = (typeof ACTORS)[number];

/**
 * One character per actor, in ACTORS order (anon, fanA, fanB, ownerA, staffA, orgB, admin):
 * `o` 2xx; `a` past authorization: 2xx, or a 4xx about the input or the state (400, 409, 422,
 * 426, …) but never 401, 403 or 404; `1` 401; `3` 403; `4` 404; `x` any answer but a 5xx, where
 * the caller's token plays no part and the body's credentials decide (a wrong one is a 401).
 */
const PUBLIC = "ooooooo";
const ANY_USER = "1oooooo"; // any signed-in account, on its own data
const FAN_OWN = "1o44444"; // fan A's resource: everyone else's lookup misses, admins included
const ADMIN_ONLY = "133333o";
const ORG_ANY = "133oooo"; // any organizer or admin, on the caller's own organizer (lists, creates)
const ORG_READ = "133oo4o"; // organizer A's owners, staff and admins; fans 403, organizer B 404
const ORG_WRITE = "133aa4a"; // the same, for a write whose outcome depends on the state
const OWNER_ONLY = "133o34o"; // member management: owners and admins; staff 403

const EXPECT: Record<string, string> = {
  getHealth: PUBLIC,
  adminGetMetrics: ADMIN_ONLY,
  adminGetBindingCounts: ADMIN_ONLY,
  // Organizers and memberships.
  adminCreateOrganizer: ADMIN_ONLY,
  adminListOrganizers: ORG_ANY,
  adminGetOrganizer: ORG_READ,
  adminListOrganizerMembers: ORG_READ,
  adminAddOrganizerMember: "133a34a",
  adminRemoveOrganizerMember: OWNER_ONLY,
  adminChangeOrganizerMemberRole: OWNER_ONLY,
  adminInviteOrganizerMember: OWNER_ONLY,
  adminListOrganizerInvitations: OWNER_ONLY,
  adminRevokeOrganizerInvitation: OWNER_ONLY,
  listMyInvitations: ANY_USER,
  declineMyInvitation: FAN_OWN,
  acceptMyInvitation: FAN_OWN,
  // Catalog administration.
  adminCreateVenue: "133oooa", // admins must name the organizer
  adminListVenues: ORG_ANY,
  adminGetVenue: ORG_READ,
  adminUpdateVenue: ORG_READ,
  adminGenerateLayout: ORG_ANY,
  adminCreateLayout: ORG_READ,
  adminListVenueLayouts: ORG_READ,
  adminGetLayout: ORG_READ,
  adminReplaceLayout: ORG_WRITE,
  adminCreateEvent: "133aa4a", // organizer B may not use A's venue
  adminListEvents: ORG_ANY,
  adminGetEvent: ORG_READ,
  adminUpdateEvent: ORG_WRITE,
  adminPublishEvent: ORG_WRITE,
  adminChangeEventStatus: ORG_WRITE,
  adminListTiers: ORG_READ,
  adminReplaceTiers: ORG_WRITE,
  adminBlockSeats: ORG_WRITE,
  adminUnblockSeats: ORG_WRITE,
  adminGetInventory: ORG_READ,
  adminGetQueue: ORG_READ,
  adminConfigureQueue: ORG_WRITE,
  adminListEventOrders: ORG_READ,
  adminExportAttendees: ORG_READ,
  adminExportOrders: ORG_READ,
  adminGetOrder: ORG_READ,
  adminRefundOrder: ORG_WRITE,
  adminCheckIn: ORG_WRITE,
  adminGetCheckInKey: ORG_READ,
  adminGetScannerPack: ORG_READ,
  adminCheckInBatch: ORG_WRITE,
  adminRotateCheckInKey: ORG_WRITE,
  adminListNotifications: ORG_ANY,
  adminResendNotification: ORG_WRITE,
  adminListAudit: ORG_ANY,
  adminVerifyAudit: ADMIN_ONLY,
  adminGetFraudReport: ORG_ANY, // scoped to the caller's organizer's events
  // Accounts: public by design; what they answer depends on the body, not on the caller.
  signup: "aaaaaaa",
  login: "xxxxxxx",
  refreshSession: "xxxxxxx",
  logout: "aaaaaaa",
  logoutEverywhere: ANY_USER,
  linkOidcIdentity: "1xxxxxx",
  getMe: ANY_USER,
  updateMe: ANY_USER,
  // The public catalog.
  listEvents: PUBLIC,
  getEvent: PUBLIC,
  getVenue: PUBLIC,
  getEventSeats: PUBLIC,
  getEventLayout: PUBLIC,
  getEventCalendar: PUBLIC,
  getQueueFairness: PUBLIC,
  // WebSocket upgrades: without an Upgrade header every caller gets 426 (the queue socket first
  // wants its ?token=); test/live and test/waiting-room check who may open them.
  connectEventLive: "aaaaaaa",
  connectQueueLive: "aaaaaaa",
  // Any signed-in caller may ask for a socket ticket for a published event (it only names the caller).
  createLiveTicket: ANY_USER,
  // A fan's own things.
  createHold: ANY_USER,
  getHold: FAN_OWN,
  releaseHold: FAN_OWN,
  // Without its required ?mine=true&event= every signed-in caller is refused for the input (400);
  // test/inventory/my-holds.test.ts checks that it lists only the caller's own holds.
  listMyHolds: "1aaaaaa",
  checkoutHold: FAN_OWN,
  joinQueue: "1aaaaaa",
  getQueuePosition: FAN_OWN,
  leaveQueue: FAN_OWN,
  listMyOrders: ANY_USER,
  getMyOrder: FAN_OWN,
  retryOrderPayment: "1a44444", // 409: the order is paid, not failed
  cancelMyOrder: "1a44444",
  quoteMyOrderCancellation: FAN_OWN,
  listMyTickets: ANY_USER,
  getMyTicket: FAN_OWN,
  getMyTicketQr: FAN_OWN,
};

/** WebSocket upgrades carry the token in the query string and answer 426 first; see above. */
const NO_ANONYMOUS_401 = new Set(["connectQueueLive"]);

/**
 * Last, in this order: accepting an invitation makes fan A a member of organizer A, and signing
 * out everywhere ends every caller's session.
 */
const LAST = ["declineMyInvitation", "acceptMyInvitation", "logoutEverywhere"];

type Account = Awaited<ReturnType<typeof createUser>>;
type World = {
  tokens: Record<Actor, string | undefined>;
  fanA: Account;
  owner: Account;
  staff: Account;
  organizerId: string;
  venueId: string;
  layoutId: string;
  eventId: string;
  queueEventId: string;
  queueTicket: string;
  holdId: string;
  orderId: string;
  ticketId: string;
  ticketCode: string;
  notificationId: string;
  invitationId: string;
  /** Ids that fan B and organizer B must never see in any answer. */
  secrets: string[];
};

let seat = 2;
const nextSeat = () => {
  seat += 1;
  return `A-${Math.ceil(seat / 10)}-${((seat - 1) % 10) + 1}`;
};

async function hold(w: World, token = w.fanA.token) {
  const h = await expectJson(
    await call("POST", `/v1/events/${w.eventId}/holds`, { token, body: { seats: [nextSeat()] } }),
    201,
  );
  return h.holdId as string;
}

const idem = () => ({ "Idempotency-Key": `authz-${crypto.randomUUID()}` });

async function invite(w: World, email = `invitee-${uniq()}@example.test`) {
  const res = await call("POST", `/v1/admin/organizers/${w.organizerId}/invitations`, {
    token: w.owner.token,
    body: { email, role: "staff" },
  });
  return (await expectJson(res, 201)).id as string;
}

async function member(w: World) {
  return (await createUser({ role: "organizer", organizerId: w.organizerId, organizerRole: "staff" })).id;
}

async function buildWorld(): Promise<World> {
  const s = await setupEvent();
  const owner = s.org as Account;
  const organizerId = owner.organizerId as string;
  const staff = await createUser({ role: "organizer", organizerId, organizerRole: "staff" });
  const orgB = await createUser({ role: "organizer" });
  const admin = await createUser({ role: "admin" });
  const fanA = await createUser();
  const fanB = await createUser();

  // Fan A buys one seat (order, ticket, notification) and keeps another on hold.
  const bought = await expectJson(
    await call("POST", `/v1/events/${s.event.id}/holds`, { token: fanA.token, body: { seats: ["A-1-1"] } }),
    201,
  );
  const co = await expectJson(
    await call("POST", `/v1/holds/${encodeURIComponent(bought.holdId)}/checkout`, {
      token: fanA.token,
      headers: idem(),
    }),
    201,
  );
  await expectJson(
    await call("POST", co.payment.paymentUrl, { token: fanA.token, body: { card: "4242 4242 4242 4242" } }),
    200,
  );
  // "My tickets" reads the ledger, a moment behind the sale.
  await orderLedgerCaughtUp(co.orderId as string);
  const tickets = await expectJson(await call("GET", "/v1/tickets", { token: fanA.token }), 200);
  const ticket = tickets.items[0] as Json;
  // The order_paid notification is written by the queue consumer, a moment after the payment.
  const notification = await until(
    () =>
      env.DB.prepare("SELECT id FROM notifications WHERE order_id = ? LIMIT 1")
        .bind(co.orderId)
        .first<{ id: string }>(),
    (row) => row !== null,
  );
  const kept = await expectJson(
    await call("POST", `/v1/events/${s.event.id}/holds`, { token: fanA.token, body: { seats: ["A-1-2"] } }),
    201,
  );

  // A second event of organizer A with its waiting room on, where fan A has a queue ticket.
  const body = {
    venueId: s.venue.id,
    layoutId: s.layout.id,
    name: `Queued ${uniq()}`,
    category: "concert",
    startsAt: "2030-07-01T19:00:00Z",
    endsAt: "2030-07-01T23:00:00Z",
    currency: "NOK",
  };
  const queued = await expectJson(await call("POST", "/v1/admin/events", { token: owner.token, body }), 201);
  const tiers = [
    { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
    { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } },
  ];
  const q = `/v1/admin/events/${queued.id}`;
  await expectJson(await call("PUT", `${q}/tiers`, { token: owner.token, body: { tiers } }), 200);
  await expectJson(await call("POST", `${q}/publish`, { token: owner.token }), 200);
  await expectJson(await call("POST", `${q}/status`, { token: owner.token, body: { status: "on_sale" } }), 200);
  const room = { enabled: true, ratePerMinute: 600, maxShopping: 100 };
  await expectJson(await call("PUT", `${q}/queue`, { token: owner.token, body: room }), 200);
  const joined = await call("POST", `/v1/events/${queued.id}/queue`, { token: fanA.token });
  const queueTicket = (await expectJson(joined, joined.status)).ticket as string;

  const w: World = {
    tokens: {
      anon: undefined,
      fanA: fanA.token,
      fanB: fanB.token,
      ownerA: owner.token,
      staffA: staff.token,
      orgB: orgB.token,
      admin: admin.token,
    },
    fanA,
    owner,
    staff,
    organizerId,
    venueId: s.venue.id,
    layoutId: s.layout.id,
    eventId: s.event.id,
    queueEventId: queued.id,
    queueTicket,
    holdId: kept.holdId,
    orderId: co.orderId,
    ticketId: ticket.id,
    ticketCode: ticket.code,
    notificationId: notification?.id ?? "ntf_missing",
    invitationId: "",
    secrets: [],
  };
  w.invitationId = await invite(w);
  w.secrets = [co.orderId, ticket.id, ticket.code, kept.holdId, fanA.email, staff.email, queueTicket];
  return w;
}

type Request = { path: string; body?: unknown; headers?: Record<string, string> };

/** Fills the path of `o` for `actor`; an allowed caller of a one-shot write gets a fresh resource. */
async function requestFor(o: Operation, w: World, actor: Actor, allowed: boolean): Promise<Request> {
  const id = o.operationId;
  const p = o.path;
  const fresh = async (make: () => Promise<string>, shared: string) => (allowed ? make() : shared);
  const values: Record<string, string> = {};
  for (const name of [...p.matchAll(/\{([^}]+)\}/g)].map((m) => m[1] as string)) {
    let v: string;
    if (name === "userId") v = await fresh(() => member(w), w.staff.id);
    else if (name === "invitationId")
      v = p.startsWith("/v1/me/")
        ? actor === "fanA"
          ? await invite(w, w.fanA.email)
          : w.invitationId
        : await fresh(() => invite(w), w.invitationId);
    else if (name === "holdId") v = id === "getHold" ? w.holdId : await fresh(() => hold(w), w.holdId);
    else if (name === "ticket") v = w.queueTicket;
    else if (name === "venueId") v = w.venueId;
    else if (p.startsWith("/v1/admin/organizers/")) v = w.organizerId;
    else if (p.startsWith("/v1/admin/venues/") || p.startsWith("/v1/venues/")) v = w.venueId;
    else if (p.startsWith("/v1/admin/layouts/")) v = w.layoutId;
    else if (p.startsWith("/v1/admin/notifications/")) v = w.notificationId;
    else if (p.startsWith("/v1/admin/orders/") || p.startsWith("/v1/orders/")) v = w.orderId;
    else if (p.startsWith("/v1/tickets/")) v = w.ticketId;
    else if (p.includes("/queue")) v = w.queueEventId;
    else if (p.startsWith("/v1/admin/events/") || p.startsWith("/v1/events/")) v = w.eventId;
    else throw new Error(`no resource for {${name}} in ${p}: teach requestFor`);
    values[name] = v;
  }
  let path = p.replace(/\{([^}]+)\}/g, (_, n: string) => encodeURIComponent(values[n] as string));
  const token = w.tokens[actor];
  if (id === "connectQueueLive" && token) path += `?token=${encodeURIComponent(token)}`;
  return { path, body: BODIES[id]?.(w), headers: o.method === "get" ? undefined : idem() };
}

/** Valid bodies, so that an allowed caller gets past validation to the ownership checks. */
const BODIES: Record<string, (w: World) => unknown> = {
  adminCreateOrganizer: () => ({ name: `Org ${uniq()}` }),
  adminAddOrganizerMember: () => ({ email: `nobody-${uniq()}@example.test` }),
  adminChangeOrganizerMemberRole: () => ({ role: "owner" }),
  adminInviteOrganizerMember: () => ({ email: `invitee-${uniq()}@example.test`, role: "staff" }),
  adminCreateVenue: () => ({
    name: `Hall ${uniq()}`,
    address: "1 Quay",
    city: "Oslo",
    country: "NO",
    timezone: "Europe/Oslo",
    region: "weur",
  }),
  adminUpdateVenue: () => ({ city: "Bergen" }),
  adminGenerateLayout: () => ({ sections: [{ id: "G", name: "Gen", rows: 1, seatsPerRow: 2 }] }),
  adminCreateLayout: () => ({ name: `L ${uniq()}`, layout: layoutDoc(1, 2) }),
  adminReplaceLayout: () => ({ name: "Main", layout: layoutDoc() }),
  adminCreateEvent: (w) => ({
    venueId: w.venueId,
    layoutId: w.layoutId,
    name: `Ev ${uniq()}`,
    category: "concert",
    startsAt: "2030-08-01T19:00:00Z",
    endsAt: "2030-08-01T23:00:00Z",
    currency: "NOK",
  }),
  adminUpdateEvent: () => ({ description: "Updated by the matrix" }),
  adminChangeEventStatus: () => ({ status: "on_sale" }),
  adminReplaceTiers: () => ({
    tiers: [
      { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
      { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } },
    ],
  }),
  adminBlockSeats: () => ({ seats: ["A-4-10"], reason: "authz matrix" }),
  adminUnblockSeats: () => ({ seats: ["A-4-10"] }),
  adminConfigureQueue: () => ({ enabled: false, ratePerMinute: 600, maxShopping: 100 }),
  adminRefundOrder: () => ({}),
  adminCheckIn: (w) => ({ code: w.ticketCode }),
  adminCheckInBatch: (w) => ({
    device: "matrix",
    scans: [{ scanId: `m-${uniq()}`, code: w.ticketCode, scannedAt: new Date().toISOString() }],
  }),
  signup: () => ({ email: `matrix-${uniq()}@example.test`, password: "correct-horse-battery" }),
  login: () => ({ email: `nobody-${uniq()}@example.test`, password: "wrong-password-1" }),
  refreshSession: () => ({ refreshToken: "not-a-refresh-token" }),
  logout: () => ({ refreshToken: "not-a-refresh-token" }),
  linkOidcIdentity: () => ({ idToken: "not.a.token" }),
  updateMe: () => ({ name: "Matrix" }),
  createHold: () => ({ area: "pit", quantity: 1 }),
};

const STATUS_CHAR = (s: number) =>
  s >= 200 && s < 300 ? "o" : s === 401 ? "1" : s === 403 ? "3" : s === 404 ? "4" : "a";
const matches = (want: string, got: string) => want === got || want === "x" || (want === "a" && got === "o");

describe("authorization matrix", () => {
  let w: World;
  let ops: Operation[];
  beforeAll(async () => {
    w = await buildWorld();
    ops = (await operations()).ops;
    ops.sort((x, y) => LAST.indexOf(x.operationId) - LAST.indexOf(y.operationId));
  }, 60_000);

  it("has an expectation for every operation", () => {
    expect(ops.map((o) => o.operationId).filter((id) => !(id in EXPECT))).toEqual([]);
  });

  it("agrees with each operation's declared security", () => {
    const wrong = ops
      .filter((o) => o.operationId in EXPECT && !NO_ANONYMOUS_401.has(o.operationId))
      .filter((o) => (EXPECT[o.operationId]?.[0] === "1") === isPublic(o))
      .map((o) => `${o.operationId}: security ${JSON.stringify(o.security)}, anonymous ${EXPECT[o.operationId]?.[0]}`);
    expect(wrong).toEqual([]);
  });

  it("lets in exactly who the table says, and never shows A's data to B", async () => {
    const mismatches: string[] = [];
    const leaks: string[] = [];
    let cells = 0;
    for (const o of ops) {
      const row = EXPECT[o.operationId];
      if (!row) continue;
      for (const [i, actor] of ACTORS.entries()) {
        const want = row[i] as string;
        const req = await requestFor(o, w, actor, want === "o" || want === "a");
        const res = await call(o.method.toUpperCase(), req.path, {
          token: w.tokens[actor],
          body: req.body,
          headers: req.headers,
        });
        const text = await res.text();
        cells += 1;
        const got = STATUS_CHAR(res.status);
        if (!matches(want, got))
          mismatches.push(`${o.operationId} as ${actor}: want ${want}, got ${res.status} ${text.slice(0, 160)}`);
        if (res.status < 300 && (actor === "fanB" || actor === "orgB"))
          for (const secret of w.secrets)
            if (text.includes(secret)) leaks.push(`${o.operationId} as ${actor} shows ${secret}`);
      }
    }
    console.log(`authz matrix: ${ops.length} operations × ${ACTORS.length} actors = ${cells} requests`);
    expect(leaks).toEqual([]);
    expect(mismatches).toEqual([]);
  }, 120_000);
});
