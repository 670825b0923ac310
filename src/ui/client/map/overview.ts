import { svg } from "../dom";
import { heatColor, type Point, type SectionSummary } from "./sections";
import type { MapLayout } from "./types";

type Options = {
  onOpen: (index: number) => void;
  /** "$89–$189": the section's price range as the page words it. */
  priceText: (s: SectionSummary) => string;
};
type Node = { g: SVGGElement; shape: SVGPolygonElement; count: SVGTextElement; centre: Point };

const PAD = 24;
/** The narrowest section is drawn at least this wide (CSS px), so its three lines of text fit. */
const MIN_SECTION_PX = 88;
const NAME_PX = 12;
const SUB_PX = 10.5;

/**
 * The stadium overview: one shape per section (its seats' outline), coloured by the share of
 * seats still available, labelled with name, seats left and price. A few nodes per section, never
 * one per seat. Sections are buttons: Tab or the arrow keys move between them, Enter or Space opens.
 */
export class Overview {
  readonly el: SVGSVGElement;
  private nodes: Node[] = [];
  private texts: { el: SVGTextElement; px: number }[] = [];
  private stage: { rect: SVGRectElement; text: SVGTextElement } | null = null;
  private width = 1;
  /** The sections' frame; the stage goes above it once the scale (and so its size) is known. */
  private box = { minX: 0, minY: 0, maxY: 0 };
  private narrowest = 1;

  constructor(
    private readonly sections: readonly SectionSummary[],
    stage: MapLayout["stage"],
    private readonly opt: Options,
  ) {
    this.el = svg("svg", { class: "overview", role: "group", "aria-label": "Sections: pick one to see its seats" });
    const all = sections.flatMap((s) => [
      { x: s.bounds.minX, y: s.bounds.minY },
      { x: s.bounds.maxX, y: s.bounds.maxY },
    ]);
    const minX = Math.min(...all.map((p) => p.x)) - PAD;
    const maxX = Math.max(...all.map((p) => p.x)) + PAD;
    const minY = Math.min(...all.map((p) => p.y)) - PAD;
    const maxY = Math.max(...all.map((p) => p.y)) + PAD;
    this.box = { minX, minY, maxY };
    if (stage) {
      const rect = svg("rect", { class: "ov-stage", rx: 6 });
      const text = svg("text", { class: "ov-stage-label", "text-anchor": "middle", x: stage.x });
      text.textContent = stage.label ?? "Stage";
      this.stage = { rect, text };
      this.el.append(rect, text);
    }
    this.width = maxX - minX;
    this.narrowest = Math.max(1, Math.min(...sections.map((s) => s.bounds.maxX - s.bounds.minX)));
    this.el.setAttribute("viewBox", `${minX} ${minY} ${this.width} ${maxY - minY}`);
    sections.forEach((s) => {
      this.nodes.push(this.drawSection(s));
    });
    this.wireKeys();
  }

  private drawSection(s: SectionSummary): Node {
    const b = s.bounds;
    const centre = { x: (b.minX + b.maxX) / 2, y: (b.minY + b.maxY) / 2 };
    const g = svg("g", { class: "ov-section", role: "button", tabindex: 0, "data-section": s.id });
    const shape = svg("polygon", {
      points: s.outline.map((p) => `${p.x},${p.y}`).join(" "),
      fill: heatColor(1),
      stroke: heatColor(1),
      "stroke-linejoin": "round",
    });
    const line = (cls: string, px: number, text: string) => {
      const t = svg("text", { x: centre.x, "text-anchor": "middle", class: cls, "aria-hidden": "true" });
      // The trailing space keeps the lines apart where they are read as one text (axe, copy); unrendered.
      t.textContent = `${text} `;
      this.texts.push({ el: t, px });
      return t;
    };
    const name = line("ov-name", NAME_PX, s.name);
    const count = line("ov-count", SUB_PX, `${s.seats.toLocaleString()} seats`);
    const price = line("ov-price", SUB_PX, this.opt.priceText(s));
    g.append(shape, name, count, price);
    g.addEventListener("click", () => this.opt.onOpen(s.index));
    this.el.appendChild(g);
    this.label(g, s, null);
    return { g, shape, count, centre };
  }

  /** The spoken name starts with the words drawn on the section (WCAG 2.5.3), then the full count. */
  private label(g: SVGGElement, s: SectionSummary, available: number | null) {
    const shown = [...g.querySelectorAll("text")].map((t) => t.textContent?.trim()).join(" ");
    const of = available === null ? "" : `, ${available.toLocaleString()} of ${s.seats.toLocaleString()} available`;
    g.setAttribute("aria-label", `${shown}${of}. Opens its seats`);
  }

  /**
   * Sizes the drawing for a container `width` CSS px wide: never so small that the narrowest
   * section cannot hold its labels (the map then scrolls sideways), text at a fixed CSS size.
   */
  fit(width: number) {
    const px = Math.max(width, (this.width * MIN_SECTION_PX) / this.narrowest);
    this.el.style.width = `${Math.round(px)}px`;
    const unit = this.width / px;
    for (const n of this.nodes) {
      const [name, count, price] = [...n.g.querySelectorAll("text")];
      const y = n.centre.y;
      name?.setAttribute("y", String(y - NAME_PX * unit * 0.6));
      count?.setAttribute("y", String(y + SUB_PX * unit * 0.8));
      price?.setAttribute("y", String(y + SUB_PX * unit * 2));
    }
    for (const t of this.texts) t.el.setAttribute("font-size", String(t.px * unit));
    let top = this.box.minY;
    if (this.stage) {
      // A bar just above the sections, in the layout's stage position sideways.
      const sx = Number(this.stage.text.getAttribute("x"));
      const w = Math.min(this.width * 0.3, 200 * unit);
      const [hgt, gap] = [16 * unit, 6 * unit];
      const y = this.box.minY + PAD - gap - hgt;
      const box = { x: sx - w / 2, y, width: w, height: hgt };
      for (const [k, v] of Object.entries(box)) this.stage.rect.setAttribute(k, String(v));
      this.stage.text.setAttribute("y", String(y + hgt / 2 + 3.5 * unit));
      this.stage.text.setAttribute("font-size", String(10 * unit));
      top = Math.min(top, y - gap);
    }
    this.el.setAttribute("viewBox", `${this.box.minX} ${top} ${this.width} ${this.box.maxY - top}`);
  }

  /** Shows a section's seats left (null: not known yet) and colours it by the share available. */
  update(index: number, available: number | null) {
    const s = this.sections[index];
    const n = this.nodes[index];
    if (!s || !n) return;
    const colour = available === null ? heatColor(1) : heatColor(available / Math.max(1, s.seats));
    n.shape.setAttribute("fill", colour);
    n.shape.setAttribute("stroke", colour);
    const words = available === null ? `${s.seats.toLocaleString()} seats` : `${available.toLocaleString()} left`;
    n.count.textContent = `${words} `;
    n.g.toggleAttribute("data-sold-out", available === 0);
    this.label(n.g, s, available);
  }

  focus(index: number) {
    this.nodes[index]?.g.focus();
  }

  private wireKeys() {
    this.el.addEventListener("keydown", (e) => {
      const at = this.nodes.findIndex((n) => n.g === document.activeElement);
      if (at < 0) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.opt.onOpen(at);
        return;
      }
      const next = e.key === "Home" ? 0 : e.key === "End" ? this.nodes.length - 1 : nearest(this.nodes, at, e.key);
      if (next === undefined) return;
      e.preventDefault();
      this.focus(next);
    });
  }
}

const DIRS: Record<string, Point> = {
  ArrowLeft: { x: -1, y: 0 },
  ArrowRight: { x: 1, y: 0 },
  ArrowUp: { x: 0, y: -1 },
  ArrowDown: { x: 0, y: 1 },
};

/**
 * The section an arrow key leads to: the closest one lying that way (sideways distance counts
 * double); with none that way, left/up and right/down step through the sections in order.
 */
function nearest(nodes: readonly Node[], at: number, key: string): number | undefined {
  const d = DIRS[key];
  if (!d) return undefined;
  const from = nodes[at]!.centre;
  let best: number | undefined;
  let score = Infinity;
  nodes.forEach((n, i) => {
    const ahead = (n.centre.x - from.x) * d.x + (n.centre.y - from.y) * d.y;
    const aside = Math.abs((n.centre.x - from.x) * d.y + (n.centre.y - from.y) * d.x);
    if (i === at || ahead <= 0) return;
    if (ahead + 2 * aside < score) [best, score] = [i, ahead + 2 * aside];
  });
  if (best !== undefined) return best;
  const step = d.x + d.y;
  const i = at + step;
  return i >= 0 && i < nodes.length ? i : undefined;
}
