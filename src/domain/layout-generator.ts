import { z } from "@hono/zod-openapi";
import { userText } from "./text";
import { AppError } from "../errors";
import { MAX_SEATS, type Layout, type Row, type Section } from "./layout";
import { aisleOffset, applyPose, type Pose } from "./layout-geometry";

const id = z
  .string()
  .min(1)
  .max(64)
  .regex(/^[A-Za-z0-9][A-Za-z0-9_.:-]*$/, "letters, digits and _ . : - only");

export const GenerateSectionSchema = z.strictObject({
  id,
  name: userText({ max: 100 }),
  rows: z.number().int().min(1).max(500),
  seatsPerRow: z.number().int().min(1).max(1000),
  shape: z.enum(["straight", "curved"]).default("straight"),
  /** Row labels whose seats are all accessible, or a count of accessible seats at the ends of every row. */
  accessibleRows: z.union([z.array(z.string().min(1).max(16)).max(500), z.number().int().min(0).max(1000)]).optional(),
  /** Put an aisle after every N seats so seats across it are not treated as adjacent. */
  aisleEvery: z.number().int().min(1).max(1000).optional(),
  /** Where the middle of the front row sits; without both, sections sit side by side. */
  x: z.number().finite().min(-100_000).max(100_000).optional(),
  y: z.number().finite().min(-100_000).max(100_000).optional(),
  /** Degrees clockwise; 0 faces a stage above the section. */
  rotation: z.number().finite().min(-360).max(360).optional(),
});

export const GenerateLayoutSchema = z
  .strictObject({
    stage: z.strictObject({ x: z.number().finite(), y: z.number().finite() }).optional(),
    sections: z.array(GenerateSectionSchema).max(50).default([]),
    areas: z
      .array(z.strictObject({ id, name: userText({ max: 100 }), capacity: z.number().int().min(1).max(1_000_000) }))
      .max(100)
      .default([]),
  })
  .openapi("GenerateLayout");

export type GenerateLayoutInput = z.infer<typeof GenerateLayoutSchema>;
type GenSection = z.infer<typeof GenerateSectionSchema>;

const SEAT_GAP = 10;
const ROW_GAP = 12;
const SECTION_GAP = 30;
const STAGE_GAP = 40;
/** Half the angle the front row of a curved layout may span, in radians (30°). */
const MAX_ARC = Math.PI / 6;

/** Spreadsheet-style labels (A..Z, AA, AB..) so any number of rows gets a short unique label. */
export function rowLabel(index: number): string {
  let n = index + 1;
  let out = "";
  while (n > 0) {
    const r = (n - 1) % 26;
    out = String.fromCharCode(65 + r) + out;
    n = Math.floor((n - 1) / 26);
  }
  return out;
}

const round = (v: number) => Math.round(v * 100) / 100;

/**
 * Builds a layout document from a compact description. Sections sit side by side facing a stage
 * at the top (y = 0); curved sections bend each row onto an arc centred on the stage. The seat
 * ceiling is checked before anything is allocated, so a huge request cannot exhaust memory.
 */
export function generateLayout(input: GenerateLayoutInput): Layout {
  const total = input.sections.reduce((n, s) => n + s.rows * s.seatsPerRow, 0);
  if (total > MAX_SEATS) {
    throw new AppError("layout_invalid", `the generated layout would have ${total} seats`, {
      extra: {
        errors: [
          { path: "sections", code: "too_many_seats", message: `layout has ${total} seats; the limit is ${MAX_SEATS}` },
        ],
      },
    });
  }
  const widths = input.sections.map(sectionWidth);
  const totalWidth = widths.reduce((a, b) => a + b, 0) + SECTION_GAP * Math.max(0, widths.length - 1);
  const stageX = input.stage?.x ?? totalWidth / 2;
  const stageY = input.stage?.y ?? 0;
  // A gentle curve: the front row's arc spans at most ±30°, so wide layouts never wrap round the
  // stage, and its ends sit half a stage gap in front of the stage line.
  const frontRadius = Math.max(STAGE_GAP, totalWidth / 2 / MAX_ARC);
  const arcCentreY = STAGE_GAP / 2 - frontRadius * Math.cos(Math.min(MAX_ARC, totalWidth / 2 / frontRadius));
  let left = 0;
  const sections: Section[] = input.sections.map((s, i) => {
    const section =
      s.x !== undefined && s.y !== undefined
        ? buildPlacedSection(s, { x: s.x, y: s.y, rotation: s.rotation ?? 0 })
        : buildSection(s, left, stageX, frontRadius, arcCentreY);
    left += (widths[i] ?? 0) + SECTION_GAP;
    return section;
  });
  const deepest = sections.reduce(
    (d, sec) => sec.rows.reduce((dr, r) => r.seats.reduce((ds, seat) => Math.max(ds, seat.y), dr), d),
    STAGE_GAP,
  );
  let areaX = 0;
  const areas = input.areas.map((a) => {
    const area = { ...a, x: areaX, y: deepest + ROW_GAP * 2, width: 100, height: 60 };
    areaX += 120;
    return area;
  });
  return { stage: { x: round(stageX), y: stageY, label: "Stage" }, sections, areas };
}

const sectionWidth = (s: GenSection) => (s.seatsPerRow - 1) * SEAT_GAP + aisleOffset(s.seatsPerRow - 1, s.aisleEvery);

/** A section at its own pose: laid out round its front-row middle, then turned and moved there. */
function buildPlacedSection(s: GenSection, pose: Pose): Section {
  const half = sectionWidth(s) / 2;
  const radius = Math.max(STAGE_GAP, half / MAX_ARC);
  return seatsFor(s, (k, r) => {
    const flat = k * SEAT_GAP + aisleOffset(k, s.aisleEvery) - half;
    let local = { x: flat, y: r * ROW_GAP };
    if (s.shape === "curved") {
      // Concentric arcs round a point in front of the section, arc length kept equal to the flat spacing.
      const arc = radius + r * ROW_GAP;
      const theta = flat / arc;
      local = { x: arc * Math.sin(theta), y: arc * Math.cos(theta) - radius };
    }
    return applyPose(local, pose);
  });
}

function buildSection(s: GenSection, left: number, stageX: number, frontRadius: number, arcCentreY: number): Section {
  return seatsFor(s, (k, r) => {
    const flatX = left + k * SEAT_GAP + aisleOffset(k, s.aisleEvery);
    if (s.shape !== "curved") return { x: flatX, y: STAGE_GAP + r * ROW_GAP };
    // Rows are concentric arcs around a centre behind the stage; arc length equals the flat
    // distance so seat spacing stays constant along a row.
    const arc = frontRadius + r * ROW_GAP;
    const theta = (flatX - stageX) / arc;
    return { x: stageX + arc * Math.sin(theta), y: arcCentreY + arc * Math.cos(theta) };
  });
}

/** Rows, labels, ids, accessibility and aisles for a section, with seat k of row r placed by `at`. */
function seatsFor(s: GenSection, at: (k: number, r: number) => { x: number; y: number }): Section {
  const accessibleRows = Array.isArray(s.accessibleRows) ? new Set(s.accessibleRows) : null;
  const endCount = typeof s.accessibleRows === "number" ? s.accessibleRows : 0;
  const rows: Row[] = [];
  for (let r = 0; r < s.rows; r++) {
    const label = rowLabel(r);
    const seats = [];
    for (let k = 0; k < s.seatsPerRow; k++) {
      const { x, y } = at(k, r);
      const accessible =
        accessibleRows?.has(label) || k < Math.ceil(endCount / 2) || k >= s.seatsPerRow - Math.floor(endCount / 2);
      const aisleAfter = s.aisleEvery !== undefined && (k + 1) % s.aisleEvery === 0 && k < s.seatsPerRow - 1;
      seats.push({
        id: `${s.id}-${label}-${k + 1}`,
        label: String(k + 1),
        x: round(x),
        y: round(y),
        ...(accessible ? { accessible: true } : {}),
        ...(aisleAfter ? { aisleAfter: true } : {}),
      });
    }
    rows.push({ label, seats });
  }
  return { id: s.id, name: s.name, rows };
}
