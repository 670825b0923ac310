import { type Point, type Pose, arcPose } from "../../../domain/layout-geometry";
import { h } from "../dom";
import type { MapLayout } from "../seat-map";

/** Where a section goes: side by side (the generator's default), at a pose, or round the stage. */
export type Placement =
  | { mode: "auto" }
  | { mode: "xy"; x: number; y: number; rotation: number }
  | { mode: "arc"; angle: number; distance: number };

const round = (v: number) => Math.round(v * 10) / 10;

/** The generator's x, y and rotation for a placement (none for side by side). */
export function poseOf(p: Placement, stage: Point): Partial<Pose> {
  if (p.mode === "xy") return { x: p.x, y: p.y, rotation: p.rotation };
  if (p.mode === "arc") {
    const pose = arcPose(stage, p.distance, p.angle);
    return { x: round(pose.x), y: round(pose.y), rotation: round(pose.rotation) };
  }
  return {};
}

const MODES: [Placement["mode"], string][] = [
  ["auto", "Side by side"],
  ["xy", "At coordinates"],
  ["arc", "Around the stage"],
];

/**
 * The placement controls of one section: a mode, then x, y and rotation, or an angle and a
 * distance round the stage. A change of mode starts from where the section would be drawn now.
 */
export function placementFields(p: Placement, stage: Point, onChange: (p: Placement) => void): HTMLElement {
  // Typing in one field must keep what was typed in the others: the fields are not redrawn meanwhile.
  let now = p;
  const number = <P extends Placement>(label: string, value: number, set: (cur: P, n: number) => P, step = 1) =>
    h(
      "label",
      { class: "mini" },
      label,
      h("input", {
        type: "number",
        step,
        value: String(value),
        class: "qty",
        oninput: (e: Event) => {
          const n = Number((e.target as HTMLInputElement).value);
          if (!Number.isFinite(n)) return;
          now = set(now as P, n);
          onChange(now);
        },
      }),
    );
  const mode = h(
    "select",
    {
      "aria-label": "Placement",
      "data-testid": "section-placement",
      onchange: (e: Event) => {
        const next = (e.target as HTMLSelectElement).value as Placement["mode"];
        if (next === "auto") onChange({ mode: "auto" });
        else if (next === "arc") onChange({ mode: "arc", angle: 0, distance: 80 });
        else {
          const pose = poseOf(now, stage);
          onChange({ mode: "xy", x: pose.x ?? stage.x, y: pose.y ?? stage.y + 80, rotation: pose.rotation ?? 0 });
        }
      },
    },
    MODES.map(([v, label]) => h("option", { value: v, selected: p.mode === v }, label)),
  );
  const fields =
    p.mode === "xy"
      ? [
          number<typeof p>("X", p.x, (cur, x) => ({ ...cur, x })),
          number<typeof p>("Y", p.y, (cur, y) => ({ ...cur, y })),
          number<typeof p>("Rotation (°)", p.rotation, (cur, rotation) => ({ ...cur, rotation }), 5),
        ]
      : p.mode === "arc"
        ? [
            number<typeof p>("Angle round the stage (°)", p.angle, (cur, angle) => ({ ...cur, angle }), 5),
            number<typeof p>("Distance from the stage", p.distance, (cur, distance) => ({ ...cur, distance }), 5),
          ]
        : [];
  return h("span", { class: "placement" }, h("label", { class: "mini" }, "Placement", mode), ...fields);
}

/** The pose the generator would need to draw a section where it is now: its front row's middle and direction. */
function frontRowPose(section: MapLayout["sections"][number]): Pose | null {
  const row = section.rows[0]?.seats ?? [];
  const first = row[0];
  const last = row[row.length - 1];
  if (!first || !last) return null;
  const rotation = row.length > 1 ? (Math.atan2(last.y - first.y, last.x - first.x) * 180) / Math.PI : 0;
  return { x: (first.x + last.x) / 2, y: (first.y + last.y) / 2, rotation };
}

/**
 * Drag a section by any of its seats on the preview: the seats follow the pointer, and on release
 * `onDrop` gets the section's index and its new pose (where it was, moved by the drag).
 */
export function sectionDrag(
  svg: SVGSVGElement,
  doc: MapLayout,
  current: (index: number) => Pose | null,
  onDrop: (index: number, pose: Pose) => void,
): void {
  const sectionOf = new Map<string, number>();
  doc.sections.forEach((s, i) => {
    for (const r of s.rows) for (const seat of r.seats) sectionOf.set(seat.id, i);
  });
  const toSvg = (e: PointerEvent): Point => {
    const m = svg.getScreenCTM();
    if (!m) return { x: e.clientX, y: e.clientY };
    const p = new DOMPoint(e.clientX, e.clientY).matrixTransform(m.inverse());
    return { x: p.x, y: p.y };
  };
  let drag: { index: number; start: Point; nodes: SVGElement[]; delta: Point } | null = null;
  svg.classList.add("draggable");
  svg.addEventListener("pointerdown", (e) => {
    const id = (e.target as Element).closest("[data-seat]")?.getAttribute("data-seat");
    const index = id ? sectionOf.get(id) : undefined;
    if (index === undefined) return;
    const nodes = [...svg.querySelectorAll<SVGElement>("[data-seat]")].filter(
      (n) => sectionOf.get(n.getAttribute("data-seat") ?? "") === index,
    );
    drag = { index, start: toSvg(e), nodes, delta: { x: 0, y: 0 } };
    svg.setPointerCapture(e.pointerId);
    e.preventDefault();
  });
  svg.addEventListener("pointermove", (e) => {
    if (!drag) return;
    const p = toSvg(e);
    drag.delta = { x: p.x - drag.start.x, y: p.y - drag.start.y };
    for (const n of drag.nodes) n.setAttribute("transform", `translate(${drag.delta.x} ${drag.delta.y})`);
  });
  const end = () => {
    if (!drag) return;
    const { index, delta } = drag;
    drag = null;
    if (Math.hypot(delta.x, delta.y) < 2) return; // a click, not a move
    const from = current(index) ?? frontRowPose(doc.sections[index]!);
    if (!from) return;
    onDrop(index, { x: round(from.x + delta.x), y: round(from.y + delta.y), rotation: round(from.rotation) });
  };
  svg.addEventListener("pointerup", end);
  svg.addEventListener("pointercancel", end);
}
