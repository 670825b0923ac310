import { api } from "../api";
import { append, h, mount, tableBox, toast } from "../dom";
import { dateTime, money, titleCase } from "../format";
import type { OrderSummary } from "../types";
import { errorText, staff, type AdminEvent, type AdminTier } from "./common";
import { stat } from "./home";
import { seatBlocksPanel } from "./seat-blocks";
import { waitingRoomPanel } from "./waiting-room-panel";

type Counts = {
  version: number;
  tiers: Record<string, { available: number; held: number; sold: number; blocked: number }>;
  areas: { id: string; tier: string | null; capacity: number; held: number; sold: number; remaining: number }[];
};
type Detail = AdminEvent & {
  tiers: AdminTier[];
  layout: { seatCount: number; gaCapacity: number };
  queueRatePerMinute: number;
  queueMaxShopping: number;
};
const REFRESH_MS = 3000;

/** Live sales for one event: sold, held and available per tier, revenue; lifecycle actions. */
export async function adminEventDashboard(id: string) {
  if (!staff()) return;
  const path = `/v1/admin/events/${encodeURIComponent(id)}`;
  let event = await api<Detail>("GET", path);
  const statsBox = h("div", { class: "stat-row", "data-testid": "sales-stats" });
  const tableBody = h("tbody");
  const actions = h("div", { class: "actions" });
  const updated = h("span", { class: "muted small" });

  const act = (label: string, status: string | null, danger = false) =>
    h(
      "button",
      {
        type: "button",
        class: `btn ${danger ? "danger" : ""}`,
        "data-testid": `action-${status ?? "publish"}`,
        onclick: async () => {
          if (danger && !confirm(`${label}? Paid orders will be refunded.`)) return;
          try {
            await api("POST", status ? `${path}/status` : `${path}/publish`, status ? { status } : {});
            event = await api<Detail>("GET", path);
            toast(`${label}: done`, "ok");
            render();
            void tick();
          } catch (x) {
            toast(errorText(x), "error");
          }
        },
      },
      label,
    );

  function render() {
    document.title = `${event.name} · Portal`;
    const s = event.status;
    actions.replaceChildren();
    append(actions, [
      s === "draft" ? act("Publish", null) : null,
      s === "published" || s === "closed" ? act("Open sales", "on_sale") : null,
      s === "on_sale" ? act("Close sales", "closed") : null,
      s !== "cancelled" && s !== "draft" ? act("Cancel event", "cancelled", true) : null,
      s !== "draft" ? h("a", { class: "btn", href: `/events/${event.id}` }, "View on site") : null,
      s !== "draft"
        ? h("a", { class: "btn", href: `/admin/events/${event.id}/orders`, "data-testid": "orders-link" }, "Orders")
        : null,
      h("a", { class: "btn", href: `/admin/check-in?event=${event.id}` }, "Check-in"),
      s !== "draft"
        ? h(
            "a",
            { class: "btn", href: `/admin/events/${event.id}/scanner`, "data-testid": "scanner-link" },
            "Gate scanner",
          )
        : null,
      // The API refuses edits to a closed or cancelled event.
      s !== "closed" && s !== "cancelled"
        ? h("a", { class: "btn", href: `/admin/events/${event.id}/edit`, "data-testid": "edit-event" }, "Edit event")
        : null,
    ]);
    header.replaceChildren(
      h("p", { class: "eyebrow" }, h("a", { href: "/admin" }, "Events"), " / ", h("code", {}, event.id)),
      h(
        "div",
        { class: "row-between" },
        h("h1", { class: "page-title" }, event.name),
        h("span", { class: `badge status-${s}`, "data-testid": "event-status" }, titleCase(s)),
      ),
      h(
        "p",
        { class: "muted" },
        `${dateTime(event.startsAt)} · sales ${dateTime(event.salesStartAt)} → ${dateTime(event.salesEndAt)}`,
      ),
    );
  }
  const header = h("div");
  const blocksBox = h("div");

  async function tick() {
    if (event.status === "draft") {
      statsBox.replaceChildren(h("p", { class: "muted" }, "Publish the event to start its inventory."));
      return;
    }
    try {
      const [counts, orders] = await Promise.all([
        api<Counts>("GET", `${path}/inventory`),
        api<{ items: OrderSummary[] }>("GET", `${path}/orders?limit=200`),
      ]);
      const paid = orders.items.filter((o) => o.paidAt);
      const revenue = paid.reduce((n, o) => n + o.amount - o.refundedAmount, 0);
      const sum = (k: "sold" | "held" | "available") =>
        Object.values(counts.tiers).reduce((n, t) => n + t[k], 0) +
        (k === "available"
          ? counts.areas.reduce((n, a) => n + a.remaining, 0)
          : counts.areas.reduce((n, a) => n + a[k], 0));
      statsBox.replaceChildren(
        stat("Revenue", money(revenue, event.currency)),
        stat("Sold", sum("sold")),
        stat("Held now", sum("held")),
        stat("Available", sum("available")),
        stat("Paid orders", paid.length),
      );
      const rows = event.tiers.map((t) => {
        const c = counts.tiers[t.key];
        const areas = counts.areas.filter((a) => a.tier === t.key);
        const sold = (c?.sold ?? 0) + areas.reduce((n, a) => n + a.sold, 0);
        const held = (c?.held ?? 0) + areas.reduce((n, a) => n + a.held, 0);
        const avail = (c?.available ?? 0) + areas.reduce((n, a) => n + a.remaining, 0);
        const total = Math.max(1, sold + held + avail + (c?.blocked ?? 0));
        return h(
          "tr",
          { "data-tier": t.key },
          h("td", {}, h("strong", {}, t.name), h("br"), h("span", { class: "muted" }, money(t.amount, t.currency))),
          h("td", { class: "num", "data-testid": "tier-sold" }, String(sold)),
          h("td", { class: "num" }, String(held)),
          h("td", { class: "num" }, String(avail)),
          h(
            "td",
            { class: "bar-cell" },
            h(
              "div",
              { class: "bar", role: "img", "aria-label": `${Math.round((sold / total) * 100)}% sold` },
              h("span", { class: "bar-sold", style: `width:${(sold / total) * 100}%` }),
              h("span", { class: "bar-held", style: `width:${(held / total) * 100}%` }),
            ),
          ),
        );
      });
      tableBody.replaceChildren(...rows);
      updated.textContent = `Updated ${new Date().toLocaleTimeString()} · inventory v${counts.version}`;
    } catch (x) {
      updated.textContent = errorText(x);
    }
  }

  render();
  mount(
    header,
    actions,
    statsBox,
    h(
      "section",
      { class: "panel" },
      h("div", { class: "row-between" }, h("h2", {}, "Sales by tier"), updated),
      tableBox(
        "Sales by tier",
        h(
          "table",
          { class: "table", "data-testid": "tier-table" },
          h(
            "thead",
            {},
            h(
              "tr",
              {},
              h("th", {}, "Tier"),
              h("th", { class: "num" }, "Sold"),
              h("th", { class: "num" }, "Held"),
              h("th", { class: "num" }, "Available"),
              h("th", {}, ""),
            ),
          ),
          tableBody,
        ),
      ),
    ),
    blocksBox,
    waitingRoomPanel(event),
  );
  if (event.status !== "draft") {
    void seatBlocksPanel(event.id).then(
      (p) => p && blocksBox.replaceChildren(p),
      (x: unknown) => blocksBox.replaceChildren(h("p", { class: "form-error" }, errorText(x))),
    );
  }
  await tick();
  setInterval(() => document.visibilityState === "visible" && void tick(), REFRESH_MS);
}
