// The on-sale rehearsal's admission figures, computed from what the fans saw: the achieved admission
// rate over the measuring phase, and the most fans shopping at once once the cap applies.
//
// Times are the server's: a fan's admission instant is its token's expiry less the token lifetime
// (the room stamps both from one clock reading per tick), so the window's edges are exact ticks and
// the count is exact too, where the room's sampled `admitted` figure would be off by up to a tick's
// batch at each edge.

/**
 * @typedef {{
 *   rank: number, admittedAt: number, expiresAt: number, seenAt: number, endSentAt: number, endDoneAt: number,
 * }} Interval
 * admittedAt/expiresAt: server ms (0: never seen admitted); seenAt: client ms the fan first saw its
 * token; endSentAt/endDoneAt: client ms when the request that stopped the token (pay that succeeded,
 * or leave answered 200) was sent / answered, 0 if none.
 */

/**
 * The rate achieved over the ticks that ran with the measuring settings: admissions in ticks
 * (first, last] over last − first, so the first tick's batch (credit accrued before it) is left out.
 * `unobserved`: fans the room admitted in those ticks whom no socket or poll saw (by rank: the room
 * admits in rank order and nobody leaves the line in this phase); non-zero means the count is short.
 * @param {Interval[]} fans @param {number} before server ms: only ticks stamped before it
 * @param {number} configuredPerMinute
 */
export function admissionRate(fans, before, configuredPerMinute) {
  const seen = fans.filter((f) => f.admittedAt > 0 && f.admittedAt < before);
  const ticks = [...new Set(seen.map((f) => f.admittedAt))].sort((a, b) => a - b);
  if (ticks.length < 2) return { configuredPerMinute, achievedPerMinute: 0, ratio: 0, windowSeconds: 0, admissions: 0 };
  const first = ticks[0];
  const last = ticks[ticks.length - 1];
  const admissions = seen.filter((f) => f.admittedAt > first).length;
  const maxRank = Math.max(...seen.map((f) => f.rank));
  const windowS = (last - first) / 1000;
  const achieved = (admissions / windowS) * 60;
  return {
    configuredPerMinute,
    achievedPerMinute: +achieved.toFixed(1),
    ratio: +(achieved / configuredPerMinute).toFixed(4),
    windowSeconds: +windowS.toFixed(1),
    admissions,
    ticks: ticks.length,
    unobserved: maxRank - seen.length,
  };
}

/**
 * The most intervals open at once from `from` on. Ends sort before starts at the same instant (a
 * token that stopped at t and one that started at t never overlap).
 * @param {{ start: number, end: number }[]} intervals @param {number} from
 */
export function peakOverlap(intervals, from) {
  /** @type {[number, number][]} */ const ev = [];
  for (const { start, end } of intervals) {
    if (end <= from) continue;
    ev.push([Math.max(start, from), 1], [end, -1]);
  }
  ev.sort((a, b) => a[0] - b[0] || a[1] - b[1]);
  let open = 0;
  let peak = 0;
  for (const [, d] of ev) {
    open += d;
    if (open > peak) peak = open;
  }
  return peak;
}

/**
 * Each seen fan's shopping interval: from admission until its token stopped working (without a
 * stop, the token's expiry). Neither edge is known exactly. The stop lies between the stopping
 * request's send and its answer. The start is no earlier than the tick's stamp, but the room takes
 * that stamp before it reads the stock from the inventory and decides only after, so the decision
 * lies between the stamp and the first moment any fan of that tick held its token. Hence two peaks:
 * `peak`, from that first moment to the send, counts only overlaps that surely happened, and is the
 * one checked against the cap; `peakUpperBound`, from the stamp to the answer (the literal "admitted
 * until the leave was answered"), also counts a fan whose leave was answered a few ms after the
 * tick that admitted its successor, so a correct room at its cap exceeds the cap by it.
 * @param {Interval[]} fans @param {number} from server ms
 */
export function peakShopping(fans, from) {
  const seen = fans.filter((f) => f.admittedAt > 0);
  /** @type {Map<number, number>} */ const tickHeld = new Map();
  for (const f of seen)
    if (f.seenAt > 0) tickHeld.set(f.admittedAt, Math.min(tickHeld.get(f.admittedAt) ?? f.seenAt, f.seenAt));
  const end = (/** @type {number} */ t, /** @type {number} */ exp) => (t > 0 ? Math.min(t, exp) : exp);
  return {
    peak: peakOverlap(
      seen.map((f) => ({ start: tickHeld.get(f.admittedAt) ?? f.admittedAt, end: end(f.endSentAt, f.expiresAt) })),
      from,
    ),
    peakUpperBound: peakOverlap(
      seen.map((f) => ({ start: f.admittedAt, end: end(f.endDoneAt, f.expiresAt) })),
      from,
    ),
    fansTracked: seen.filter((f) => f.expiresAt > from).length,
  };
}
