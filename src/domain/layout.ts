import { z } from "@hono/zod-openapi";
import { userText } from "./text";
import { AppError, type FieldError } from "../errors";

/** The hard ceiling on reserved seats in one layout. */
export const MAX_SEATS = 100_000;

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "letters, digits and _ . : - only");

export const SeatSchema = z.strictObject({
  id,
  label: z.string().min(1).max(16),
  x: z.number().finite(),
  y: z.number().finite(),
  accessible: z.boolean().optional(),
  /** The next seat in the row is across an aisle, so the two are not adjacent. */
  aisleAfter: z.boolean().optional(),
});

/** Rows are listed best first (nearest the stage); seats left to right. */
export const RowSchema = z.strictObject({
  label: z.string().min(1).max(16),
  seats: z.array(SeatSchema).min(1).max(1000),
});

export const SectionSchema = z.strictObject({
  id,
  name: userText({ max: 100 }),
  rows: z.array(RowSchema).min(1).max(500),
});

export const AreaSchema = z.strictObject({
  id,
  name: userText({ max: 100 }),
  capacity: z.number().int().min(1).max(1_000_000),
  x: z.number().finite().optional(),
  y: z.number().finite().optional(),
  width: z.number().positive().optional(),
  height: z.number().positive().optional(),
});

export const LayoutSchema = z
  .strictObject({
    stage: z
      .strictObject({ x: z.number().finite(), y: z.number().finite(), label: z.string().max(40).optional() })
      .optional(),
    sections: z.array(SectionSchema).max(200).default([]),
    areas: z.array(AreaSchema).max(100).default([]),
  })
  .openapi("SeatLayout");

export type Seat = z.infer<typeof SeatSchema>;
export type Row = z.infer<typeof RowSchema>;
export type Section = z.infer<typeof SectionSchema>;
export type Area = z.infer<typeof AreaSchema>;
export type Layout = z.infer<typeof LayoutSchema>;

/**
 * Checks what zod cannot: unique ids across the whole document and the seat ceiling. Returns
 * every problem with its path so an organizer can fix a layout in one pass.
 */
export function layoutProblems(layout: Layout): FieldError[] {
  const problems: FieldError[] = [];
  const seatIds = new Map<string, string>();
  const sectionIds = new Map<string, string>();
  const areaIds = new Map<string, string>();
  let seats = 0;
  layout.sections.forEach((section, si) => {
    const spath = `sections.${si}`;
    const prevSection = sectionIds.get(section.id);
    if (prevSection)
      problems.push({
        path: `${spath}.id`,
        code: "duplicate_section_id",
        message: `section id "${section.id}" is already used at ${prevSection}`,
      });
    else sectionIds.set(section.id, spath);
    const rowLabels = new Set<string>();
    section.rows.forEach((row, ri) => {
      const rpath = `${spath}.rows.${ri}`;
      if (rowLabels.has(row.label))
        problems.push({
          path: `${rpath}.label`,
          code: "duplicate_row_label",
          message: `row "${row.label}" appears twice in section "${section.id}"`,
        });
      rowLabels.add(row.label);
      row.seats.forEach((seat, k) => {
        seats++;
        const path = `${rpath}.seats.${k}.id`;
        const prev = seatIds.get(seat.id);
        if (prev)
          problems.push({
            path,
            code: "duplicate_seat_id",
            message: `seat id "${seat.id}" is already used at ${prev}`,
          });
        else if (seatIds.size < MAX_SEATS + 1) seatIds.set(seat.id, path);
      });
    });
  });
  layout.areas.forEach((area, ai) => {
    const path = `areas.${ai}.id`;
    const prev = areaIds.get(area.id) ?? (seatIds.has(area.id) ? seatIds.get(area.id) : undefined);
    if (prev)
      problems.push({ path, code: "duplicate_area_id", message: `area id "${area.id}" is already used at ${prev}` });
    else areaIds.set(area.id, path);
  });
  if (seats > MAX_SEATS)
    problems.push({
      path: "sections",
      code: "too_many_seats",
      message: `layout has ${seats} seats; the limit is ${MAX_SEATS}`,
    });
  if (seats === 0 && layout.areas.length === 0)
    problems.push({
      path: "",
      code: "empty_layout",
      message: "a layout needs at least one seat or general-admission area",
    });
  return problems;
}

/** Throws a 422 `layout_invalid` listing every problem, or returns the layout's totals. */
export function assertValidLayout(layout: Layout): { seatCount: number; gaCapacity: number } {
  const problems = layoutProblems(layout);
  if (problems.length > 0) {
    throw new AppError("layout_invalid", `${problems.length} problem(s) in the seat layout`, {
      extra: { errors: problems },
    });
  }
  return { seatCount: countSeats(layout), gaCapacity: layout.areas.reduce((n, a) => n + a.capacity, 0) };
}

export function countSeats(layout: Layout): number {
  let n = 0;
  for (const s of layout.sections) for (const r of s.rows) n += r.seats.length;
  return n;
}

/** Every seat with its section and row, in layout order (best rows first). */
export function* allSeats(
  layout: Layout,
): Generator<{ seat: Seat; section: Section; row: Row; rowIndex: number; seatIndex: number }> {
  for (const section of layout.sections) {
    for (const [rowIndex, row] of section.rows.entries()) {
      for (const [seatIndex, seat] of row.seats.entries()) yield { seat, section, row, rowIndex, seatIndex };
    }
  }
}
