import type { FieldError } from "../errors";
import { allSeats, type Layout } from "./layout";

/** What a tier applies to; mirrors price_tiers.applies_to. */
export type AppliesTo = {
  sections?: string[];
  rows?: { section: string; row: string }[];
  seats?: string[];
  areas?: string[];
};
export type TierLike = { key: string; appliesTo: AppliesTo };

export type TierResolution = {
  seatTier: Map<string, string>;
  areaTier: Map<string, string>;
  unpricedSeats: string[];
  unpricedAreas: string[];
};

/**
 * Maps each seat and GA area to the tier that prices it. The most specific mention wins
 * (seat > row > section) so an organizer can price a section and then carve out exceptions;
 * among equally specific tiers the later one in the list wins.
 */
export function resolveSeatTiers(layout: Layout, tiers: TierLike[]): TierResolution {
  const bySection = new Map<string, string>();
  const byRow = new Map<string, string>();
  const bySeat = new Map<string, string>();
  const areaTier = new Map<string, string>();
  for (const t of tiers) {
    for (const s of t.appliesTo.sections ?? []) bySection.set(s, t.key);
    for (const r of t.appliesTo.rows ?? []) byRow.set(`${r.section}\u0000${r.row}`, t.key);
    for (const s of t.appliesTo.seats ?? []) bySeat.set(s, t.key);
    for (const a of t.appliesTo.areas ?? []) areaTier.set(a, t.key);
  }
  const seatTier = new Map<string, string>();
  const unpricedSeats: string[] = [];
  for (const { seat, section, row } of allSeats(layout)) {
    const key = bySeat.get(seat.id) ?? byRow.get(`${section.id}\u0000${row.label}`) ?? bySection.get(section.id);
    if (key) seatTier.set(seat.id, key);
    else unpricedSeats.push(seat.id);
  }
  const unpricedAreas = layout.areas.filter((a) => !areaTier.has(a.id)).map((a) => a.id);
  return { seatTier, areaTier, unpricedSeats, unpricedAreas };
}

/**
 * Whether a tier reaches at least one seat or GA area of the layout (before more specific tiers
 * carve anything out). A tier that reaches nothing would still show its price on the event's card.
 */
export function tierCoversSomething(layout: Layout, appliesTo: AppliesTo): boolean {
  if (appliesTo.areas?.some((a) => layout.areas.some((x) => x.id === a))) return true;
  const sections = new Set(appliesTo.sections ?? []);
  const rows = new Set((appliesTo.rows ?? []).map((r) => `${r.section}\u0000${r.row}`));
  const seats = new Set(appliesTo.seats ?? []);
  if (sections.size + rows.size + seats.size === 0) return false;
  for (const { seat, section, row } of allSeats(layout)) {
    if (sections.has(section.id) || rows.has(`${section.id}\u0000${row.label}`) || seats.has(seat.id)) return true;
  }
  return false;
}

/** Every reference in `tiers` that names nothing in the layout, with a path into the request body. */
export function tierReferenceProblems(layout: Layout, tiers: TierLike[]): FieldError[] {
  const sections = new Map(layout.sections.map((s) => [s.id, new Set(s.rows.map((r) => r.label))]));
  const seats = new Set<string>();
  for (const { seat } of allSeats(layout)) seats.add(seat.id);
  const areas = new Set(layout.areas.map((a) => a.id));
  const problems: FieldError[] = [];
  const keys = new Set<string>();
  tiers.forEach((t, i) => {
    const p = `tiers.${i}`;
    if (keys.has(t.key))
      problems.push({ path: `${p}.key`, code: "duplicate_tier_key", message: `tier key "${t.key}" is used twice` });
    keys.add(t.key);
    t.appliesTo.sections?.forEach((s, j) => {
      if (!sections.has(s))
        problems.push({
          path: `${p}.appliesTo.sections.${j}`,
          code: "unknown_section",
          message: `no section "${s}" in the layout`,
        });
    });
    t.appliesTo.rows?.forEach((r, j) => {
      if (!sections.get(r.section)?.has(r.row))
        problems.push({
          path: `${p}.appliesTo.rows.${j}`,
          code: "unknown_row",
          message: `no row "${r.row}" in section "${r.section}"`,
        });
    });
    t.appliesTo.seats?.forEach((s, j) => {
      if (!seats.has(s))
        problems.push({
          path: `${p}.appliesTo.seats.${j}`,
          code: "unknown_seat",
          message: `no seat "${s}" in the layout`,
        });
    });
    t.appliesTo.areas?.forEach((a, j) => {
      if (!areas.has(a))
        problems.push({
          path: `${p}.appliesTo.areas.${j}`,
          code: "unknown_area",
          message: `no area "${a}" in the layout`,
        });
    });
  });
  return problems;
}
