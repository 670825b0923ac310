import type { MapLayout, SeatView } from "./types";

export type Point = { x: number; y: number };
export type Bounds = { minX: number; minY: number; maxX: number; maxY: number };
/** A section as the overview draws it: where it is, how many seats, what they cost. */
export type SectionSummary = {
  index: number;
  id: string;
  name: string;
  bounds: Bounds;
  /** The convex outline of its seats, so a section turned to face the stage is drawn as it sits. */
  outline: Point[];
  seatIds: string[];
  seats: number;
  /** Lowest and highest tier price of its seats (minor units); null when none is priced. */
  price: { min: number; max: number } | null;
  /** Some seats have no tier price: the range is then only a lower bound ("from …"). */
  unpriced: boolean;
};

/** Seats in a layout: above a threshold the fan site opens on the section overview. */
export const seatCount = (layout: MapLayout) =>
  layout.sections.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.seats.length, 0), 0);

/**
 * Groups a layout into sections with their bounds, outline, seat ids and price range. `priceOf`
 * answers a tier's price (minor units) or undefined for a tier the event does not price.
 */
export function summarize(layout: MapLayout, priceOf: (tier: string | null) => number | undefined): SectionSummary[] {
  return layout.sections.map((section, index) => {
    const edge: Point[] = [];
    const seatIds: string[] = [];
    const bounds = { minX: Infinity, minY: Infinity, maxX: -Infinity, maxY: -Infinity };
    let [min, max, unpriced] = [Infinity, -Infinity, false];
    section.rows.forEach((row, r) => {
      const outer = r === 0 || r === section.rows.length - 1;
      row.seats.forEach((seat, k) => {
        seatIds.push(seat.id);
        bounds.minX = Math.min(bounds.minX, seat.x);
        bounds.minY = Math.min(bounds.minY, seat.y);
        bounds.maxX = Math.max(bounds.maxX, seat.x);
        bounds.maxY = Math.max(bounds.maxY, seat.y);
        // The outline needs the front and back rows whole, and only the ends of the rows between.
        if (outer || k === 0 || k === row.seats.length - 1) edge.push({ x: seat.x, y: seat.y });
        const p = priceOf(seat.tier ?? null);
        if (p === undefined) unpriced = true;
        else {
          min = Math.min(min, p);
          max = Math.max(max, p);
        }
      });
    });
    return {
      index,
      id: section.id,
      name: section.name,
      bounds: Number.isFinite(bounds.minX) ? bounds : { minX: 0, minY: 0, maxX: 0, maxY: 0 },
      outline: convexHull(edge),
      seatIds,
      seats: seatIds.length,
      price: Number.isFinite(min) ? { min, max } : null,
      unpriced: unpriced && Number.isFinite(min),
    };
  });
}

/** Andrew's monotone chain: the hull in counter-clockwise order, without collinear points. */
export function convexHull(points: readonly Point[]): Point[] {
  const ps = [...points].sort((a, b) => a.x - b.x || a.y - b.y);
  if (ps.length < 3) return ps;
  const cross = (o: Point, a: Point, b: Point) => (a.x - o.x) * (b.y - o.y) - (a.y - o.y) * (b.x - o.x);
  const half = (list: Point[]) => {
    const out: Point[] = [];
    for (const p of list) {
      while (out.length >= 2 && cross(out[out.length - 2]!, out[out.length - 1]!, p) <= 0) out.pop();
      out.push(p);
    }
    out.pop();
    return out;
  };
  return [...half(ps), ...half(ps.reverse())];
}

/** A seat still on sale to this fan counts as available: their own pick is not taken from anyone. */
export const isAvailable = (view: SeatView | undefined) => view === "a" || view === "selected";

/** Available seats of each section, from every seat's current view (seats not yet known are not counted). */
export function availability(sections: readonly SectionSummary[], viewOf: (id: string) => SeatView | undefined) {
  return sections.map((s) => s.seatIds.reduce((n, id) => n + (isAvailable(viewOf(id)) ? 1 : 0), 0));
}

/**
 * A section's price as a label: "$89", "$89–$189", or "from $89" when some of its seats have no
 * price the page knows (the range would claim too much).
 */
export function priceText(s: Pick<SectionSummary, "price" | "unpriced">, money: (minor: number) => string): string {
  if (!s.price) return "not priced";
  if (s.unpriced) return `from ${money(s.price.min)}`;
  return s.price.min === s.price.max ? money(s.price.min) : `${money(s.price.min)}–${money(s.price.max)}`;
}

/**
 * The heat-map colour for a share of seats available (0..1): red when nearly gone, through amber,
 * to green when wide open; grey when none is left. Dark enough for white text at every step.
 */
export function heatColor(share: number): string {
  if (!(share > 0)) return "#64748b";
  const t = Math.min(1, share);
  // Hue 0 (red) to 140 (green); lightness kept at 26% so white labels stay above 4.5:1 (amber too).
  return `hsl(${Math.round(t * 140)} 70% 26%)`;
}
