import { ORDER_STATUSES } from "../../../db/schema/constants";
import { api } from "../api";
import { field, h, mount, tableBox } from "../dom";
import { dateTime, money, titleCase } from "../format";
import { errorBox, staff, type AdminEvent } from "./common";
import { exportButtons } from "./csv-download";

/** One row of `GET /v1/admin/events/{id}/orders`. */
export type AdminOrderSummary = {
  id: string;
  eventId: string;
  email: string;
  status: string;
  amount: number;
  currency: string;
  refundedAmount: number;
  createdAt: string;
  paidAt: string | null;
  places: { place: string; label: string; quantity: number }[];
};

const PAGE = 25;

/** The part of an order id people can tell apart (`ord_…`), not the event id it carries. */
export const shortOrderId = (id: string) => id.split("~")[1] ?? id;

/** "Stalls · Row B · Seat 3, Pit (standing) × 2". */
export const placesText = (places: AdminOrderSummary["places"]) =>
  places.map((p) => (p.quantity > 1 ? `${p.label} × ${p.quantity}` : p.label)).join(", ") || "—";

/**
 * An event's orders for its organizer: one search box (email, order id or seat), a status filter,
 * newest first, paged with the list's cursor. The search is kept in the address so Back returns to it.
 */
export async function adminEventOrders(eventId: string) {
  if (!staff()) return;
  const base = `/v1/admin/events/${encodeURIComponent(eventId)}`;
  const event = await api<AdminEvent>("GET", base);
  document.title = `Orders · ${event.name} · Portal`;
  const params = new URLSearchParams(location.search);

  const search = h("input", {
    type: "search",
    name: "q",
    value: params.get("q") ?? "",
    placeholder: "name@example.com, ord_…, B12",
    autocomplete: "off",
    "data-testid": "orders-search",
  });
  const status = h(
    "select",
    { name: "status", "data-testid": "orders-status" },
    h("option", { value: "" }, "Any status"),
    ORDER_STATUSES.map((s) => h("option", { value: s, selected: params.get("status") === s }, titleCase(s))),
  );
  const err = errorBox();
  const body = h("tbody");
  const summary = h("p", { class: "muted", role: "status", "data-testid": "orders-summary" });
  const prev = h("button", { type: "button", class: "btn small" }, "Previous page");
  const next = h("button", { type: "button", class: "btn small" }, "Next page");
  // Cursors of the pages before the current one, so "Previous" goes back exactly.
  const trail: (string | null)[] = [];
  let current: string | null = null;
  let nextCursor: string | null = null;

  async function load(cursor: string | null) {
    err.clear();
    const qs = new URLSearchParams({ limit: String(PAGE) });
    if (search.value.trim()) qs.set("q", search.value.trim());
    if (status.value) qs.set("status", status.value);
    const shown = new URLSearchParams(qs);
    shown.delete("limit");
    const text = shown.toString();
    history.replaceState(null, "", `${location.pathname}${text ? `?${text}` : ""}`);
    if (cursor) qs.set("cursor", cursor);
    try {
      const page = await api<{ items: AdminOrderSummary[]; nextCursor: string | null }>("GET", `${base}/orders?${qs}`);
      current = cursor;
      nextCursor = page.nextCursor;
      body.replaceChildren(...page.items.map(row));
      if (!page.items.length)
        body.append(h("tr", {}, h("td", { colspan: 6, class: "muted" }, "No order matches this search.")));
      summary.textContent = `${page.items.length} order(s) on this page${page.nextCursor ? ", more on the next" : ""}.`;
      prev.disabled = trail.length === 0;
      next.disabled = !page.nextCursor;
    } catch (x) {
      err.show(x);
    }
  }

  const row = (o: AdminOrderSummary) =>
    h(
      "tr",
      { "data-testid": "order-row", "data-order": o.id },
      h("td", {}, h("a", { href: `/admin/orders/${encodeURIComponent(o.id)}` }, h("code", {}, shortOrderId(o.id)))),
      h("td", {}, o.email),
      h("td", {}, placesText(o.places)),
      h(
        "td",
        { class: "num" },
        money(o.amount, o.currency),
        o.refundedAmount ? h("br") : null,
        o.refundedAmount ? h("span", { class: "muted" }, `${money(o.refundedAmount, o.currency)} refunded`) : null,
      ),
      h("td", {}, h("span", { class: `badge order-${o.status}` }, titleCase(o.status))),
      h("td", {}, dateTime(o.createdAt)),
    );

  const form = h(
    "form",
    { role: "search", "aria-label": "Order search", class: "stack", "data-testid": "orders-form" },
    field("Search orders", search, "Part of the buyer's email, an order id, or a seat (its label or id)"),
    field("Status", status),
    h("button", { type: "submit", class: "btn primary" }, "Search"),
  );
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    trail.length = 0;
    void load(null);
  });
  status.addEventListener("change", () => {
    trail.length = 0;
    void load(null);
  });
  next.addEventListener("click", () => {
    if (!nextCursor) return;
    trail.push(current);
    void load(nextCursor);
  });
  prev.addEventListener("click", () => {
    if (trail.length) void load(trail.pop() ?? null);
  });

  mount(
    h(
      "p",
      { class: "eyebrow" },
      h("a", { href: "/admin" }, "Events"),
      " / ",
      h("a", { href: `/admin/events/${encodeURIComponent(event.id)}` }, event.name),
      " / Orders",
    ),
    h("h1", { class: "page-title" }, `Orders · ${event.name}`),
    h(
      "section",
      { class: "panel" },
      form,
      exportButtons(event.id, (x) => err.show(x)),
      err.el,
    ),
    h(
      "section",
      { class: "panel" },
      summary,
      tableBox(
        "Orders",
        h(
          "table",
          { class: "table", "data-testid": "orders-table" },
          h("caption", { class: "muted" }, "Orders, newest first (the list follows sales about a second behind)"),
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              ...["Order", "Buyer", "Seats", "Amount", "Status", "Date"].map((t) =>
                h("th", { scope: "col", class: t === "Amount" ? "num" : null }, t),
              ),
            ),
          ),
          body,
        ),
      ),
      h("div", { class: "actions" }, prev, next),
    ),
  );
  await load(null);
}
