import { REGION_NAMES, regionName } from "../../../domain/regions";
import { api } from "../api";
import { field, h, toast } from "../dom";
import type { Venue } from "./common";
import { clearFieldErrors, showFieldErrors } from "./field-errors";

/** The region picker, showing each placement region by its name; the code is only the value sent. */
export function regionSelect(selected?: string) {
  return h(
    "select",
    { name: "region" },
    Object.entries(REGION_NAMES).map(([code, name]) => h("option", { value: code, selected: code === selected }, name)),
  );
}

/** One line about a venue: where it is, its clock and where its inventory lives. */
export const venueLine = (v: Venue) =>
  `${v.address}, ${v.city} (${v.country}) · ${v.timezone} · ${regionName(v.region)}`;

const FIELDS = ["name", "address", "city", "country", "timezone", "region"] as const;

/**
 * "Edit venue" folded under the venue's heading: its details, saved through the API (only what
 * changed), field errors beside their inputs. `onSaved` redraws the heading.
 */
export function venueEditor(venue: Venue, onSaved: (v: Venue) => void) {
  let current = venue;
  const general = h("p", { class: "form-error", role: "alert", hidden: true });
  const input = (name: (typeof FIELDS)[number], attrs: Record<string, string | number | boolean> = {}) =>
    h("input", { name, value: current[name], required: true, ...attrs });
  const form = h(
    "form",
    { "data-testid": "venue-edit-form", novalidate: true },
    field("Name", input("name")),
    field("Address", input("address")),
    h(
      "div",
      { class: "inline-fields" },
      field("City", input("city")),
      field("Country", input("country", { maxlength: 2, class: "short" })),
    ),
    field("Time zone", input("timezone"), "An IANA zone, such as Europe/London"),
    field("Region", regionSelect(current.region), "Where the event's inventory lives, near the venue"),
    general,
    h("div", { class: "actions" }, h("button", { class: "btn primary", type: "submit" }, "Save venue")),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    general.hidden = true;
    const patch: Record<string, string> = {};
    for (const k of FIELDS) {
      const raw = form.querySelector<HTMLInputElement | HTMLSelectElement>(`[name=${k}]`)!.value.trim();
      const v = k === "country" ? raw.toUpperCase() : raw;
      if (v !== current[k]) patch[k] = v;
    }
    if (Object.keys(patch).length === 0) return toast("Nothing to save", "info");
    try {
      current = await api<Venue>("PATCH", `/v1/admin/venues/${encodeURIComponent(current.id)}`, patch);
      toast(`Venue ${current.name} saved`, "ok");
      box.open = false;
      onSaved(current);
    } catch (x) {
      const loose = showFieldErrors(x, (p) => form.querySelector<HTMLElement>(`[name="${CSS.escape(p)}"]`));
      if (loose.length) {
        general.hidden = false;
        general.textContent = loose.join("\n");
      }
    }
  });
  const box = h(
    "details",
    { class: "venue-edit", "data-testid": "venue-edit" },
    h("summary", { class: "btn small" }, "Edit venue"),
    form,
  );
  return box;
}
