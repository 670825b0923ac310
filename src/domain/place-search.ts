import type { LabelLayout } from "./place-labels";

/**
 * Turns what an organizer types for a seat into the places it names, so an order can be found by
 * "STALLS-B-3" (the id), "Stalls · Row B · Seat 3" (the label the tickets show), "Row B Seat 3",
 * "B3" or "b 3" (the way people say it). A standing area matches by its id or name ("Pit").
 */

/** At most this many places per query: "1 1" in a venue of many sections stays a small list. */
export const MAX_PLACES = 500;

/** Words people put around the parts of a seat's name, which carry no meaning for the match. */
const FILLER = new Set(["row", "seat", "section", "place", "standing"]);

/** Lowercased words, with letters and digits split where they meet ("B12" → "b", "12"). */
export function placeWords(text: string): string[] {
  return text
    .toLowerCase()
    .replace(/([a-z])(\d)|(\d)([a-z])/g, (_m, a, b, c, d) => (a ? `${a} ${b}` : `${c} ${d}`))
    .split(/[^\p{L}\p{N}]+/u)
    .filter((w) => w && !FILLER.has(w));
}

const sameWords = (a: string[], b: string[]) => a.length === b.length && a.every((w, i) => w === b[i]);

/**
 * The seat ids and area ids `query` names in `layout`. A seat matches its own id, or words that
 * end with its row and seat labels, preceded by nothing or by its section's name.
 */
export function placesMatching(layout: LabelLayout, query: string): { seats: string[]; areas: string[] } {
  const q = query.trim().toLowerCase();
  const words = placeWords(q);
  const seats: string[] = [];
  const areas: string[] = [];
  if (!q) return { seats, areas };
  for (const s of layout.sections) {
    const section = placeWords(s.name);
    for (const r of s.rows) {
      const row = placeWords(r.label);
      for (const seat of r.seats) {
        if (seats.length >= MAX_PLACES) return { seats, areas };
        if (seat.id.toLowerCase() === q) {
          seats.push(seat.id);
          continue;
        }
        const tail = [...row, ...placeWords(seat.label)];
        if (words.length < tail.length || !sameWords(words.slice(words.length - tail.length), tail)) continue;
        const head = words.slice(0, words.length - tail.length);
        if (head.length === 0 || sameWords(head, section)) seats.push(seat.id);
      }
    }
  }
  for (const a of layout.areas)
    if (a.id.toLowerCase() === q || (words.length > 0 && sameWords(words, placeWords(a.name)))) areas.push(a.id);
  return { seats, areas };
}
