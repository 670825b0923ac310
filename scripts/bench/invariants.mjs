// The end-of-run check over the whole event: the server's seat map and per-tier counts against
// the client's own record of every hold it won and released.

/**
 * @param {ReturnType<typeof import("./setup.mjs").client>} api
 * @param {string} admin admin access token
 * @param {string} eventId
 * @param {number} seatCount seats the layout was generated with
 * @param {import("./scenarios.mjs").Ledger} ledger
 */
export async function checkInvariants(api, admin, eventId, seatCount, ledger) {
  const snap = (await api("GET", `/v1/events/${eventId}/seats`)).json;
  const inv = (await api("GET", `/v1/admin/events/${eventId}/inventory`, undefined, admin)).json;

  // Seats the client believes are held right now, and by how many live holds.
  /** @type {Map<string, number>} */
  const owners = new Map();
  /** Seats of holds whose release got no clean answer: either state is acceptable. */
  const unsure = new Set();
  let liveHolds = 0;
  for (const h of ledger.holds.values()) {
    if (h.uncertain) { h.seats.forEach((s) => unsure.add(s)); continue; }
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
  for (const t of Object.values(inv.tiers ?? {})) for (const k of /** @type {const} */ (["available", "held", "sold", "blocked"])) tierTotals[k] += t[k];
  const inventoryTotal = tierTotals.available + tierTotals.held + tierTotals.sold + tierTotals.blocked;
  const countsAgree = tierTotals.available === counts.a && tierTotals.held === counts.h && tierTotals.sold === counts.s && tierTotals.blocked === counts.b;

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
  };
}
