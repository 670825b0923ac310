import { api } from "../api";
import { h, mount, tableBox, type Child } from "../dom";
import { dateTime, money, titleCase } from "../format";
import { errorText, staff, type AdminEvent, type AdminTier } from "./common";
import { confirmRefund } from "./refund-dialog";
import { type AdminOrderSummary, shortOrderId } from "./orders";

type Payment = {
  id: string;
  provider: string;
  providerRef: string | null;
  amount: number;
  currency: string;
  status: string;
  lastError: string | null;
  createdAt: string;
};
export type OrderTicket = {
  id: string;
  place: string;
  label: string;
  tier: string;
  price: number;
  status: string;
  checkedIn: boolean;
  usedAt: string | null;
};
type Notification = {
  id: string;
  kind: string;
  channel: string;
  recipient: string;
  status: string;
  createdAt: string;
  sentAt: string | null;
};
/** `GET /v1/admin/orders/{id}`. */
type AdminOrder = {
  order: Omit<AdminOrderSummary, "places">;
  attempts: (Payment & { attempt: number })[];
  refunds: (Payment & { reason: string | null; ticketIds: string[] })[];
  tickets: OrderTicket[];
  audit: { id: string; at: string; action: string; actorId: string | null; data: Record<string, unknown> | null }[];
  notifications: Notification[];
};

const POLL_MS = 1500;
const POLL_FOR_MS = 20_000;

/** A table with a caption and column headers, as every section of the page shows its rows. */
function table(testid: string, caption: string, headers: string[], rows: HTMLElement[], empty: string) {
  return tableBox(
    caption,
    h(
      "table",
      { class: "table small", "data-testid": testid },
      h("caption", { class: "muted", style: "text-align:left" }, caption),
      h("thead", {}, h("tr", {}, ...headers.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, rows.length ? rows : h("tr", {}, h("td", { colspan: headers.length, class: "muted" }, empty))),
    ),
  );
}
const cells = (...values: Child[]) => values.map((v) => h("td", {}, v));
const badge = (kind: string, status: string) => h("span", { class: `badge ${kind}-${status}` }, titleCase(status));

/**
 * One order for its organizer: the tickets (with check-in), the payment attempts, refunds, the
 * emails sent and the audit trail. Refunds (whole or chosen tickets) are confirmed with their
 * amount first; the confirmation email can be sent again.
 */
export async function adminOrderPage(id: string) {
  if (!staff()) return;
  const path = `/v1/admin/orders/${encodeURIComponent(id)}`;
  let d = await api<AdminOrder>("GET", path);
  const event = await api<AdminEvent & { tiers: AdminTier[] }>(
    "GET",
    `/v1/admin/events/${encodeURIComponent(d.order.eventId)}`,
  ).catch(() => null);
  const tierName = (key: string) => event?.tiers.find((t) => t.key === key)?.name ?? key;
  const cur = d.order.currency;
  const notice = h("p", { role: "status", "aria-live": "polite", "data-testid": "order-notice" });
  const root = h("div");
  document.title = `Order ${shortOrderId(id)} · Portal`;

  const say = (text: string) => {
    notice.textContent = text;
    notice.className = text ? "notice" : "";
  };

  /** Re-reads the order until `done` holds (a refund or an email settling through its queue). */
  async function refresh(done: (o: AdminOrder) => boolean = () => true) {
    const until = Date.now() + POLL_FOR_MS;
    for (;;) {
      d = await api<AdminOrder>("GET", path);
      render();
      if (done(d) || Date.now() > until) return d;
      await new Promise((r) => setTimeout(r, POLL_MS));
    }
  }

  async function refund(chosen: OrderTicket[], trigger: HTMLElement) {
    const key = await confirmRefund(chosen, cur, trigger);
    if (!key) return;
    try {
      const r = await api<{ refund: { id: string; amount: number; status: string } }>(
        "POST",
        `${path}/refund`,
        { ticketIds: chosen.map((t) => t.id) },
        { headers: { "Idempotency-Key": key } },
      );
      const what = `Refund of ${money(r.refund.amount, cur)}`;
      say(
        r.refund.status === "queued"
          ? `${what} recorded; the payment provider is being retried.`
          : `${what}: ${r.refund.status}.`,
      );
      await refresh((o) => o.refunds.find((x) => x.id === r.refund.id)?.status !== "pending");
    } catch (x) {
      say(`The refund was not made: ${errorText(x)}`);
    }
  }

  async function resend(confirmation: Notification) {
    try {
      const copy = await api<Notification>(
        "POST",
        `/v1/admin/notifications/${encodeURIComponent(confirmation.id)}/resend`,
        undefined,
        { headers: { "Idempotency-Key": crypto.randomUUID() } },
      );
      say(`Confirmation queued to ${copy.recipient}.`);
      const o = await refresh((x) => x.notifications.some((n) => n.id === copy.id && n.status !== "pending"));
      const sent = o.notifications.find((n) => n.id === copy.id);
      if (sent) say(`Confirmation to ${sent.recipient}: ${sent.status}.`);
    } catch (x) {
      say(`The confirmation was not resent: ${errorText(x)}`);
    }
  }

  function ticketsSection() {
    const valid = d.tickets.filter((t) => t.status === "valid");
    const picked = new Set<string>();
    const refundPicked = h(
      "button",
      { type: "button", class: "btn", disabled: true, "data-testid": "refund-selected" },
      "Refund selected tickets",
    );
    const refundAll = h(
      "button",
      { type: "button", class: "btn danger", disabled: valid.length === 0, "data-testid": "refund-all" },
      "Refund whole order",
    );
    refundPicked.addEventListener("click", () =>
      refund(
        valid.filter((t) => picked.has(t.id)),
        refundPicked,
      ),
    );
    refundAll.addEventListener("click", () => refund(valid, refundAll));
    const rows = d.tickets.map((t) => {
      const box = h("input", {
        type: "checkbox",
        style: "width:auto;min-height:0",
        disabled: t.status !== "valid",
        "aria-label": `Select ${t.label} for a refund`,
        "data-testid": "ticket-pick",
      });
      box.addEventListener("change", () => {
        if (box.checked) picked.add(t.id);
        else picked.delete(t.id);
        refundPicked.disabled = picked.size === 0;
      });
      return h(
        "tr",
        { "data-testid": "admin-ticket", "data-ticket": t.id },
        ...cells(
          box,
          t.label,
          tierName(t.tier),
          money(t.price, cur),
          badge("ticket", t.status),
          t.checkedIn ? `Checked in ${dateTime(t.usedAt)}` : "Not checked in",
        ),
      );
    });
    return h(
      "section",
      { class: "panel", "aria-labelledby": "tickets-h" },
      h("h2", { id: "tickets-h" }, `Tickets (${d.tickets.length})`),
      table(
        "admin-tickets",
        "Tickets of this order",
        ["Refund", "Seat", "Tier", "Price", "Status", "Check-in"],
        rows,
        "No tickets (the order is not paid).",
      ),
      h("div", { class: "actions" }, refundPicked, refundAll),
    );
  }

  function render() {
    const o = d.order;
    const confirmation =
      d.notifications.find(
        (n) => n.kind === "booking_confirmed" && n.channel === "email" && !n.id.includes(":resend:"),
      ) ?? d.notifications.find((n) => n.kind === "booking_confirmed" && n.channel === "email");
    const resendBtn = h(
      "button",
      { type: "button", class: "btn", disabled: !confirmation, "data-testid": "resend-confirmation" },
      "Resend confirmation",
    );
    resendBtn.addEventListener("click", () => confirmation && resend(confirmation));
    const ticketLabels = (ids: string[]) => ids.map((i) => d.tickets.find((t) => t.id === i)?.label ?? i).join(", ");
    root.replaceChildren(
      h(
        "p",
        { class: "eyebrow" },
        h("a", { href: "/admin" }, "Events"),
        " / ",
        h(
          "a",
          { href: `/admin/events/${encodeURIComponent(o.eventId)}/orders` },
          event ? `${event.name} orders` : "Orders",
        ),
        " / ",
        h("code", {}, shortOrderId(o.id)),
      ),
      h(
        "div",
        { class: "row-between" },
        h("h1", { class: "page-title" }, `Order ${shortOrderId(o.id)}`),
        h("span", { class: `badge order-${o.status}`, "data-testid": "admin-order-status" }, titleCase(o.status)),
      ),
      h(
        "p",
        {},
        h("strong", {}, o.email),
        ` · ${money(o.amount, cur)}`,
        o.refundedAmount ? ` · ${money(o.refundedAmount, cur)} refunded` : "",
        ` · ordered ${dateTime(o.createdAt)}`,
        o.paidAt ? ` · paid ${dateTime(o.paidAt)}` : "",
      ),
      notice,
      ticketsSection(),
      h(
        "section",
        { class: "panel", "aria-labelledby": "payments-h" },
        h("h2", { id: "payments-h" }, "Payments"),
        table(
          "admin-attempts",
          "Payment attempts (charges)",
          ["Attempt", "Provider", "Provider id", "Amount", "Status", "Error", "Opened"],
          d.attempts.map((p) =>
            h(
              "tr",
              {},
              ...cells(
                String(p.attempt),
                p.provider,
                h("code", {}, p.providerRef ?? "—"),
                money(p.amount, p.currency),
                badge("payment", p.status),
                p.lastError ?? "",
                dateTime(p.createdAt),
              ),
            ),
          ),
          "No payment attempt yet.",
        ),
        table(
          "admin-refunds",
          "Refunds",
          ["Provider id", "Amount", "Tickets", "Reason", "Status", "Error", "Recorded"],
          d.refunds.map((r) =>
            h(
              "tr",
              { "data-testid": "admin-refund" },
              ...cells(
                h("code", {}, r.providerRef ?? "—"),
                money(r.amount, r.currency),
                ticketLabels(r.ticketIds) || "—",
                titleCase(r.reason ?? ""),
                badge("payment", r.status),
                r.lastError ?? "",
                dateTime(r.createdAt),
              ),
            ),
          ),
          "No refunds.",
        ),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "notes-h" },
        h("div", { class: "row-between" }, h("h2", { id: "notes-h" }, "Emails and SMS"), resendBtn),
        table(
          "admin-notifications",
          "Notifications sent for this order",
          ["Kind", "Channel", "To", "Status", "Sent"],
          d.notifications.map((n) =>
            h(
              "tr",
              { "data-testid": "admin-notification" },
              ...cells(titleCase(n.kind), n.channel, n.recipient, titleCase(n.status), dateTime(n.sentAt)),
            ),
          ),
          "Nothing sent yet.",
        ),
      ),
      h(
        "section",
        { class: "panel", "aria-labelledby": "audit-h" },
        h("h2", { id: "audit-h" }, "Audit trail"),
        table(
          "admin-audit",
          "What happened to this order, newest first",
          ["When", "Action", "By", "Details"],
          d.audit.map((a) =>
            h(
              "tr",
              {},
              ...cells(
                dateTime(a.at),
                h("code", {}, a.action),
                a.actorId ?? "system",
                a.data ? h("code", { class: "small" }, JSON.stringify(a.data)) : "",
              ),
            ),
          ),
          "No entries yet (they arrive within seconds).",
        ),
      ),
    );
  }

  render();
  mount(root);
}
