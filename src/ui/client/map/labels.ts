import { type Box, placeLabels } from "../../../domain/layout-geometry";

const round = (v: number) => Math.round(v * 10) / 10;
const MAX_SEAT_OBSTACLES = 3000;

/**
 * Moves a drawn map's section labels so none overlaps another label, the stage or any seat. Each
 * label is drawn above its section, which for sections turned round a stage can land on the stage
 * or on a neighbour. Needs the map on the page (it measures the drawn text).
 */
export function untangleLabels(svg: SVGSVGElement): void {
  const labels = [...svg.querySelectorAll<SVGTextElement>("text.section-label")];
  if (!labels.length) return;
  const box = (el: SVGGraphicsElement): Box => {
    const b = el.getBBox();
    return { x: b.x, y: b.y, w: b.width, h: b.height };
  };
  const obstacles: Box[] = [];
  const stage = svg.querySelector<SVGGraphicsElement>("g.stage");
  if (stage) obstacles.push(box(stage));
  const seats = svg.querySelectorAll<SVGGraphicsElement>("[data-seat]");
  // A venue-sized map (the portal draws every seat of a stadium) keeps labels off the stage and
  // each other only: measuring every seat would cost more than the overlap it avoids.
  if (seats.length <= MAX_SEAT_OBSTACLES) for (const c of seats) obstacles.push(box(c));
  const wanted = labels.map((l) => {
    const b = box(l);
    return { anchor: { x: b.x + b.w / 2, y: b.y + b.h / 2 }, w: b.w + 4, h: b.h + 2 };
  });
  placeLabels(wanted, obstacles).forEach((placed, i) => {
    const l = labels[i]!;
    const b = l.getBBox();
    // Move the text by the difference between where it is drawn and where its box was placed.
    const dx = placed.x + placed.w / 2 - (b.x + b.width / 2);
    const dy = placed.y + placed.h / 2 - (b.y + b.height / 2);
    if (dx || dy) l.setAttribute("transform", `translate(${round(dx)} ${round(dy)})`);
  });
}
