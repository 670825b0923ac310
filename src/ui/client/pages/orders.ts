import { type LabelLayout, placeNames } from "../../../domain/place-labels";
import { api, currentUser, requireUser } from "../api";
import { field, h, mount, toast } from "../dom";
import { dateTime, money, titleCase } from "../format";
import type { EventDetail, Order, OrderSummary, PaymentHandle } from "../types";
import { orderActions, pendingCancel } from "./order-actions";
import { keepSignInReason, keptPayment, resumePayment, tryAnotherCard } from "./resume";
import { ticketView } from "./ticket-view";

const eventCache = new Map<string, Promise<EventDetail | null>>();
const eventOf = (id: string) => {
  if (!eventCache.has(id))
    eventCache.set(
      id,
      api<EventDetail>("GET", `/v1/events/${encodeURIComponent(id)}`).catch(() => null),
    );
  return eventCache.get(id)!;
};

/** The visitor's orders, newest first. */
export async function ordersPage() {
  if (!requireUser()) return;
  const { items } = await api<{ items: OrderSummary[] }>("GET", "/v1/orders");
  const events = await Promise.all(items.map((o) => eventOf(o.eventId)));
  mount(
    h("h1", { class: "page-title" }, "My orders"),
    items.length === 0
      ? h("p", { class: "muted" }, "No orders yet. ", h("a", { href: "/" }, "Find an event"))
      : h(
          "ul",
          { class: "list", "data-testid": "orders" },
          items.map((o, i) =>
            h(
              "li",
              {},
              h(
                "a",
                { href: `/orders/${encodeURIComponent(o.id)}`, class: "list-link" },
                h(
                  "div",
                  {},
                  h("strong", {}, events[i]?.name ?? o.eventId),
                  h("br"),
                  h(
                    "span",
                    { class: "muted", "data-testid": "order-event-time" },
                    events[i]
                      ? dateTime(events[i].startsAt, events[i].venue.timezone)
                      : `Ordered ${dateTime(o.createdAt)}`,
                  ),
                ),
                h(
                  "div",
                  { class: "right" },
                  h("span", { class: `badge order-${o.status}` }, titleCase(o.status)),
                  h("br"),
                  money(o.amount, o.currency),
                ),
              ),
              listAction(o),
            ),
          ),
        ),
  );
}

/** Pay for an order awaiting payment, "Try another card" for a failed one; nothing otherwise. */
function listAction(o: OrderSummary): HTMLElement | null {
  const href = `/orders/${encodeURIComponent(o.id)}`;
  if (o.status === "pending_payment")
    return h(
      "p",
      { class: "list-actions" },
      h("a", { class: "btn small primary", href, "data-testid": "list-pay" }, "Pay"),
    );
  if (o.status !== "failed") return null;
  const retry = tryAnotherCard(o.id, {
    cls: "btn small",
    testId: "list-try-another-card",
    done: () => {
      location.href = href;
    },
    fail: (message) => toast(message, "error"),
  });
  return h("p", { class: "list-actions" }, retry);
}

/** One order: pays it (simulated page or Stripe's Payment Element), then shows tickets and QR codes. */
export async function orderPage(id: string) {
  // Opened from an email or SMS while signed out: the sign-in page says what it is for.
  if (!currentUser())
    keepSignInReason(location.pathname + location.search + location.hash, "Sign in to see your order and its tickets.");
  if (!requireUser()) return;
  let order = await api<Order>("GET", `/v1/orders/${encodeURIComponent(id)}`);
  const event = await eventOf(order.eventId);
  const status = h(
    "span",
    { class: `badge order-${order.status}`, "data-testid": "order-status" },
    titleCase(order.status),
  );
  const payBox = h("section", { class: "panel", hidden: true });
  const ticketsBox = h("section", { class: "tickets", "data-testid": "tickets" });
  const actionsBox = h("section", { class: "order-actions", "data-testid": "order-actions" });
  mount(
    h("p", { class: "eyebrow" }, h("a", { href: "/orders" }, "My orders"), " / ", h("code", {}, order.id)),
    h("h1", { class: "page-title" }, event?.name ?? "Your order"),
    event
      ? h(
          "p",
          { class: "muted" },
          `${dateTime(event.startsAt, event.venue.timezone)} · ${event.venue.name}, ${event.venue.city}`,
        )
      : null,
    h("p", {}, status, " ", h("strong", {}, money(order.amount, order.currency))),
    payBox,
    ticketsBox,
    actionsBox,
  );

  // Another tab or device: the checkout, repeated, answers the same order and payment.
  const handle =
    order.status === "pending_payment" ? (keptPayment(id) ?? (await resumePayment(order).catch(() => null))) : null;
  if (order.status === "pending_payment") {
    payBox.hidden = false;
    if (handle?.provider === "simulated" && handle.paymentUrl) {
      payBox.append(h("h2", {}, "Payment"), simulatedPayForm(handle.paymentUrl));
    } else if (handle?.provider === "stripe" && handle.publishableKey) {
      await mountStripe(payBox, handle);
    } else {
      payBox.append(h("p", {}, "Waiting for your payment to be confirmed…"));
    }
    payBox.append(pendingCancel(order));
    // The webhook settles the order server-side; watch for it.
    const deadline = Date.now() + 15 * 60_000;
    while (order.status === "pending_payment" && Date.now() < deadline) {
      await new Promise((r) => setTimeout(r, 1500));
      order = await api<Order>("GET", `/v1/orders/${encodeURIComponent(id)}`).catch(() => order);
    }
    status.textContent = titleCase(order.status);
    status.className = `badge order-${order.status}`;
    if (order.status === "paid") {
      payBox.className = "pay-done";
      payBox.replaceChildren(
        h(
          "p",
          { class: "notice ok", "data-testid": "paid-notice" },
          "Payment received — your tickets are below. A confirmation is on its way.",
        ),
      );
      sessionStorage.removeItem(`pay:${id}`);
    } else if (order.status === "failed") {
      failedPanel(payBox, order, event);
    }
  } else if (order.status === "failed") {
    payBox.hidden = false;
    failedPanel(payBox, order, event);
  }
  renderTickets(ticketsBox, order, event, await eventPlaceNames(order.eventId));
  orderActions(actionsBox, order, event);
}

/**
 * A declined or failed payment: "Try another card" pays again on the same seats (held again for
 * the fan if they are still free) and opens the payment; "Pick seats again" when they are gone.
 */
function failedPanel(box: HTMLElement, order: Order, event: EventDetail | null) {
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const retry = tryAnotherCard(order.id, {
    cls: "btn primary",
    testId: "try-another-card",
    done: () => orderPage(order.id),
    fail: (message) => {
      error.hidden = false;
      error.textContent = message;
    },
  });
  box.replaceChildren(
    h(
      "p",
      { class: "notice", "data-testid": "payment-failed" },
      "The payment did not go through and your seats were released. You can pay again on the same seats.",
    ),
    h(
      "p",
      { class: "actions" },
      retry,
      " ",
      event ? h("a", { class: "btn", href: `/events/${event.id}` }, "Pick seats again") : null,
    ),
    error,
  );
}

/** "Stalls · Row N · Seat 10" for each seat id, from the event's public layout. */
async function eventPlaceNames(eventId: string): Promise<Map<string, string>> {
  const layout = await api<LabelLayout>("GET", `/v1/events/${encodeURIComponent(eventId)}/layout`).catch(() => null);
  return placeNames(layout);
}

function renderTickets(box: HTMLElement, order: Order, event: EventDetail | null, places: Map<string, string>) {
  if (order.tickets.length === 0) return;
  box.replaceChildren(h("h2", {}, `Tickets (${order.tickets.length})`));
  const grid = h("div", { class: "ticket-grid" });
  box.appendChild(grid);
  for (const t of order.tickets) grid.appendChild(ticketView(t, order, event, places));
  // A link to one ticket lands on it once the tickets are drawn.
  if (location.hash.startsWith("#ticket-")) document.getElementById(location.hash.slice(1))?.scrollIntoView();
}

/** Stripe's Payment Element, loaded only when the order is paid through Stripe. */
async function mountStripe(box: HTMLElement, handle: PaymentHandle) {
  type StripeJs = (key: string) => {
    elements: (o: object) => { create: (t: string) => { mount: (el: HTMLElement) => void } };
    confirmPayment: (o: object) => Promise<{ error?: { message?: string } }>;
  };
  const w = window as unknown as { Stripe?: StripeJs };
  if (!w.Stripe) {
    await new Promise<void>((resolve, reject) => {
      const s = h("script", { src: "https://js.stripe.com/v3" });
      s.onload = () => resolve();
      s.onerror = () => reject(new Error("Stripe.js did not load"));
      document.head.appendChild(s);
    }).catch((e: Error) => toast(e.message, "error"));
  }
  if (!w.Stripe) return;
  const stripe = w.Stripe(handle.publishableKey!);
  const elements = stripe.elements({ clientSecret: handle.clientSecret });
  const target = h("div", { class: "stripe-element" });
  const pay = h("button", { class: "btn primary", type: "button" }, "Pay now");
  box.append(h("h2", {}, "Payment"), target, pay);
  elements.create("payment").mount(target);
  pay.addEventListener("click", async () => {
    pay.disabled = true;
    const r = await stripe.confirmPayment({ elements, confirmParams: { return_url: location.href } });
    if (r.error) toast(r.error.message ?? "Payment failed", "error");
    pay.disabled = false;
  });
}

/**
 * The simulated provider's card form (local runs only). It posts with `api`, so the fan's own
 * access token goes along: the pay endpoint acts for no one else, which a framed HTML page
 * posting a plain form could not prove. The order page's polling then sees the webhook's result.
 */
function simulatedPayForm(paymentUrl: string): HTMLFormElement {
  const card = h("input", { name: "card", value: "4242 4242 4242 4242", autocomplete: "off", inputmode: "numeric" });
  const result = h("p", { "data-testid": "pay-result", "aria-live": "polite" });
  const form = h(
    "form",
    { class: "pay-form", "data-testid": "pay-form" },
    h("p", { class: "muted" }, "Local test payments: 4242 4242 4242 4242 succeeds, 4000 0000 0000 0002 declines."),
    field("Card number", card),
    h("button", { class: "btn primary", type: "submit", name: "action", value: "pay" }, "Pay"),
    " ",
    h("button", { class: "btn", type: "submit", name: "action", value: "decline" }, "Decline"),
    result,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const decline = (e as SubmitEvent).submitter?.getAttribute("value") === "decline";
    for (const b of form.querySelectorAll("button")) b.disabled = true;
    try {
      const r = await api<{ result: string }>(
        "POST",
        paymentUrl,
        decline ? { action: "decline" } : { card: card.value },
      );
      result.textContent = r.result === "succeeded" ? "Payment sent; confirming…" : "Payment declined.";
    } catch (err) {
      for (const b of form.querySelectorAll("button")) b.disabled = false;
      toast(err instanceof Error ? err.message : String(err), "error");
    }
  });
  return form;
}
