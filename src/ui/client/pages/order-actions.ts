import { api, ApiError } from "../api";
import { h } from "../dom";
import { dateTime, money } from "../format";
import type { CancellationQuote, EventDetail, Order } from "../types";

/**
 * What a fan can do with an order besides showing it: add the event to a calendar, and cancel a
 * paid order for a refund within the event's policy. The refund is quoted by the server (the rule
 * the cancel route enforces) and shown before the fan confirms; one Idempotency-Key per
 * confirmation, so a double click or a retried request refunds once.
 */
export function orderActions(box: HTMLElement, order: Order, event: EventDetail | null) {
  box.replaceChildren();
  if (event)
    box.append(
      h(
        "p",
        {},
        h(
          "a",
          {
            class: "btn",
            href: `/v1/events/${encodeURIComponent(event.id)}/calendar.ics`,
            download: `${event.name}.ics`,
            "data-testid": "add-to-calendar",
          },
          "Add to calendar",
        ),
      ),
    );
  if (order.status === "paid" || order.status === "partially_refunded") void cancelPanel(box, order, event);
}

async function cancelPanel(box: HTMLElement, order: Order, event: EventDetail | null) {
  const path = `/v1/orders/${encodeURIComponent(order.id)}`;
  const quote = await api<CancellationQuote>("GET", `${path}/cancellation`).catch(() => null);
  if (!quote) return;
  const panel = h("div", { class: "panel cancel-panel", "data-testid": "cancel-panel" }, h("h2", {}, "Cancel order"));
  box.append(panel);
  const zone = event?.venue.timezone;
  if (!quote.allowed) {
    panel.append(h("p", { class: "muted", "data-testid": "cancel-refused" }, refusal(quote, zone)));
    return;
  }
  const amount = money(quote.amount, quote.currency);
  const until = quote.refundsUntil ? ` until ${dateTime(quote.refundsUntil, zone)}` : "";
  const start = h("button", { class: "btn", type: "button", "data-testid": "cancel-start" }, "Cancel for a refund");
  const confirm = h(
    "div",
    { class: "cancel-confirm", hidden: true, role: "group", "aria-label": "Confirm the cancellation" },
    h(
      "p",
      {},
      "You will be refunded ",
      h("strong", { "data-testid": "refund-amount" }, amount),
      ". Your tickets stop working at once and the seats go back on sale.",
    ),
    h(
      "button",
      { class: "btn danger", type: "button", "data-testid": "cancel-confirm" },
      `Cancel and refund ${amount}`,
    ),
    " ",
    h("button", { class: "btn", type: "button", "data-testid": "cancel-keep" }, "Keep my tickets"),
  );
  const result = h("p", { "data-testid": "cancel-result", role: "status" });
  panel.append(h("p", { class: "muted" }, `Full refund of valid tickets${until}.`), start, confirm, result);
  start.addEventListener("click", () => {
    start.hidden = true;
    confirm.hidden = false;
    confirm.querySelector<HTMLButtonElement>("[data-testid=cancel-keep]")?.focus();
  });
  confirm.querySelector("[data-testid=cancel-keep]")?.addEventListener("click", () => {
    confirm.hidden = true;
    start.hidden = false;
    start.focus();
  });
  const key = crypto.randomUUID();
  const go = confirm.querySelector<HTMLButtonElement>("[data-testid=cancel-confirm]")!;
  go.addEventListener("click", async () => {
    go.disabled = true;
    try {
      const r = await api<{ refund: { amount: number } }>("POST", `${path}/cancel`, undefined, {
        headers: { "Idempotency-Key": key },
      });
      result.textContent = `Cancelled. ${money(r.refund.amount, order.currency)} is on its way back to your card.`;
      // The order page reads the order afresh: status, tickets and this panel all follow.
      setTimeout(() => location.reload(), 1200);
    } catch (err) {
      go.disabled = false;
      result.textContent = err instanceof ApiError ? err.describe() : String(err);
    }
  });
}

function refusal(q: CancellationQuote, zone: string | undefined): string {
  if (q.refundsUntil && Date.parse(q.refundsUntil) <= Date.now())
    return `Refunds for this event closed on ${dateTime(q.refundsUntil, zone)}.`;
  if (!q.refundsUntil) return "This event does not offer refunds.";
  return `This order cannot be cancelled: ${q.reason ?? "nothing left to refund"}.`;
}

/**
 * Cancelling an unpaid order: its seats are still held for it, so releasing that hold gives them
 * back and closes the order. Two steps, so a stray tap on a phone does not lose the seats.
 */
export function pendingCancel(order: Order): HTMLElement {
  const ask = h("button", { class: "btn", type: "button", "data-testid": "pending-cancel" }, "Cancel order");
  const yes = h(
    "button",
    { class: "btn danger", type: "button", hidden: true, "data-testid": "pending-cancel-confirm" },
    "Yes, release my seats",
  );
  const result = h("span", { role: "status" });
  ask.addEventListener("click", () => {
    ask.hidden = true;
    yes.hidden = false;
    yes.focus();
  });
  yes.addEventListener("click", async () => {
    yes.disabled = true;
    try {
      await api("DELETE", `/v1/holds/${encodeURIComponent(order.holdId)}`);
      result.textContent = "Order cancelled; the seats are back on sale.";
      setTimeout(() => location.reload(), 800);
    } catch (err) {
      yes.disabled = false;
      result.textContent = err instanceof ApiError ? err.describe() : String(err);
    }
  });
  return h("p", { class: "pending-cancel" }, ask, yes, " ", result);
}
