import { h, mount } from "../../dom";
import { dateTime } from "../../format";
import { listEvents, staff } from "../common";

/**
 * Where the installed scanner app opens: the event scanned last on this phone (it opens offline
 * too), and, when online, every event that can be checked in.
 */
export async function adminScannerHome() {
  if (!staff()) return;
  const last = localStorage.getItem("edge-tickets.scanner.last");
  const events = navigator.onLine ? await listEvents().catch(() => []) : [];
  const open = events.filter((e) => e.status !== "draft" && e.status !== "cancelled");
  mount(
    h(
      "div",
      { class: "panel narrow" },
      h("h1", {}, "Gate scanner"),
      last ? h("p", {}, h("a", { class: "btn primary wide", href: last }, "Open the last scanner")) : null,
      open.length
        ? h(
            "ul",
            { class: "scanner-events" },
            open.map((e) =>
              h(
                "li",
                {},
                h("a", { href: `/admin/events/${encodeURIComponent(e.id)}/scanner` }, e.name),
                h("span", { class: "muted" }, ` ${dateTime(e.startsAt)}`),
              ),
            ),
          )
        : h("p", { class: "muted" }, navigator.onLine ? "No published events." : "Offline: open a scanner above."),
    ),
  );
}
