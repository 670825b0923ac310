import { h } from "./dom";
import { worthSaying } from "./queue-rules";

const VISUALLY_HIDDEN =
  "position:absolute;width:1px;height:1px;margin:-1px;padding:0;overflow:hidden;clip:rect(0 0 0 0);border:0";

/**
 * The queue page's one polite live region. Places are throttled (see `worthSaying`); admission,
 * sell-out and the end of a turn are said at once.
 */
export class Announcer {
  readonly el = h("p", { "aria-live": "polite", "aria-atomic": "true", style: VISUALLY_HIDDEN });
  private last: number | null = null;
  private lastAt = 0;

  place(position: number, now = Date.now()) {
    if (!worthSaying(this.last, position, this.lastAt, now)) return;
    this.last = position;
    this.lastAt = now;
    this.say(`You are number ${position} in the queue.`);
  }

  /** Something that must not wait; the next place is said in full again. */
  now(text: string) {
    this.last = null;
    this.say(text);
  }

  private say(text: string) {
    // The same words twice are not re-read by every screen reader; a changed node is.
    this.el.textContent = this.el.textContent === text ? `${text}\u00a0` : text;
  }
}
