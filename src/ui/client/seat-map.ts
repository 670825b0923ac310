import { h, svg } from "./dom";
import { untangleLabels } from "./map/labels";
import type { MapArea, MapLayout, MapSeat, SeatView } from "./map/types";

export type { MapArea, MapLayout, MapSeat, SeatView };

type Options = {
  fill: (seat: MapSeat, sectionIndex: number) => string;
  /** Present when seats can be picked; the event tells a shift-click (or Shift+Space) from a plain one. */
  onToggle?: (seatId: string, ev: MouseEvent | KeyboardEvent) => void;
  /** Present when seats can be chosen by dragging a box with the mouse: the seats inside it. */
  onBox?: (seatIds: string[]) => void;
  onArea?: (areaId: string) => void;
  describe?: (seatId: string) => string;
  areaText?: (area: MapArea) => string;
  /** False for one section drawn on its own (the stadium's section view): no stage drawn beside it. */
  stage?: boolean;
};

const SEAT_R = 4;
const PAD = 24;

/**
 * An SVG seat map. Seats are focusable checkboxes with spoken labels; one roving tab stop keeps a
 * 20,000-seat map a single Tab away, and the arrow keys walk rows (left/right) and rows of a
 * section (up/down, to the nearest seat).
 */
export class SeatMap {
  readonly el: HTMLElement;
  readonly svg: SVGSVGElement;
  private seats = new Map<string, { node: SVGCircleElement; seat: MapSeat; s: number; r: number; k: number }>();
  private grid: string[][][] = [];
  private focusId: string | null = null;
  private zoom = 1;
  private info: HTMLElement;

  constructor(
    private readonly layout: MapLayout,
    private readonly opt: Options,
  ) {
    // Standing only: areas and quantities, no word of seats.
    const seated = layout.sections.length > 0;
    this.svg = svg("svg", {
      class: "seatmap",
      role: opt.onToggle || opt.onArea ? "group" : "img",
      "aria-label": !seated
        ? "Standing areas"
        : opt.onToggle
          ? "Seat map: use the arrow keys to move between seats, Enter or Space to pick one"
          : "Layout preview",
    });
    this.info = h(
      "p",
      { class: "seat-info muted", "aria-hidden": "true" },
      opt.onToggle && seated ? "Pick seats on the map, or ask for the best available below." : "",
    );
    this.draw();
    const scroller = h("div", { class: "map-scroll" }, this.svg);
    const zoomBtn = (label: string, text: string, f: () => void) =>
      h("button", { type: "button", class: "icon-btn", "aria-label": label, onclick: f }, text);
    const tools = h(
      "div",
      { class: "map-tools" },
      zoomBtn("Zoom out", "−", () => this.setZoom(this.zoom / 1.5)),
      zoomBtn("Zoom in", "+", () => this.setZoom(this.zoom * 1.5)),
      zoomBtn("Fit to width", "⤢", () => this.setZoom(1)),
    );
    this.el = h("div", { class: "map-wrap" }, tools, scroller, this.info);
    // Labels are measured once the map is on the page (the caller mounts it in the same task).
    if (layout.sections.length > 1)
      requestAnimationFrame(() => {
        if (this.svg.isConnected) untangleLabels(this.svg);
      });
  }

  /** Starts zoomed in far enough that seats are at least `minPx` CSS px across (tappable, for big venues). */
  fitSeats(containerWidth: number, minPx = 7, maxZoom = 5) {
    const [, , w] = (this.svg.getAttribute("viewBox") ?? "0 0 1 1").split(" ").map(Number);
    const px = (SEAT_R * 2 * containerWidth) / (w || 1);
    if (px < minPx) this.setZoom(Math.min(maxZoom, minPx / px));
  }

  setZoom(z: number) {
    this.zoom = Math.max(1, Math.min(8, z));
    this.svg.style.width = `${this.zoom * 100}%`;
  }

  private draw() {
    const xs: number[] = [];
    const ys: number[] = [];
    const stage = this.layout.stage;
    const gSeats = svg("g", { class: "seats" });
    this.layout.sections.forEach((section, s) => {
      const rows: string[][] = [];
      let minX = Infinity,
        maxX = -Infinity,
        minY = Infinity;
      section.rows.forEach((row, r) => {
        const ids: string[] = [];
        row.seats.forEach((seat, k) => {
          const c = svg("circle", {
            cx: seat.x,
            cy: seat.y,
            r: SEAT_R,
            fill: this.opt.fill(seat, s),
            "data-seat": seat.id,
            "data-state": "a",
            "data-tier": seat.tier ?? "",
          });
          if (this.opt.onToggle) {
            c.setAttribute("role", "checkbox");
            c.setAttribute("aria-checked", "false");
            c.setAttribute("tabindex", "-1");
          }
          if (seat.accessible) c.classList.add("accessible");
          gSeats.appendChild(c);
          this.seats.set(seat.id, { node: c, seat, s, r, k });
          ids.push(seat.id);
          xs.push(seat.x);
          ys.push(seat.y);
          minX = Math.min(minX, seat.x);
          maxX = Math.max(maxX, seat.x);
          minY = Math.min(minY, seat.y);
        });
        rows.push(ids);
      });
      this.grid.push(rows);
      if (Number.isFinite(minX)) {
        const t = svg("text", { x: (minX + maxX) / 2, y: minY - 10, class: "section-label", "text-anchor": "middle" });
        t.textContent = section.name;
        gSeats.appendChild(t);
      }
    });
    const gAreas = svg("g", { class: "areas" });
    const top = ys.length ? Math.max(...ys) + 30 : 40;
    this.layout.areas.forEach((a, i) => {
      const x = a.x ?? i * 130,
        y = a.y ?? top,
        w = a.width ?? 110,
        hgt = a.height ?? 64;
      const g = svg("g", { class: "area", "data-area": a.id });
      const rect = svg("rect", {
        x,
        y,
        width: w,
        height: hgt,
        rx: 8,
        fill: this.opt.fill({ id: a.id, label: a.name, x, y, tier: a.tier ?? null }, i),
      });
      const label = svg("text", { x: x + w / 2, y: y + hgt / 2 - 2, "text-anchor": "middle", class: "area-label" });
      // The trailing space keeps the words apart where the two lines' text is read as one (axe, copy).
      label.textContent = `${a.name} `;
      const sub = svg("text", {
        x: x + w / 2,
        y: y + hgt / 2 + 12,
        "text-anchor": "middle",
        class: "area-sub",
        "data-area-text": a.id,
      });
      sub.textContent = this.opt.areaText?.(a) ?? `${a.capacity} standing`;
      g.append(rect, label, sub);
      if (this.opt.onArea) {
        g.setAttribute("role", "button");
        g.setAttribute("tabindex", "0");
        // The spoken name starts with the words drawn (name, then what is left), as WCAG 2.5.3 asks.
        g.setAttribute("aria-label", `${a.name} ${sub.textContent}, general admission`);
        g.addEventListener("click", () => this.opt.onArea!(a.id));
        g.addEventListener("keydown", (e) => {
          if (e.key === "Enter" || e.key === " ") {
            e.preventDefault();
            this.opt.onArea!(a.id);
          }
        });
      }
      gAreas.appendChild(g);
      xs.push(x, x + w);
      ys.push(y, y + hgt);
    });
    const gStage = svg("g", { class: "stage" });
    if (this.opt.stage !== false && (stage || xs.length)) {
      const sx = stage?.x ?? (Math.min(...xs) + Math.max(...xs)) / 2;
      const sy = stage?.y ?? Math.min(...ys) - 40;
      const width = Math.max(80, Math.min(240, (Math.max(...xs) - Math.min(...xs)) * 0.4));
      gStage.append(svg("rect", { x: sx - width / 2, y: sy - 10, width, height: 20, rx: 6 }));
      const t = svg("text", { x: sx, y: sy + 4, "text-anchor": "middle" });
      t.textContent = stage?.label ?? "Stage";
      gStage.appendChild(t);
      xs.push(sx - width / 2, sx + width / 2);
      ys.push(sy - 10);
    }
    // A whole venue is drawn from its origin; one section on its own is framed by its seats alone.
    const [x0, y0, x1, y1] = this.opt.stage === false ? [[], [], [], []] : [[0], [0], [100], [60]];
    const minX = Math.min(...xs, ...x0) - PAD,
      minY = Math.min(...ys, ...y0) - PAD;
    const w = Math.max(...xs, ...x1) - minX + PAD,
      hgt = Math.max(...ys, ...y1) - minY + PAD;
    this.svg.setAttribute("viewBox", `${minX} ${minY} ${w} ${hgt}`);
    this.svg.append(gStage, gSeats, gAreas);
    if (this.opt.onToggle) this.wire();
  }

  private wire() {
    const first = this.grid.flat(2)[0];
    if (first) this.setFocus(first, false);
    let boxed = false;
    if (this.opt.onBox)
      this.wireBox(() => {
        boxed = true;
        // A drag that ends off the seat it began on fires no click: the next pick must still count.
        setTimeout(() => (boxed = false), 0);
      });
    this.svg.addEventListener("click", (e) => {
      // The click that ends a box drag is not a pick.
      if (boxed) {
        boxed = false;
        return;
      }
      const id = (e.target as Element).getAttribute?.("data-seat");
      if (id) {
        this.setFocus(id, false);
        this.opt.onToggle!(id, e);
      }
    });
    this.svg.addEventListener("mouseover", (e) => {
      const id = (e.target as Element).getAttribute?.("data-seat");
      if (id) this.info.textContent = this.opt.describe?.(id) ?? id;
    });
    this.svg.addEventListener("focusin", (e) => {
      const id = (e.target as Element).getAttribute?.("data-seat");
      if (id) this.info.textContent = this.opt.describe?.(id) ?? id;
    });
    this.svg.addEventListener("keydown", (e) => {
      const cur = this.focusId ? this.seats.get(this.focusId) : undefined;
      if (!cur) return;
      if (e.key === "Enter" || e.key === " ") {
        e.preventDefault();
        this.opt.onToggle!(cur.seat.id, e);
        return;
      }
      const next = this.neighbour(cur, e.key);
      if (next) {
        e.preventDefault();
        this.setFocus(next, true);
      }
    });
  }

  /** A mouse drag of more than a few pixels draws a box; on release the seats inside it go to `onBox`. */
  private wireBox(ended: () => void) {
    let start: { x: number; y: number; id: number } | null = null;
    let box: SVGRectElement | null = null;
    this.svg.setAttribute("data-boxes", "");
    const toMap = (x: number, y: number) => new DOMPoint(x, y).matrixTransform(this.svg.getScreenCTM()!.inverse());
    const rectOf = (e: PointerEvent) => {
      const a = toMap(start!.x, start!.y);
      const b = toMap(e.clientX, e.clientY);
      return { x: Math.min(a.x, b.x), y: Math.min(a.y, b.y), w: Math.abs(a.x - b.x), h: Math.abs(a.y - b.y) };
    };
    this.svg.addEventListener("pointerdown", (e) => {
      if (e.pointerType === "mouse" && e.button === 0) start = { x: e.clientX, y: e.clientY, id: e.pointerId };
    });
    this.svg.addEventListener("pointermove", (e) => {
      if (!start || e.pointerId !== start.id) return;
      if (!box && Math.hypot(e.clientX - start.x, e.clientY - start.y) < 6) return;
      if (!box) {
        box = svg("rect", { class: "select-box", "data-testid": "select-box" });
        this.svg.appendChild(box);
        this.svg.setPointerCapture(e.pointerId);
      }
      const r = rectOf(e);
      for (const [k, v] of Object.entries({ x: r.x, y: r.y, width: r.w, height: r.h })) box.setAttribute(k, String(v));
    });
    const finish = (e: PointerEvent) => {
      if (!start || e.pointerId !== start.id) return;
      if (box) {
        const r = rectOf(e);
        box.remove();
        box = null;
        const inside = [...this.seats.values()]
          .filter(({ seat }) => seat.x >= r.x && seat.x <= r.x + r.w && seat.y >= r.y && seat.y <= r.y + r.h)
          .map(({ seat }) => seat.id);
        ended();
        this.opt.onBox!(inside);
      }
      start = null;
    };
    this.svg.addEventListener("pointerup", finish);
    this.svg.addEventListener("pointercancel", (e) => {
      box?.remove();
      box = null;
      if (start?.id === e.pointerId) start = null;
    });
  }

  private neighbour(cur: { s: number; r: number; k: number; seat: MapSeat }, key: string): string | undefined {
    const rows = this.grid[cur.s]!;
    const row = rows[cur.r]!;
    if (key === "ArrowLeft")
      return row[cur.k - 1] ?? this.grid[cur.s - 1]?.[Math.min(cur.r, (this.grid[cur.s - 1]?.length ?? 1) - 1)]?.at(-1);
    if (key === "ArrowRight")
      return row[cur.k + 1] ?? this.grid[cur.s + 1]?.[Math.min(cur.r, (this.grid[cur.s + 1]?.length ?? 1) - 1)]?.[0];
    if (key === "ArrowUp" || key === "ArrowDown") {
      const target = rows[cur.r + (key === "ArrowUp" ? -1 : 1)];
      if (!target) return undefined;
      let best = target[0];
      let dist = Infinity;
      for (const id of target) {
        const d = Math.abs(this.seats.get(id)!.seat.x - cur.seat.x);
        if (d < dist) [best, dist] = [id, d];
      }
      return best;
    }
    if (key === "Home") return row[0];
    if (key === "End") return row.at(-1);
    return undefined;
  }

  private setFocus(id: string, move: boolean) {
    if (this.focusId) this.seats.get(this.focusId)?.node.setAttribute("tabindex", "-1");
    this.focusId = id;
    const node = this.seats.get(id)?.node;
    node?.setAttribute("tabindex", "0");
    if (move) node?.focus();
  }

  /** Shows a seat's state; its spoken label follows. */
  setView(id: string, view: SeatView, label?: string) {
    const e = this.seats.get(id);
    if (!e) return;
    if (e.node.getAttribute("data-state") !== view) {
      e.node.setAttribute("data-state", view);
      if (!e.node.classList.contains("picked")) e.node.setAttribute("aria-checked", String(view === "selected"));
      e.node.setAttribute("aria-disabled", String(view === "h" || view === "s" || view === "b"));
    }
    if (label) e.node.setAttribute("aria-label", label);
  }

  /**
   * Marks a seat as chosen while it keeps showing its own state (the portal picks blocked seats to
   * unblock them, so "selected" must not hide "blocked").
   */
  setPicked(id: string, picked: boolean) {
    const node = this.seats.get(id)?.node;
    if (!node || node.classList.contains("picked") === picked) return;
    node.classList.toggle("picked", picked);
    node.setAttribute("aria-checked", String(picked));
  }

  setAreaText(id: string, text: string) {
    const t = this.svg.querySelector(`[data-area-text="${CSS.escape(id)}"]`);
    if (!t) return;
    t.textContent = text;
    const g = t.closest("[data-area][aria-label]");
    const name = this.layout.areas.find((a) => a.id === id)?.name ?? id;
    g?.setAttribute("aria-label", `${name} ${text}, general admission`);
  }

  /** Whether the seat has a node on this map now. */
  draws(id: string): boolean {
    return this.seats.has(id);
  }

  seatIds(): string[] {
    return [...this.seats.keys()];
  }
}
