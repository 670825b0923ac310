// The end-of-run check over the whole event: the server's seat map and per-tier counts against
// the client's own record of every hold it won and released, and (given the server's local D1)
// orders and tickets against each other and against the seat map.
import { d1Execute } from "./server.mjs";

/** @param {string} s */
const sqlString = (s) => `'${s.replaceAll("'", "''")}'`;

/**
 * The D1 side: paid orders without tickets, seats with two live tickets, and the event's sold seats
 * against its live tickets' places. One `wrangler d1 execute` for all statements.
 * @param {import("./server.mjs").D1Target} d1 @param {string} eventId @param {Record<string, string>} seatMap
 */
async function checkTickets(d1, eventId, seatMap) {
  const [[paidless], [dupes], placeRows, statusRows, [money]] = await d1Execute(
    d1,
    [
      `SELECT (SELECT COUNT(*) FROM orders o WHERE o.status IN ('paid','partially_refunded')
            AND NOT EXISTS (SELECT 1 FROM tickets t WHERE t.order_id = o.id))
          + (SELECT COUNT(*) FROM orders o WHERE o.status = 'refunded_unavailable'
            AND NOT EXISTS (SELECT 1 FROM payments p WHERE p.order_id = o.id AND p.kind = 'refund')) AS n`,
      `SELECT COUNT(*) AS n FROM (SELECT event_id, place, COUNT(*) FROM tickets WHERE status IN ('valid','used')
          GROUP BY 1, 2 HAVING COUNT(*) > 1)`,
      `SELECT place FROM tickets WHERE event_id = ${sqlString(eventId)} AND status IN ('valid','used')`,
      `SELECT status, COUNT(*) AS n FROM orders WHERE event_id = ${sqlString(eventId)} GROUP BY status`,
      // Money: what each order captured is what its live tickets are worth plus what went back.
      `SELECT COUNT(*) AS n FROM (SELECT o.id,
          (SELECT COALESCE(SUM(amount), 0) FROM payments WHERE order_id = o.id AND kind = 'charge'
            AND status = 'succeeded') AS captured,
          (SELECT COALESCE(SUM(amount), 0) FROM payments WHERE order_id = o.id AND kind = 'refund'
            AND status <> 'failed') AS refunded,
          (SELECT COALESCE(SUM(price), 0) FROM tickets WHERE order_id = o.id AND status IN ('valid','used')) AS live
        FROM orders o WHERE o.event_id = ${sqlString(eventId)}) WHERE captured <> live + refunded`,
    ].join(";\n"),
  );
  const ticketPlaces = new Set(placeRows.map((r) => String(r.place)));
  let soldWithoutTicket = 0;
  for (const [seat, st] of Object.entries(seatMap)) if (st === "s" && !ticketPlaces.has(seat)) soldWithoutTicket++;
  let ticketsOnUnsold = 0;
  for (const place of ticketPlaces) if (seatMap[place] !== "s") ticketsOnUnsold++;
  return {
    paid_without_tickets_or_refund: Number(paidless?.n),
    seats_with_two_valid_tickets: Number(dupes?.n),
    sold_seats_without_ticket: soldWithoutTicket,
    tickets_on_unsold_seats: ticketsOnUnsold,
    money_mismatches: Number(money?.n),
    live_tickets: placeRows.length,
    orders: Object.fromEntries(statusRows.map((r) => [String(r.status), Number(r.n)])),
  };
}

/**
 * @param {ReturnType<typeof import("./setup.mjs").client>} api
 * @param {string} admin admin access token
 * @param {string} eventId
 * @param {number} seatCount seats the layout was generated with
 * @param {import("./scenarios.mjs").Ledger} ledger
 * @param {import("./server.mjs").D1Target | null} d1 the server's local D1; null skips the ticket checks
 */
export async function checkInvariants(api, admin, eventId, seatCount, ledger, d1) {
  const snap = (await api("GET", `/v1/events/${eventId}/seats`)).json;
  const inv = (await api("GET", `/v1/admin/events/${eventId}/inventory`, undefined, admin)).json;

  // Seats the client believes are held right now, and by how many live holds.
  /** @type {Map<string, number>} */
  const owners = new Map();
  /** Seats of holds whose release got no clean answer: either state is acceptable. */
  const unsure = new Set();
  let liveHolds = 0;
  for (const h of ledger.holds.values()) {
    if (h.uncertain) {
      for (const s of h.seats) unsure.add(s);
      continue;
    }
    if (h.released) continue;
    liveHolds++;
    for (const s of h.seats) owners.set(s, (owners.get(s) ?? 0) + 1);
  }
  // A seat in two live holds was won twice: that is the double sale the inventory must prevent.
  let doubleSold = 0;
  for (const n of owners.values()) if (n >= 2) doubleSold++;

  const counts = { a: 0, h: 0, s: 0, b: 0 };
  let unknownState = 0;
  let heldWithoutHold = 0; // server says held, no live client hold has it (state drift)
  for (const [seat, st] of Object.entries(snap.seats)) {
    if (st in counts) counts[/** @type {"a"|"h"|"s"|"b"} */ (st)]++;
    else unknownState++;
    if (st === "h" && !owners.has(seat) && !unsure.has(seat)) heldWithoutHold++;
  }
  let liveNotHeld = 0; // a live client hold whose seat the server no longer shows as held
  for (const seat of owners.keys()) if (snap.seats[seat] !== "h" && !unsure.has(seat)) liveNotHeld++;

  const stateSeats = counts.a + counts.h + counts.s + counts.b;
  const tierTotals = { available: 0, held: 0, sold: 0, blocked: 0 };
  for (const t of Object.values(inv.tiers ?? {}))
    for (const k of /** @type {const} */ (["available", "held", "sold", "blocked"])) tierTotals[k] += t[k];
  const inventoryTotal = tierTotals.available + tierTotals.held + tierTotals.sold + tierTotals.blocked;
  const countsAgree =
    tierTotals.available === counts.a &&
    tierTotals.held === counts.h &&
    tierTotals.sold === counts.s &&
    tierTotals.blocked === counts.b;

  // Lost: seats the seat map (or, if worse, the tier counts) does not place in a/h/s/b, plus
  // seats shown as held that no live hold of ours explains.
  const lostSeats = Math.max(seatCount - stateSeats, Math.abs(seatCount - inventoryTotal)) + heldWithoutHold;
  return {
    check: "invariants",
    seats: seatCount,
    double_sold: doubleSold,
    lost_seats: lostSeats,
    available: counts.a,
    held: counts.h,
    sold: counts.s,
    blocked: counts.b,
    live_holds: liveHolds,
    client_held_seats: owners.size,
    held_without_hold: heldWithoutHold,
    unknown_state: unknownState,
    live_hold_seats_not_held: liveNotHeld,
    uncertain_holds: [...ledger.holds.values()].filter((h) => h.uncertain).length,
    inventory_total: inventoryTotal,
    inventory_matches_seat_map: countsAgree,
    version: snap.version,
    ...(d1 ? await checkTickets(d1, eventId, snap.seats) : {}),
  };
}
