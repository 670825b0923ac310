// The on-sale rehearsal's event and buyers: a small generated bowl (fewer seats than fans), one
// tier over every section, the waiting room on, and a user row per fan written with one
// `wrangler d1 execute --file` (orders reference users; a 20,000-row --command would not fit argv).
import { spawn } from "node:child_process";
import { mkdtempSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { join } from "node:path";
import { REPO_ROOT } from "./server.mjs";

const DAY = 86_400_000;
const WRANGLER = join(REPO_ROOT, "node_modules", "wrangler", "bin", "wrangler.js");

/**
 * @param {ReturnType<typeof import("./setup.mjs").client>} api @param {string} admin
 * @param {{
 *   sections: number, rows: number, perRow: number, ratePerMinute: number, maxShopping: number, tokenSeconds: number,
 * }} o
 * @returns {Promise<{ eventId: string, seats: number }>}
 */
export async function createOnsaleEvent(api, admin, o) {
  const tag = Date.now().toString(36);
  const post = async (/** @type {string} */ path, /** @type {object} */ body) =>
    (await api("POST", path, body, admin)).json;
  const org = await post("/v1/admin/organizers", {
    name: `Onsale ${tag}`,
    slug: `onsale-${tag}`,
    contactEmail: "onsale@bench.test",
  });
  const venue = await post("/v1/admin/venues", {
    organizerId: org.id,
    name: `Onsale Arena ${tag}`,
    address: "1 Rush St",
    city: "Oslo",
    country: "NO",
    timezone: "Europe/Oslo",
    region: "weur",
  });
  const sections = Array.from({ length: o.sections }, (_, i) => ({
    id: `S${i + 1}`,
    name: `Section ${i + 1}`,
    rows: o.rows,
    seatsPerRow: o.perRow,
    shape: "straight",
  }));
  const layout = await post(`/v1/admin/venues/${venue.id}/layouts`, { name: "Onsale bowl", generate: { sections } });
  const now = Date.now();
  // Sales start a day out while fans pre-queue; moved to "in a few seconds" once they have joined.
  const event = await post("/v1/admin/events", {
    organizerId: org.id,
    venueId: venue.id,
    layoutId: layout.id,
    name: `Onsale ${tag}`,
    category: "concert",
    startsAt: new Date(now + 30 * DAY).toISOString(),
    endsAt: new Date(now + 30 * DAY + 4 * 3_600_000).toISOString(),
    salesStartAt: new Date(now + DAY).toISOString(),
    salesEndAt: new Date(now + 29 * DAY).toISOString(),
    holdSeconds: 600,
    maxSeatsPerOrder: 4,
    maxSeatsPerUser: 4,
    currency: "EUR",
  });
  await api(
    "PUT",
    `/v1/admin/events/${event.id}/tiers`,
    { tiers: [{ key: "std", name: "Standard", amount: 6000, appliesTo: { sections: sections.map((s) => s.id) } }] },
    admin,
  );
  await post(`/v1/admin/events/${event.id}/publish`, {});
  await post(`/v1/admin/events/${event.id}/status`, { status: "on_sale" });
  await api(
    "PUT",
    `/v1/admin/events/${event.id}/queue`,
    { enabled: true, ratePerMinute: o.ratePerMinute, maxShopping: o.maxShopping, tokenSeconds: o.tokenSeconds },
    admin,
  );
  return { eventId: event.id, seats: layout.seatCount };
}

/**
 * Opens the sale `inMs` from now: moves sales_start_at, then re-saves the room settings so the
 * room takes the new on-sale instant (its alarm shuffles the pre-queue then).
 * @param {ReturnType<typeof import("./setup.mjs").client>} api @param {string} admin @param {string} eventId
 * @param {number} inMs @param {{ ratePerMinute: number, maxShopping: number, tokenSeconds: number }} o
 */
export async function openSaleIn(api, admin, eventId, inMs, o) {
  const at = Date.now() + inMs;
  await api("PATCH", `/v1/admin/events/${eventId}`, { salesStartAt: new Date(at).toISOString() }, admin);
  await api("PUT", `/v1/admin/events/${eventId}/queue`, { enabled: true, ...o }, admin);
  return at;
}

/**
 * Inserts one users row per id into the server's local D1 with a single `--file` run.
 * @param {import("./server.mjs").D1Target} d1 @param {string[]} ids
 */
export async function insertUsers(d1, ids) {
  const dir = mkdtempSync(join(tmpdir(), "onsale-users-"));
  const file = join(dir, "users.sql");
  const now = Date.now();
  const lines = [];
  for (let i = 0; i < ids.length; i += 500) {
    lines.push(
      `INSERT INTO users (id, email, role, notify_email, notify_sms, created_at, updated_at) VALUES ${ids
        .slice(i, i + 500)
        .map((id) => `('${id}', '${id}@bench.test', 'fan', 0, 0, ${now}, ${now})`)
        .join(", ")};`,
    );
  }
  writeFileSync(file, lines.join("\n"));
  try {
    const child = spawn(
      process.execPath,
      [WRANGLER, "d1", "execute", "DB", "--local", "--persist-to", d1.persist, "--file", file, "--yes"],
      {
        cwd: d1.cwd,
        env: { ...process.env, CI: "true", WRANGLER_SEND_METRICS: "false" },
        stdio: ["ignore", "ignore", "pipe"],
      },
    );
    let err = "";
    child.stderr.setEncoding("utf8").on("data", (d) => (err += d));
    const code = await new Promise((resolve) => child.once("close", resolve));
    if (code !== 0) throw new Error(`inserting ${ids.length} users failed (exit ${code}): ${err.slice(-1500)}`);
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
}
