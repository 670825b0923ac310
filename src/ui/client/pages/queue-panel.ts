import type { QueueServerMessage, QueueState } from "../../../live/queue-protocol";
import { ApiError, api, currentUser } from "../api";
import { append, h, mount, toast } from "../dom";
import { countdown, dateTime, titleCase } from "../format";
import { Announcer } from "../queue-announce";
import { LiveQueue, keepTicket, readTicket, storedTicket, viewToMessage } from "../queue-live";
import type { EventDetail, QueueTicket } from "../types";
import { FairnessBox } from "./queue-fairness";
import { STATE_LOOK, STATE_TEXT, longCountdown, waitingText } from "./queue-words";

/** What the event page is handed while the fan is admitted. */
export type AdmittedRoom = {
  /** The queue panel, shown above the seat map (time left, Leave). */
  panel: HTMLElement;
  /** The admission token for `X-Admission-Token`, while the turn lasts. */
  token: () => string | null;
  /** The API refused the token (403 `admission_…`): the turn is over. */
  refused: () => void;
  /** Called when the turn ends and the queue takes the page back. */
  onExit: (fn: () => void) => void;
};

/**
 * The event page while its waiting room is on: join, a live place in the queue, the countdown to
 * the start and the draw's commitment; once admitted, `shop` (the normal event page) takes over
 * with this panel on top, until the turn ends (left, lapsed, refused) and the queue comes back.
 */
export function queuePage(event: EventDetail, shop: (room: AdmittedRoom) => Promise<unknown>) {
  return new QueuePage(event, shop).start();
}

class QueuePage {
  private readonly user = currentUser();
  private readonly announcer = new Announcer();
  private readonly fairness: FairnessBox;
  private readonly stateEl = h("span", { class: "badge", "data-testid": "queue-state" });
  private readonly positionEl = h("p", { "data-testid": "queue-position" });
  private readonly detailEl = h("p", { class: "muted" });
  private readonly startEl = h("strong", { class: "countdown", "data-testid": "queue-countdown" });
  private readonly startRow = h("p", { class: "timer" }, "Sales open in ", this.startEl);
  private readonly leftEl = h("strong", { class: "countdown", "data-testid": "admission-time-left" });
  private readonly leftRow = h("p", { class: "timer" }, "Time left to shop ", this.leftEl);
  private readonly noteEl = h("p", { class: "notice" });
  private readonly actions = h("div", { class: "actions" });
  private readonly panel: HTMLElement;
  private readonly startsAt: number | null;
  private ticket: string | null = null;
  private state: QueueState | null = null;
  private position: number | null = null;
  private ahead: number | null = null;
  private wait: number | null = null;
  private admission: { token: string; expiresAt: number } | null = null;
  private note = "";
  private clockOffset = 0;
  private live: LiveQueue | null = null;
  private shopping = false;
  private exits: (() => void)[] = [];

  constructor(
    private readonly event: EventDetail,
    private readonly shop: (room: AdmittedRoom) => Promise<unknown>,
  ) {
    this.fairness = new FairnessBox(event.id);
    this.startsAt = event.salesStartAt ? Date.parse(event.salesStartAt) : null;
    this.panel = h(
      "section",
      { class: "panel queue-panel", "data-testid": "queue-panel", "aria-labelledby": "queue-h" },
      h("h2", { id: "queue-h" }, "Waiting room"),
      h("p", {}, this.stateEl),
      this.positionEl,
      this.detailEl,
      this.startRow,
      this.leftRow,
      this.noteEl,
      this.actions,
      this.fairness.el,
      this.announcer.el,
    );
  }

  async start() {
    this.showQueue();
    this.render();
    setInterval(() => this.tick(), 1000);
    void this.fairness.load();
    const kept = this.user ? storedTicket(this.event.id, this.user.id) : null;
    if (!kept) return;
    try {
      this.follow(await readTicket(this.event.id, kept));
    } catch (err) {
      if (err instanceof ApiError && err.status === 404) this.forget();
      else toast(err instanceof ApiError ? err.describe() : String(err), "error");
    }
  }

  /** The queue's own screen: the event's heading, the panel and the description. */
  private showQueue() {
    const e = this.event;
    mount(
      h(
        "section",
        { class: "event-hero" },
        h("p", { class: "eyebrow" }, `${titleCase(e.category)} · ${e.venue.name}, ${e.venue.city}`),
        h("h1", { "data-testid": "event-name" }, e.name),
        h("p", { class: "muted" }, dateTime(e.startsAt, e.venue.timezone), " · ", e.performers.join(", ")),
      ),
      this.panel,
      e.description ? h("section", { class: "panel" }, h("h2", {}, "About"), h("p", {}, e.description)) : null,
    );
  }

  private async join() {
    try {
      const v = await api<QueueTicket>("POST", `/v1/events/${encodeURIComponent(this.event.id)}/queue`);
      this.note = "";
      this.follow(v);
    } catch (err) {
      if (err instanceof ApiError && err.problem.code === "queue_not_active") {
        toast("The waiting room has closed: seats can be picked directly", "info");
        location.reload();
        return;
      }
      toast(err instanceof ApiError ? err.describe() : String(err), "error");
    }
  }

  private async leave() {
    if (!this.ticket) return;
    const path = `/v1/events/${encodeURIComponent(this.event.id)}/queue/${encodeURIComponent(this.ticket)}`;
    try {
      const v = await api<QueueTicket>("DELETE", path);
      this.apply(viewToMessage(v));
    } catch (err) {
      toast(err instanceof ApiError ? err.describe() : String(err), "error");
    }
  }

  /** Takes a ticket (joined or found again) and follows it live. */
  private follow(v: QueueTicket) {
    this.live?.stop();
    this.ticket = v.ticket;
    keepTicket(this.event.id, this.user!.id, v.ticket);
    this.fairness.setTicket(v.ticket);
    this.apply(viewToMessage(v));
    if (this.state !== "left" && this.state !== "expired") {
      this.live = new LiveQueue(this.event.id, v.ticket, {
        onMessage: (m) => this.apply(m),
        onGone: () => this.forget(),
      });
      this.live.start();
    }
  }

  private forget() {
    this.live?.stop();
    this.live = null;
    if (this.user) keepTicket(this.event.id, this.user.id, null);
    this.ticket = this.state = this.admission = null;
    this.fairness.setTicket(null);
    this.leaveShop();
    this.render();
  }

  private apply(m: QueueServerMessage) {
    if (m.type === "error" || m.ticket !== this.ticket) return;
    if (m.type === "position") {
      // A pushed place can trail an admission the socket already told us about; keep the turn.
      if (this.state === "admitted") return;
      this.state = "waiting";
      this.position = m.position;
      this.ahead = m.ahead;
      this.wait = m.estimatedWaitSeconds;
      this.clockOffset = m.serverTime - Date.now();
      if (m.position !== null) this.announcer.place(m.position);
      if (m.position !== null && !this.fairness.revealed) void this.fairness.load();
    } else if (m.type === "admitted") {
      this.state = "admitted";
      this.admission = { token: m.token, expiresAt: m.expiresAt };
      this.announcer.now("It is your turn: pick your seats before your shopping time runs out.");
      if (!this.fairness.revealed) void this.fairness.load();
      this.enterShop();
    } else if (m.type === "sold_out") {
      // An admitted fan keeps their turn: places held by others may still come back.
      if (this.state === "admitted") this.note = "Everything is sold or held right now.";
      else if (this.state !== "left" && this.state !== "expired") {
        this.state = "sold_out";
        this.announcer.now("Sold out. Every ticket has been sold.");
      }
    } else if (m.type === "reopened") {
      this.state = "waiting";
      this.position = this.ahead = this.wait = null;
      this.announcer.now("Tickets came back: you are waiting in the queue again.");
    } else {
      this.end(m.state, m.state === "expired" ? "Your shopping window ended." : "");
    }
    this.render();
  }

  /** The ticket is over (left or lapsed): stop following it and give the page back to the queue. */
  private end(state: "left" | "expired", note: string) {
    this.state = state;
    this.admission = null;
    this.note = note;
    this.live?.stop();
    this.live = null;
    this.announcer.now(`${STATE_TEXT[state]}. ${note}`.trim());
    this.leaveShop();
    this.render();
  }

  private enterShop() {
    if (this.shopping) return;
    this.shopping = true;
    this.exits = [];
    const room: AdmittedRoom = {
      panel: this.panel,
      token: () => this.admission?.token ?? null,
      refused: () => void this.refused(),
      onExit: (fn) => this.exits.push(fn),
    };
    this.shop(room).catch((err: unknown) => toast(err instanceof Error ? err.message : String(err), "error"));
  }

  private leaveShop() {
    if (!this.shopping) return;
    this.shopping = false;
    for (const fn of this.exits.splice(0)) fn();
    this.showQueue();
  }

  /** A 403 on a hold or checkout: ask the room how the ticket ended, and say so either way. */
  private async refused() {
    const v = this.ticket ? await readTicket(this.event.id, this.ticket).catch(() => null) : null;
    const state = v?.state === "left" ? "left" : "expired";
    this.end(state, "Your shopping slot has ended, so seats can no longer be held with it.");
  }

  private tick() {
    const now = Date.now() + this.clockOffset;
    if (this.startsAt !== null) this.startEl.textContent = longCountdown(this.startsAt - now);
    this.startRow.hidden = this.startsAt === null || this.startsAt <= now || this.state === "admitted";
    if (this.admission) {
      const left = this.admission.expiresAt - now;
      this.leftEl.textContent = countdown(left);
      // The server says so too (`closed`) on its next tick; the fan should not wait for it.
      if (left <= 0) this.end("expired", "Your shopping window ended.");
    }
  }

  private render() {
    const s = this.state;
    const ended = s === "left" || s === "expired";
    this.stateEl.dataset.state = s ?? "none";
    this.stateEl.textContent = s ? STATE_TEXT[s] : "This sale has a waiting room";
    this.stateEl.className = `badge ${s ? STATE_LOOK[s] : ""}`;
    const drawn = s === "waiting" && this.position !== null;
    this.positionEl.hidden = s !== "waiting";
    this.positionEl.className = drawn ? "stat-value" : "";
    this.positionEl.textContent = drawn
      ? `You are number ${this.position} in the queue`
      : "You are in the queue. Places are drawn at random when sales open.";
    this.detailEl.hidden = s !== null && s !== "waiting" && s !== "sold_out";
    this.detailEl.textContent = waitingText(this.state, this.position, this.ahead, this.wait);
    this.detailEl.className = s === "sold_out" ? "notice" : "muted";
    this.leftRow.hidden = s !== "admitted";
    this.noteEl.hidden = !this.note;
    this.noteEl.textContent = this.note;
    this.fairness.el.hidden = s === "admitted";
    const next = `/events/${encodeURIComponent(this.event.id)}`;
    this.actions.replaceChildren();
    append(this.actions, [
      !this.user
        ? h(
            "a",
            { class: "btn primary", href: `/login?next=${encodeURIComponent(next)}`, "data-testid": "queue-sign-in" },
            "Sign in to join the queue",
          )
        : s === null || ended
          ? h(
              "button",
              { type: "button", class: "btn primary", "data-testid": "queue-join", onclick: () => this.join() },
              ended ? "Join the queue again" : "Join the queue",
            )
          : null,
      s === "waiting" || s === "admitted"
        ? h(
            "button",
            { type: "button", class: "btn", "data-testid": "queue-leave", onclick: () => this.leave() },
            s === "admitted" ? "I'm done: leave" : "Leave the queue",
          )
        : null,
    ]);
    this.tick();
  }
}
