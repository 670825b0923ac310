import { h } from "../dom";
import { money } from "../format";
import type { OrderTicket } from "./order-page";

/**
 * Asks the organizer to confirm a refund, showing the seats and the amount it sends back (the sum
 * of the tickets' prices, as the server computes it). A modal `<dialog>`: focus moves into it,
 * Escape cancels, and focus returns to `trigger` when it closes. Resolves with a fresh
 * Idempotency-Key for this one confirmation, or null when cancelled, so a retry of the same
 * confirmation can never refund twice.
 */
export function confirmRefund(tickets: OrderTicket[], currency: string, trigger: HTMLElement): Promise<string | null> {
  const amount = tickets.reduce((n, t) => n + t.price, 0);
  const key = crypto.randomUUID();
  const ok = h(
    "button",
    { type: "button", class: "btn primary", "data-testid": "confirm-refund" },
    `Refund ${money(amount, currency)}`,
  );
  const cancel = h("button", { type: "button", class: "btn" }, "Cancel");
  const dialog = h(
    "dialog",
    { "aria-labelledby": "refund-title", "aria-describedby": "refund-desc", "data-testid": "refund-dialog" },
    h("h2", { id: "refund-title" }, "Confirm the refund"),
    h(
      "p",
      { id: "refund-desc" },
      `${tickets.length} ticket(s) go back on sale and `,
      h("strong", { "data-testid": "refund-amount" }, money(amount, currency)),
      " is returned to the buyer's card.",
    ),
    h(
      "ul",
      {},
      tickets.map((t) => h("li", {}, `${t.label} · ${money(t.price, currency)}`)),
    ),
    h("div", { class: "actions" }, ok, " ", cancel),
  );
  document.body.appendChild(dialog);
  return new Promise((resolve) => {
    let answer: string | null = null;
    ok.addEventListener("click", () => {
      answer = key;
      dialog.close();
    });
    cancel.addEventListener("click", () => dialog.close());
    dialog.addEventListener("close", () => {
      dialog.remove();
      trigger.focus();
      resolve(answer);
    });
    dialog.showModal();
    // The safe choice has focus first; the amount is read out with the dialog's description.
    cancel.focus();
  });
}
