// Builds the benchmark event through the admin API (the same calls scripts/seed-demo.mjs makes):
// organizer, venue, a generated 20,000-seat layout, an event with generous limits, tiers, publish,
// on sale. Returns the event id and every seat id from the live seat map.
import { readFileSync } from "node:fs";

export const ADMIN_PASSWORD = "bench-password-1";
/** 5 sections × 40 rows × 100 seats. */
export const SECTIONS = ["S1", "S2", "S3", "S4", "S5"];
export const ROWS = 40;
export const SEATS_PER_ROW = 100;
export const SEAT_COUNT = SECTIONS.length * ROWS * SEATS_PER_ROW;
const DAY = 86_400_000;

/**
 * JWT issuer and audience from wrangler.toml [vars] (overridable for a BASE_URL server).
 * @returns {{ issuer: string, audience: string }}
 */
export function jwtClaimsConfig() {
  const toml = readFileSync(new URL("../../wrangler.toml", import.meta.url), "utf8");
  const v = (/** @type {string} */ name) => toml.match(new RegExp(`^${name}\\s*=\\s*"([^"]*)"`, "m"))?.[1];
  return {
    issuer: process.env.BENCH_JWT_ISSUER ?? v("JWT_ISSUER") ?? "edge-tickets",
    audience: process.env.BENCH_JWT_AUDIENCE ?? v("JWT_AUDIENCE") ?? "edge-tickets-api",
  };
}

/**
 * A small JSON client that throws on unexpected statuses.
 * @param {string} base
 */
export function client(base) {
  /**
   * @param {string} method @param {string} path @param {unknown} [body] @param {string} [token]
   * @param {number[]} [okStatuses]
   * @returns {Promise<{ status: number, json: any }>}
   */
  return async (method, path, body, token, okStatuses = []) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        "content-type": "application/json",
        "cache-control": "no-cache",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !okStatuses.includes(res.status))
      throw new Error(`${method} ${path} → ${res.status}: ${text.slice(0, 500)}`);
    return { status: res.status, json: text ? JSON.parse(text) : {} };
  };
}

/**
 * Signs up the bootstrap admin (one scrypt, one sign-up), or logs in when it already exists.
 * @param {ReturnType<typeof client>} api @param {string} email
 * @returns {Promise<string>} access token
 */
export async function adminToken(api, email) {
  const password = process.env.BENCH_ADMIN_PASSWORD ?? ADMIN_PASSWORD;
  const signup = await api("POST", "/v1/auth/signup", { email, password, name: "Bench Admin" }, undefined, [409]);
  const session = signup.status === 409 ? (await api("POST", "/v1/auth/login", { email, password })).json : signup.json;
  if (session.user?.role !== "admin")
    throw new Error(
      `${email} is not an admin (role ${session.user?.role}); the server's BOOTSTRAP_ADMIN_EMAIL must be this address`,
    );
  return session.accessToken;
}

/**
 * @param {ReturnType<typeof client>} api @param {string} admin admin access token
 * @returns {Promise<{ eventId: string, seatIds: string[] }>}
 */
export async function createBenchEvent(api, admin) {
  const tag = Date.now().toString(36);
  const post = async (/** @type {string} */ path, /** @type {object} */ body) =>
    (await api("POST", path, body, admin)).json;
  const org = await post("/v1/admin/organizers", {
    name: `Bench ${tag}`,
    slug: `bench-${tag}`,
    contactEmail: "bench@bench.test",
  });
  const as = (/** @type {string} */ path, /** @type {object} */ body) => post(path, { organizerId: org.id, ...body });
  const venue = await as("/v1/admin/venues", {
    name: `Bench Arena ${tag}`,
    address: "1 Load St",
    city: "Oslo",
    country: "NO",
    timezone: "Europe/Oslo",
    region: "weur",
  });
  const layout = await post(`/v1/admin/venues/${venue.id}/layouts`, {
    name: "Bench bowl",
    generate: {
      sections: SECTIONS.map((id) => ({
        id,
        name: `Section ${id}`,
        rows: ROWS,
        seatsPerRow: SEATS_PER_ROW,
        shape: "straight",
      })),
    },
  });
  if (layout.seatCount !== SEAT_COUNT) throw new Error(`layout has ${layout.seatCount} seats, expected ${SEAT_COUNT}`);
  const now = Date.now();
  const event = await as("/v1/admin/events", {
    venueId: venue.id,
    layoutId: layout.id,
    name: `Bench ${tag}`,
    category: "concert",
    startsAt: new Date(now + 30 * DAY).toISOString(),
    endsAt: new Date(now + 30 * DAY + 4 * 3_600_000).toISOString(),
    salesStartAt: new Date(now - DAY).toISOString(),
    salesEndAt: new Date(now + 29 * DAY).toISOString(),
    // Holds must outlive the run, or the invariant check would see expiries as drift.
    holdSeconds: 1800,
    maxSeatsPerOrder: 8,
    maxSeatsPerUser: null,
    currency: "EUR",
  });
  const tiers = [
    { key: "front", name: "Front", amount: 9000, appliesTo: { sections: SECTIONS.slice(0, 2) } },
    { key: "back", name: "Back", amount: 5000, appliesTo: { sections: SECTIONS.slice(2) } },
  ];
  await api("PUT", `/v1/admin/events/${event.id}/tiers`, { tiers }, admin);
  await post(`/v1/admin/events/${event.id}/publish`, {});
  await post(`/v1/admin/events/${event.id}/status`, { status: "on_sale" });
  const snap = (await api("GET", `/v1/events/${event.id}/seats`)).json;
  const seatIds = Object.keys(snap.seats);
  if (seatIds.length !== SEAT_COUNT) throw new Error(`seat map has ${seatIds.length} seats, expected ${SEAT_COUNT}`);
  return { eventId: event.id, seatIds };
}
