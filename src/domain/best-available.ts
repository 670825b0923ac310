/**
 * "Best available" seat picking for the seat inventory Durable Object.
 *
 * Pure and dependency-free on purpose: the Durable Object calls it while holding its
 * in-memory seat map, so it must be cheap (O(seats)) and trivially testable.
 */

/** One seat as the picker sees it; `eligible` is precomputed by the caller (tier + accessibility filter). */
export type PickSeat = { id: string; free: boolean; eligible: boolean; aisleAfter: boolean };
/** A row of seats left to right; rows are given best first (nearest the stage). */
export type PickRow = { key: string; seats: PickSeat[] };
/** `allowSplit`: when no single row can seat the whole party, spread it over neighbouring rows. */
export type PickOptions = { allowSplit?: boolean };

/** A maximal run of free+eligible seats inside one aisle block: indices [start, end] inclusive. */
type Run = { start: number; end: number };

/** A seat the buyer may take right now. */
const takeable = (s: PickSeat | undefined): boolean => !!s && s.free && s.eligible;

/**
 * True when seat `i` and seat `i + 1` sit next to each other (same row, no aisle between).
 * Callers guarantee `i` is in range.
 */
const adjacentToNext = (seats: PickSeat[], i: number): boolean => i + 1 < seats.length && !seats[i]!.aisleAfter;

/**
 * True when taking seats [start, end] leaves a free seat touching the run with no free
 * neighbour on its other side. We only have to look at the two seats just outside the run:
 * every other seat keeps its neighbours, and a seat touching the run cannot have been lone
 * before because the run seat next to it was free.
 */
function orphansRange(seats: PickSeat[], start: number, end: number): boolean {
  // Left neighbour, only if it is in the same aisle block.
  if (start > 0 && adjacentToNext(seats, start - 1)) {
    const l = start - 1;
    if (seats[l]!.free) {
      const otherSideFree = l > 0 && adjacentToNext(seats, l - 1) && seats[l - 1]!.free;
      if (!otherSideFree) return true;
    }
  }
  if (adjacentToNext(seats, end)) {
    const r = end + 1;
    if (seats[r]!.free) {
      const otherSideFree = adjacentToNext(seats, r) && seats[r + 1]!.free;
      if (!otherSideFree) return true;
    }
  }
  return false;
}

/** Maximal runs of takeable seats that do not cross an aisle, left to right. */
function runsOf(seats: PickSeat[]): Run[] {
  const runs: Run[] = [];
  let start = -1;
  for (let i = 0; i < seats.length; i++) {
    if (takeable(seats[i])) {
      if (start < 0) start = i;
      // An aisle (or the row end) closes the run even if the next seat is takeable.
      if (!adjacentToNext(seats, i)) {
        runs.push({ start, end: i });
        start = -1;
      }
    } else if (start >= 0) {
      runs.push({ start, end: i - 1 });
      start = -1;
    }
  }
  return runs;
}

/** Best position for `len` seats inside one row, split by whether it strands a seat. */
type RowBest = { clean: number | null; orphaning: number | null };

/**
 * Scans every start position in the given runs that fits `len` seats and keeps the one whose
 * centre is nearest the row centre, separately for non-orphaning and orphaning choices.
 * Distances are doubled so everything stays in integers (no float ties); strict `<` plus a
 * left-to-right scan gives the "tie → leftmost" rule for free.
 */
function bestInRuns(seats: PickSeat[], runs: Run[], len: number): RowBest {
  const doubledCentre = seats.length - 1;
  let clean: number | null = null;
  let cleanDist = Infinity;
  let orphaning: number | null = null;
  let orphanDist = Infinity;
  for (const run of runs) {
    for (let s = run.start; s + len - 1 <= run.end; s++) {
      const dist = Math.abs(2 * s + len - 1 - doubledCentre);
      if (orphansRange(seats, s, s + len - 1)) {
        if (dist < orphanDist) {
          orphanDist = dist;
          orphaning = s;
        }
      } else if (dist < cleanDist) {
        cleanDist = dist;
        clean = s;
      }
    }
  }
  return { clean, orphaning };
}

const idsOf = (seats: PickSeat[], start: number, len: number): string[] =>
  seats.slice(start, start + len).map((s) => s.id);

/**
 * Picks `quantity` seats for one order.
 *
 * Single-row runs are ranked by row order (best first), then by how close the run's centre is
 * to the row's centre (seat index positions; ties go to the leftmost run). Runs that would
 * strand a lone free seat are only used when no row has a run that avoids it, because a lone
 * seat is nearly unsellable.
 *
 * With `allowSplit`, and only when no single-row run exists, the party is spread over the
 * shortest stretch of consecutive rows where each row gives its largest run (fewest parts,
 * then the best starting row); the last part is placed like a single-row pick.
 *
 * @param rows rows best first; seats left to right.
 * @param quantity number of seats, an integer >= 1.
 * @returns the chosen seat ids (row order, then left to right), or null when nothing fits.
 * @throws RangeError when `quantity` is not an integer >= 1 (a caller bug, not "sold out").
 */
export function pickBestAvailable(rows: PickRow[], quantity: number, opts: PickOptions = {}): string[] | null {
  if (!Number.isInteger(quantity) || quantity < 1)
    throw new RangeError(`quantity must be an integer >= 1, got ${quantity}`);

  const runsByRow = rows.map((r) => runsOf(r.seats));
  let fallback: { row: number; start: number } | null = null;
  for (let r = 0; r < rows.length; r++) {
    const seats = rows[r]!.seats;
    const best = bestInRuns(seats, runsByRow[r]!, quantity);
    // The first row with a clean run wins outright: row order beats centring, and clean beats orphaning.
    if (best.clean !== null) return idsOf(seats, best.clean, quantity);
    if (fallback === null && best.orphaning !== null) fallback = { row: r, start: best.orphaning };
  }
  if (fallback) return idsOf(rows[fallback.row]!.seats, fallback.start, quantity);

  return opts.allowSplit ? pickSplit(rows, runsByRow, quantity) : null;
}

/**
 * Spreads the party over consecutive rows. Every row in the stretch contributes its largest run,
 * so the number of parts equals the number of rows; a row with nothing takeable breaks the
 * stretch because the party would no longer sit in neighbouring rows. Each stretch is at most
 * `quantity` rows long (each row adds >= 1 seat), so this is O(rows × quantity) after the run scan.
 */
function pickSplit(rows: PickRow[], runsByRow: Run[][], quantity: number): string[] | null {
  const largest = runsByRow.map((runs) => {
    let best: Run | null = null;
    // Strict `>` keeps the leftmost of equally large runs, matching the single-row tie rule.
    for (const run of runs) if (!best || run.end - run.start > best.end - best.start) best = run;
    return best;
  });

  let bestStart = -1;
  let bestParts = Infinity;
  for (let r = 0; r < rows.length; r++) {
    let total = 0;
    for (let e = r; e < rows.length && e - r + 1 < bestParts; e++) {
      const run = largest[e];
      if (!run) break;
      total += run.end - run.start + 1;
      if (total >= quantity) {
        bestParts = e - r + 1;
        bestStart = r;
        break;
      }
    }
  }
  if (bestStart < 0) return null;

  const chosen: string[] = [];
  let remaining = quantity;
  for (let e = bestStart; remaining > 0; e++) {
    const seats = rows[e]!.seats;
    const run = largest[e]!;
    const size = run.end - run.start + 1;
    if (size <= remaining) {
      chosen.push(...idsOf(seats, run.start, size));
      remaining -= size;
    } else {
      // Only the last row takes part of its run; place it like a single-row pick within that run.
      const best = bestInRuns(seats, [run], remaining);
      chosen.push(...idsOf(seats, (best.clean ?? best.orphaning)!, remaining));
      remaining = 0;
    }
  }
  return chosen;
}

/**
 * True when taking `chosenIds` from `row` leaves a lone free seat next to a chosen seat: a free,
 * unchosen seat touching a chosen seat in the same aisle block whose other neighbour is missing
 * (block edge or aisle), taken, or chosen. Exported so tests and callers can check any choice,
 * including split ones, with the same definition the picker uses.
 */
export function strandsSingle(row: PickRow, chosenIds: Iterable<string>): boolean {
  const chosen = new Set(chosenIds);
  const seats = row.seats;
  const freeAfter = (i: number) => seats[i]!.free && !chosen.has(seats[i]!.id);
  for (let i = 0; i < seats.length; i++) {
    if (!freeAfter(i)) continue;
    const leftLinked = i > 0 && adjacentToNext(seats, i - 1);
    const rightLinked = adjacentToNext(seats, i);
    const touchesChosen = (leftLinked && chosen.has(seats[i - 1]!.id)) || (rightLinked && chosen.has(seats[i + 1]!.id));
    if (!touchesChosen) continue;
    const leftFree = leftLinked && freeAfter(i - 1);
    const rightFree = rightLinked && freeAfter(i + 1);
    if (!leftFree && !rightFree) return true;
  }
  return false;
}
