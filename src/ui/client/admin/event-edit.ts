import { api } from "../api";
import { field, h, mount, toast } from "../dom";
import { staff } from "./common";
import { layoutPanel, tiersPanel, type EditableEvent } from "./event-edit-tiers";
import { clearFieldErrors, showFieldErrors } from "./field-errors";

const CATEGORIES = ["concert", "sports", "theatre", "comedy", "festival", "travel", "conference", "other"];

/** An ISO moment as a datetime-local value in the browser's zone (the new-event form's convention). */
const localInput = (iso: string | null) => {
  if (!iso) return "";
  const d = new Date(iso);
  return new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
};
const isoOf = (v: string) => (v ? new Date(v).toISOString() : null);
/** Blank means "none" for the optional caps. */
const intOrNull = (v: string) => (v.trim() === "" ? null : Number(v));

/** Edit an event after creating it: details, sales window, hold time, limits, refund policy; tiers; layout. */
export async function adminEventEdit(id: string) {
  if (!staff()) return;
  const path = `/v1/admin/events/${encodeURIComponent(id)}`;
  const event = await api<EditableEvent>("GET", path);
  document.title = `Edit ${event.name} · Portal`;
  mount(
    h(
      "p",
      { class: "eyebrow" },
      h("a", { href: "/admin" }, "Events"),
      " / ",
      h("a", { href: `/admin/events/${encodeURIComponent(event.id)}` }, event.name),
    ),
    h("h1", { class: "page-title" }, "Edit event"),
    detailsForm(event, path),
    await tiersPanel(event, path),
    await layoutPanel(event, path),
  );
}

function detailsForm(event: EditableEvent, path: string) {
  const input = (name: string, attrs: Record<string, string | number | boolean | null> = {}) =>
    h("input", { name, ...attrs });
  const general = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "details-error" });
  const saveBtn = h("button", { class: "btn primary", type: "submit", "data-testid": "save-details" }, "Save details");
  const form = h(
    "form",
    { class: "panel", "data-testid": "details-form", "aria-labelledby": "details-h", novalidate: true },
    h("h2", { id: "details-h" }, "Details"),
    h(
      "div",
      { class: "two-col" },
      h(
        "div",
        {},
        field("Name", input("name", { required: true, value: event.name })),
        field(
          "Category",
          h(
            "select",
            { name: "category" },
            CATEGORIES.map((c) => h("option", { value: c, selected: c === event.category }, c)),
          ),
        ),
        field("Performers", input("performers", { value: event.performers.join(", ") }), "Comma separated"),
        field("Description", h("textarea", { name: "description", rows: 4 }, event.description)),
      ),
      h(
        "div",
        {},
        field(
          "Starts",
          input("startsAt", { type: "datetime-local", required: true, value: localInput(event.startsAt) }),
        ),
        field("Ends", input("endsAt", { type: "datetime-local", required: true, value: localInput(event.endsAt) })),
        field("Sales open", input("salesStartAt", { type: "datetime-local", value: localInput(event.salesStartAt) })),
        field("Sales close", input("salesEndAt", { type: "datetime-local", value: localInput(event.salesEndAt) })),
      ),
    ),
    h("h3", {}, "Holds, limits and refunds"),
    h(
      "div",
      { class: "inline-fields" },
      field(
        "Hold time (seconds)",
        input("holdSeconds", { type: "number", min: 30, max: 3600, step: 1, value: event.holdSeconds, class: "short" }),
        "How long picked seats are kept for a fan at checkout: 30 to 3600",
      ),
      field(
        "Seats per order",
        input("maxSeatsPerOrder", { type: "number", min: 1, max: 50, value: event.maxSeatsPerOrder, class: "short" }),
      ),
      field(
        "Seats per account",
        input("maxSeatsPerUser", { type: "number", min: 1, max: 1000, value: event.maxSeatsPerUser ?? "" }),
        "Blank: no cap",
      ),
      field(
        "Refunds until (hours before start)",
        input("refundDeadlineHours", { type: "number", min: 0, max: 8760, value: event.refundDeadlineHours ?? "" }),
        "Fans may cancel for a full refund until then; blank: fans cannot cancel",
      ),
    ),
    general,
    h("div", { class: "actions" }, saveBtn),
  );

  const read = (): Record<string, unknown> => {
    const v = (n: string) => form.querySelector<HTMLInputElement>(`[name=${n}]`)!.value;
    return {
      name: v("name"),
      category: v("category"),
      performers: v("performers")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean),
      description: v("description"),
      startsAt: isoOf(v("startsAt")),
      endsAt: isoOf(v("endsAt")),
      salesStartAt: isoOf(v("salesStartAt")),
      salesEndAt: isoOf(v("salesEndAt")),
      holdSeconds: Number(v("holdSeconds")),
      maxSeatsPerOrder: Number(v("maxSeatsPerOrder")),
      maxSeatsPerUser: intOrNull(v("maxSeatsPerUser")),
      refundDeadlineHours: intOrNull(v("refundDeadlineHours")),
    };
  };
  // Only what changed is sent: an untouched start time must not tell every ticket holder it moved.
  let baseline = read();

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    general.hidden = true;
    const now = read();
    const patch = Object.fromEntries(
      Object.entries(now).filter(([k, val]) => JSON.stringify(val) !== JSON.stringify(baseline[k])),
    );
    if (Object.keys(patch).length === 0) {
      toast("Nothing to save", "info");
      return;
    }
    saveBtn.disabled = true;
    try {
      await api("PATCH", path, patch);
      baseline = now;
      toast("Details saved", "ok");
    } catch (x) {
      const loose = showFieldErrors(x, (p) =>
        form.querySelector<HTMLElement>(`[name="${CSS.escape(p.split(".")[0]!)}"]`),
      );
      if (loose.length) {
        general.hidden = false;
        general.textContent = loose.join("\n");
      }
    } finally {
      saveBtn.disabled = false;
    }
  });
  return form;
}
