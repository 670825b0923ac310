import { api, ApiError } from "../api";
import { field, h, mount } from "../dom";
import { dateTime } from "../format";
import { errorText, listEvents, staff } from "./common";

/** Door check-in: pick the event, type or paste a ticket code, see admitted or already used. */
export async function adminCheckIn() {
  if (!staff()) return;
  const events = (await listEvents()).filter((e) => e.status !== "draft");
  const wanted = new URLSearchParams(location.search).get("event");
  const eventSel = h(
    "select",
    { name: "event" },
    events.map((e) => h("option", { value: e.id, selected: e.id === wanted }, e.name)),
  );
  const code = h("textarea", {
    name: "code",
    rows: 3,
    required: true,
    placeholder: "T1.…",
    "data-testid": "checkin-code",
    autocomplete: "off",
    spellcheck: "false",
  });
  // The camera scanner, which also works offline, for the event picked here.
  const scanner = h("a", { "data-testid": "scanner-link" }, "Open the gate scanner (camera, works offline)");
  const pointScanner = () =>
    scanner.setAttribute("href", `/admin/events/${encodeURIComponent(eventSel.value)}/scanner`);
  eventSel.addEventListener("change", pointScanner);
  pointScanner();
  const result = h("div", { class: "checkin-result", "aria-live": "assertive", "data-testid": "checkin-result" });
  const form = h(
    "form",
    { class: "panel narrow" },
    h("h1", {}, "Check-in"),
    field("Event", eventSel),
    field("Ticket code", code, "Scan into this box or paste the code from the ticket"),
    h("button", { class: "btn primary wide", type: "submit" }, "Check in"),
    result,
    h("p", {}, scanner),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    try {
      const r = await api<{ place: string; tier: string }>(
        "POST",
        `/v1/admin/events/${encodeURIComponent(eventSel.value)}/check-in`,
        { code: code.value.trim() },
      );
      result.className = "checkin-result ok";
      result.replaceChildren(h("strong", {}, "Admitted"), h("span", {}, `${r.place} · ${r.tier}`));
    } catch (x) {
      result.className = "checkin-result bad";
      const used = x instanceof ApiError && x.problem.code === "ticket_already_used";
      result.replaceChildren(
        h("strong", {}, used ? "Already used" : "Not admitted"),
        h(
          "span",
          {},
          used
            ? `at ${dateTime(String(x.problem.usedAt))}${x.problem.usedBy ? ` by ${String(x.problem.usedBy)}` : ""}`
            : errorText(x),
        ),
      );
    }
    code.value = "";
    code.focus();
  });
  mount(events.length ? form : h("p", { class: "muted" }, "No published events."));
  code.focus();
}
