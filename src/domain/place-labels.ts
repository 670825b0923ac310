/**
 * The words a person reads for a ticket's place: "Stalls · Row B · Seat 3" for a seat, "Pit
 * (standing) · place 2" for a general-admission place, never the ids the system keys them by
 * (`STALLS-B-3`, `pit#<order>#2`). Shared by the emails and the fan site.
 */

/** Only the parts of a layout the labels need (the public layout and the stored snapshot both fit). */
export type LabelLayout = {
  sections: { name: string; rows: { label: string; seats: { id: string; label: string }[] }[] }[];
  areas: { id: string; name: string }[];
};

/** Seat id → "Section · Row R · Seat S", area id → "Area (standing)". */
export function placeNames(layout: LabelLayout | null | undefined): Map<string, string> {
  const names = new Map<string, string>();
  for (const s of layout?.sections ?? [])
    for (const r of s.rows)
      for (const seat of r.seats) names.set(seat.id, `${s.name} · Row ${r.label} · Seat ${seat.label}`);
  for (const a of layout?.areas ?? []) names.set(a.id, `${a.name} (standing)`);
  return names;
}

/**
 * The label of one ticket place. A GA place is `<area>#<order>#<n>`: the area's name and the
 * place number. Without a layout entry the id is shown rather than nothing.
 */
export function placeLabel(place: string, names: Map<string, string>): string {
  const direct = names.get(place);
  if (direct) return direct;
  const [area, , n] = place.split("#");
  if (area && n) return `${names.get(area) ?? `${area} (standing)`} · place ${n}`;
  return place;
}
