import { h, mount, tableBox } from "../dom";
import { dateTime, titleCase } from "../format";
import { listEvents, listVenues, staff } from "./common";

/** Portal landing: the organizer's events with their state, and the shortcuts. */
export async function adminHome() {
  if (!staff()) return;
  const [events, venues] = await Promise.all([listEvents(), listVenues()]);
  const venueName = new Map(venues.map((v) => [v.id, `${v.name}, ${v.city}`]));
  events.sort((a, b) => a.startsAt.localeCompare(b.startsAt));
  mount(
    h(
      "div",
      { class: "row-between" },
      h("h1", { class: "page-title" }, "Your events"),
      h("a", { class: "btn primary", href: "/admin/events/new" }, "New event"),
    ),
    h(
      "div",
      { class: "stat-row" },
      stat("Events", events.length),
      stat("On sale", events.filter((e) => e.status === "on_sale").length),
      stat("Drafts", events.filter((e) => e.status === "draft").length),
      stat("Venues", venues.length),
    ),
    tableBox(
      "Your events",
      h(
        "table",
        { class: "table", "data-testid": "admin-events" },
        h(
          "thead",
          {},
          h("tr", {}, h("th", {}, "Event"), h("th", {}, "Venue"), h("th", {}, "Starts"), h("th", {}, "Status")),
        ),
        h(
          "tbody",
          {},
          events.map((e) =>
            h(
              "tr",
              {},
              h("td", {}, h("a", { href: `/admin/events/${encodeURIComponent(e.id)}` }, e.name)),
              h("td", {}, venueName.get(e.venueId) ?? e.venueId),
              h("td", {}, dateTime(e.startsAt)),
              h("td", {}, h("span", { class: `badge status-${e.status}` }, titleCase(e.status))),
            ),
          ),
        ),
      ),
    ),
    h(
      "section",
      { class: "link-cards" },
      linkCard("/admin/venues", "Venues & layouts", "Create venues and build seat layouts"),
      linkCard("/admin/check-in", "Check-in", "Admit tickets at the door"),
      linkCard("/admin/notifications", "Notifications", "Emails and SMS sent (outbox)"),
      linkCard("/mailbox", "Mailbox", "The local outbox, rendered"),
      linkCard("/admin/audit", "Audit log", "Every sale, refund and admin action"),
      linkCard("/admin/fraud", "Fraud signals", "Hold churn, failing payments, sign-in bursts"),
      linkCard("/docs", "API docs", "OpenAPI reference"),
    ),
  );
}

const stat = (label: string, value: number | string) =>
  h("div", { class: "stat" }, h("span", { class: "stat-value" }, String(value)), h("span", { class: "muted" }, label));
const linkCard = (href: string, title: string, text: string) =>
  h("a", { class: "card link-card", href }, h("strong", {}, title), h("span", { class: "muted" }, text));
export { stat };
