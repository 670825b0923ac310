import { api } from "../api";
import { h } from "../dom";
import { verifyShuffle } from "../queue-rules";
import type { QueueFairness } from "../types";

/**
 * The fairness part of the queue panel: before the start, the seed's commitment and what it
 * means; after it, "Check the shuffle" with the seed, where the fan's ticket is in the published
 * order, and a button that re-runs the draw in the browser.
 */
export class FairnessBox {
  readonly el = h("section", { class: "queue-fairness", "aria-labelledby": "fair-h" });
  private f: QueueFairness | null = null;
  private ticket: string | null = null;
  private loading: Promise<void> | null = null;

  constructor(private readonly eventId: string) {}

  get revealed() {
    return this.f?.revealed === true;
  }

  /** Reads the commitment (and, once the start has passed, the seed and order). */
  load(): Promise<void> {
    this.loading ??= api<QueueFairness>("GET", `/v1/events/${encodeURIComponent(this.eventId)}/queue/fairness`)
      .then((f) => {
        this.f = f;
        this.render();
      })
      .catch(() => {})
      .finally(() => (this.loading = null));
    return this.loading;
  }

  setTicket(ticket: string | null) {
    if (ticket === this.ticket) return;
    this.ticket = ticket;
    this.render();
  }

  private render() {
    const f = this.f;
    if (!f) return this.el.replaceChildren();
    const open = this.el.querySelector("details")?.open ?? false;
    this.el.replaceChildren(
      h("h3", { id: "fair-h" }, "A fair start"),
      h(
        "p",
        { class: "muted" },
        "Everyone who joins before sales open gets a random place, so being first to click does not matter. ",
        "The draw uses a secret seed that was fixed before anyone joined; this is its SHA-256 fingerprint:",
      ),
      h("p", {}, h("code", { "data-testid": "queue-commitment", style: "word-break:break-all" }, f.commitment)),
      f.revealed ? this.shuffle(f) : h("p", { class: "muted" }, "The seed is published when sales open."),
    );
    const details = this.el.querySelector("details");
    if (details) details.open = open;
  }

  private shuffle(f: QueueFairness): HTMLElement {
    const order = f.order ?? [];
    const at = this.ticket ? order.indexOf(this.ticket) : -1;
    const result = h("p", { "data-testid": "shuffle-result", role: "status" });
    const check = h("button", { type: "button", class: "btn small" }, "Re-run the draw in this browser");
    check.addEventListener("click", async () => {
      check.disabled = true;
      const r = await verifyShuffle(f);
      check.disabled = false;
      result.textContent =
        r.commitment && r.order
          ? "✓ The seed matches the fingerprint published before the sale, and it gives exactly this order."
          : `✗ ${r.commitment ? "" : "The seed does not match the fingerprint. "}` +
            `${r.order ? "" : "The order is not the seed's shuffle."}`;
    });
    return h(
      "details",
      { "data-testid": "queue-shuffle" },
      h("summary", {}, "Check the shuffle"),
      h("p", {}, "Seed: ", h("code", { "data-testid": "queue-seed", style: "word-break:break-all" }, f.seed ?? "")),
      h(
        "p",
        { "data-testid": "queue-my-draw" },
        order.length === 0
          ? "Nobody joined before the start, so the queue is first come, first served."
          : at >= 0
            ? `${order.length} fans joined before the start. Your ticket (${this.ticket}) is number ${at + 1} ` +
              "in the published order."
            : `${order.length} fans joined before the start and were drawn; later joiners follow in the order ` +
              "they joined.",
      ),
      h("p", { class: "muted" }, "How to check it yourself: ", f.algorithm, "."),
      h(
        "p",
        {},
        check,
        " ",
        h("a", { href: `/v1/events/${encodeURIComponent(this.eventId)}/queue/fairness` }, "The published order (JSON)"),
      ),
      result,
    );
  }
}
