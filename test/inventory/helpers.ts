import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, type Json } from "../helpers/http";

export type { Json };

/** Section A: `rows` rows of `perRow` seats (`A-<row>-<n>`), plus a 50-place GA pit. */
export function layoutDoc(rows = 4, perRow = 10) {
  return {
    sections: [
      {
        id: "A",
        name: "Stalls",
        rows: Array.from({ length: rows }, (_, r) => ({
          label: String(r + 1),
          seats: Array.from({ length: perRow }, (_, s) => ({
            id: `A-${r + 1}-${s + 1}`,
            label: String(s + 1),
            x: s,
            y: r,
          })),
        })),
      },
    ],
    areas: [{ id: "pit", name: "Pit", capacity: 50 }],
  };
}

/** Organizer, venue, layout, event and tiers through the admin API; published and on sale unless told otherwise. */
export async function setupEvent(
  opts: { rows?: number; perRow?: number; onSale?: boolean; publish?: boolean; maxSeatsPerOrder?: number } = {},
) {
  const org = await createUser({ role: "organizer" });
  const venueBody = {
    name: `Arena ${uniq()}`,
    address: "2 Quay",
    city: "Oslo",
    country: "NO",
    timezone: "Europe/Oslo",
    region: "weur",
  };
  const venue = await expectJson(await call("POST", "/v1/admin/venues", { token: org.token, body: venueBody }), 201);
  const layout = await expectJson(
    await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
      token: org.token,
      body: { name: "Main", layout: layoutDoc(opts.rows, opts.perRow) },
    }),
    201,
  );
  const body = {
    venueId: venue.id,
    layoutId: layout.id,
    name: `Gig ${uniq()}`,
    category: "concert",
    startsAt: "2030-06-01T19:00:00Z",
    endsAt: "2030-06-01T23:00:00Z",
    currency: "NOK",
    maxSeatsPerOrder: opts.maxSeatsPerOrder ?? 10,
  };
  const event = await expectJson(await call("POST", "/v1/admin/events", { token: org.token, body }), 201);
  const tiers = [
    { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
    { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } },
  ];
  await expectJson(await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers } }), 200);
  if (opts.publish !== false)
    await expectJson(await call("POST", `/v1/admin/events/${event.id}/publish`, { token: org.token }), 200);
  if (opts.publish !== false && opts.onSale !== false)
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/status`, { token: org.token, body: { status: "on_sale" } }),
      200,
    );
  return { org, venue, layout, event: event as Json };
}
