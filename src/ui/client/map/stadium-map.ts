import { h } from "../dom";
import { SeatMap } from "../seat-map";
import { Overview } from "./overview";
import { isAvailable, priceText, type SectionSummary, summarize } from "./sections";
import type { MapLayout, MapSeat, SeatView } from "./types";

/** Above this many seats the event page opens on the section overview instead of every seat. */
export const OVERVIEW_ABOVE = 2000;
/** A seat in the section view is at least this wide (CSS px): a fingertip, with a little to spare. */
const SEAT_PX = 25;

type Options = {
  fill: (seat: MapSeat, sectionIndex: number) => string;
  onToggle: (seatId: string) => void;
  describe: (seatId: string) => string;
  /** A tier's price in minor units; undefined for a tier the event does not price. */
  priceOf: (tier: string | null) => number | undefined;
  money: (minor: number) => string;
  /** The page's seat legend: it speaks of seat states, so it shows with a section's seats only. */
  legend?: HTMLElement | null;
};

/**
 * The seat map of a big venue: an overview of sections first, then one section's seats at a
 * finger's size. Every seat's latest view is kept here, so live changes to seats off screen
 * update their section's count and colour, and a section opens showing them. The DOM is built
 * once per view; live changes only set attributes and text on the nodes already there.
 */
export class StadiumMap {
  readonly el: HTMLElement;
  private readonly sections: SectionSummary[];
  private readonly sectionOf = new Map<string, number>();
  private readonly views = new Map<string, SeatView>();
  private readonly available: number[];
  private readonly known: number[];
  private readonly dirty = new Set<number>();
  private readonly overview: Overview;
  private readonly body = h("div", { class: "stadium-body" });
  private readonly title = h("h2", { class: "map-title", id: "map-title" });
  private readonly back = h(
    "button",
    { type: "button", class: "btn small", "data-testid": "all-sections" },
    "‹ All sections",
  );
  private readonly overviewBox: HTMLElement;
  private current: { index: number; map: SeatMap } | null = null;
  private width = 360;

  constructor(
    private readonly layout: MapLayout,
    private readonly opt: Options,
  ) {
    this.sections = summarize(layout, opt.priceOf);
    for (const s of this.sections) for (const id of s.seatIds) this.sectionOf.set(id, s.index);
    this.available = this.sections.map(() => 0);
    this.known = this.sections.map(() => 0);
    this.overview = new Overview(this.sections, layout.stage, {
      onOpen: (i) => this.open(i),
      priceText: (s) => priceText(s, opt.money),
    });
    this.overviewBox = h("div", { class: "map-scroll overview-scroll" }, this.overview.el);
    this.back.addEventListener("click", () => this.showOverview());
    const heat = h(
      "p",
      { class: "heat-legend muted", "data-testid": "heat-legend" },
      "Seats left: ",
      h("span", { class: "heat-bar", "aria-hidden": "true" }),
      " few → many",
    );
    this.el = h(
      "div",
      { class: "stadium-map", "data-testid": "stadium-map", "data-view": "overview" },
      h("div", { class: "map-bar" }, this.back, this.title, heat),
      this.body,
    );
    this.showOverview();
  }

  /** Sizes the overview (and a section opened later) for a container this many CSS px wide. */
  fitSeats(containerWidth: number) {
    this.width = containerWidth;
    this.overview.fit(containerWidth);
  }

  /** Keeps a seat's view; draws it if its section is open, and recounts its section soon after. */
  setView(id: string, view: SeatView, label?: string) {
    const s = this.sectionOf.get(id);
    if (s === undefined) return;
    const before = this.views.get(id);
    if (before !== view) {
      this.views.set(id, view);
      if (before === undefined) this.known[s]!++;
      this.available[s]! += (isAvailable(view) ? 1 : 0) - (isAvailable(before) ? 1 : 0);
      this.markDirty(s);
    }
    if (this.current?.index === s) this.current.map.setView(id, view, label);
  }

  /** Standing areas of a stadium are held from the side panel; the overview draws seats only. */
  setAreaText(_id: string, _text: string) {}

  /** Only the open section's seats have nodes. */
  draws(id: string): boolean {
    return this.current !== null && this.sectionOf.get(id) === this.current.index;
  }

  seatIds(): string[] {
    return [...this.sectionOf.keys()];
  }

  /** Opens a section's seats, sized so each one is at least SEAT_PX across. */
  open(index: number) {
    const s = this.layout.sections[index];
    if (!s) return;
    const map = new SeatMap(
      { stage: null, sections: [s], areas: [] },
      {
        fill: (seat) => this.opt.fill(seat, index),
        onToggle: (sid) => this.opt.onToggle(sid),
        describe: this.opt.describe,
        stage: false,
      },
    );
    for (const r of s.rows)
      for (const seat of r.seats) {
        const view = this.views.get(seat.id);
        if (view) map.setView(seat.id, view, this.opt.describe(seat.id));
      }
    this.current = { index, map };
    this.el.setAttribute("data-view", "section");
    this.back.hidden = false;
    this.opt.legend?.removeAttribute("hidden");
    this.renderTitle();
    this.body.replaceChildren(map.el);
    map.fitSeats(map.el.clientWidth || this.width, SEAT_PX, 8);
    map.svg.querySelector<SVGElement>("[tabindex='0']")?.focus({ preventScroll: true });
  }

  private showOverview() {
    const was = this.current?.index;
    this.current = null;
    this.el.setAttribute("data-view", "overview");
    this.back.hidden = true;
    this.opt.legend?.setAttribute("hidden", "");
    this.renderTitle();
    this.body.replaceChildren(this.overviewBox);
    if (was !== undefined) this.overview.focus(was);
  }

  private renderTitle() {
    const s = this.current ? this.sections[this.current.index] : undefined;
    if (!s) {
      this.title.textContent = "Pick a section";
      return;
    }
    const left = this.known[s.index] === s.seats ? `${this.available[s.index]!.toLocaleString()} left · ` : "";
    this.title.textContent = `${s.name} · ${left}${priceText(s, this.opt.money)}`;
  }

  /** Many seats change in one batch (a snapshot is all of them): recount once, after the batch. */
  private markDirty(s: number) {
    if (this.dirty.size === 0) queueMicrotask(() => this.flush());
    this.dirty.add(s);
  }

  private flush() {
    for (const s of this.dirty) {
      const sec = this.sections[s]!;
      this.overview.update(s, this.known[s] === sec.seats ? this.available[s]! : null);
    }
    this.dirty.clear();
    this.renderTitle();
  }
}
