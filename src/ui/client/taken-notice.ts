import { h } from "./dom";
import { takenText } from "./format";

/** At most this many notices are on screen; older ones make way. */
export const MAX_NOTICES = 3;
const SHOW_MS = 8000;
/** Seats taken this close together (one fan's hold arrives as one delta, several fans' as a burst) share a notice. */
const GROUP_MS = 300;

/**
 * The event page's notices of seats that someone else took while this fan was looking at them:
 * a polite live region in the page flow beside the map (never laid over the map, the timer or
 * Checkout), capped at `MAX_NOTICES`, each notice grouping the seats taken together.
 */
export class TakenNotices {
  readonly el = h("div", {
    class: "map-notices",
    role: "status",
    "aria-live": "polite",
    "data-testid": "taken-notices",
  });
  private pending: string[] = [];
  private timer: ReturnType<typeof setTimeout> | undefined;

  /** Queues seats (by their spoken names) that were just taken; they are shown together shortly after. */
  report(names: string[]) {
    if (names.length === 0) return;
    this.pending.push(...names);
    this.timer ??= setTimeout(() => this.show(), GROUP_MS);
  }

  private show() {
    this.timer = undefined;
    const names = [...new Set(this.pending)];
    this.pending = [];
    if (names.length === 0) return;
    const note = h(
      "p",
      { class: "map-notice", "data-testid": "taken-notice" },
      h("span", {}, takenText(names)),
      h(
        "button",
        { type: "button", class: "link", "aria-label": "Dismiss this notice", onclick: () => note.remove() },
        "Dismiss",
      ),
    );
    this.el.appendChild(note);
    while (this.el.children.length > MAX_NOTICES) this.el.firstElementChild?.remove();
    setTimeout(() => note.remove(), SHOW_MS);
  }
}
