/**
 * Pure geometry for the layout builder: section poses (position + rotation), placing a section on
 * an arc facing the stage, aisle spacing, and label placement that never overlaps.
 * Screen coordinates: x to the right, y down, angles in degrees clockwise.
 */

export type Point = { x: number; y: number };
export type Pose = { x: number; y: number; rotation: number };
export type Box = { x: number; y: number; w: number; h: number };

/** Extra room an aisle adds between two seats, on top of the usual seat spacing. */
export const AISLE_GAP = 10;

/** How far seat k (0-based) is pushed right by the aisles before it. */
export function aisleOffset(k: number, aisleEvery: number | undefined): number {
  return aisleEvery ? Math.floor(k / aisleEvery) * AISLE_GAP : 0;
}

const rad = (deg: number) => (deg * Math.PI) / 180;

/** A point in a section's own frame (front row along y = 0, rows going +y) placed by its pose. */
export function applyPose(local: Point, pose: Pose): Point {
  const c = Math.cos(rad(pose.rotation));
  const s = Math.sin(rad(pose.rotation));
  return { x: pose.x + local.x * c - local.y * s, y: pose.y + local.x * s + local.y * c };
}

/**
 * The pose that puts a section `radius` away from the stage at `angle` degrees round it (0 is
 * straight in front of the stage, positive clockwise seen from above the stage), turned so its
 * rows run away from the stage and its seats face it.
 */
export function arcPose(stage: Point, radius: number, angle: number): Pose {
  const a = rad(angle);
  // The section's local +y (away from its front row) must point along (−sin a, cos a) rotated;
  // rotating (0, 1) by θ gives (−sin θ, cos θ), so θ = angle puts rows radially outward.
  return { x: stage.x - radius * Math.sin(a), y: stage.y + radius * Math.cos(a), rotation: normalise(angle) };
}

/** Degrees in (−180, 180]. */
export function normalise(deg: number): number {
  const d = ((deg % 360) + 360) % 360;
  return d > 180 ? d - 360 : d;
}

export function boxesOverlap(a: Box, b: Box): boolean {
  return a.x < b.x + b.w && b.x < a.x + a.w && a.y < b.y + b.h && b.y < a.y + a.h;
}

/** Candidate offsets round an anchor: the anchor itself, then rings of growing distance. */
function* candidates(w: number, h: number): Generator<Point> {
  yield { x: 0, y: 0 };
  for (let ring = 1; ring <= 40; ring++) {
    const dx = ring * (w / 2 + 2);
    const dy = ring * (h + 2);
    for (const [fx, fy] of [
      [0, -1],
      [0, 1],
      [-1, 0],
      [1, 0],
      [-1, -1],
      [1, -1],
      [-1, 1],
      [1, 1],
    ] as const)
      yield { x: fx * dx, y: fy * dy };
  }
}

/**
 * Places each label's box (centred on its anchor where possible) so that no two labels overlap
 * and none overlaps any obstacle (the stage). Greedy, in the given order; when every nearby spot
 * is taken the label goes below everything placed so far, which is always free.
 */
export function placeLabels(labels: { anchor: Point; w: number; h: number }[], obstacles: Box[]): Box[] {
  const taken: Box[] = [...obstacles];
  const out: Box[] = [];
  for (const l of labels) {
    let chosen: Box | undefined;
    for (const d of candidates(l.w, l.h)) {
      const box = { x: l.anchor.x + d.x - l.w / 2, y: l.anchor.y + d.y - l.h / 2, w: l.w, h: l.h };
      if (!taken.some((t) => boxesOverlap(t, box))) {
        chosen = box;
        break;
      }
    }
    if (!chosen) {
      const bottom = Math.max(l.anchor.y, ...taken.map((t) => t.y + t.h));
      chosen = { x: l.anchor.x - l.w / 2, y: bottom + 2, w: l.w, h: l.h };
    }
    taken.push(chosen);
    out.push(chosen);
  }
  return out;
}
