import { api, type User } from "../api";
import { field, formValues, h, mount, toast } from "../dom";
import { errorBox, listLayouts, listVenues, staff, type Venue } from "./common";
import { regionSelect, venueEditor, venueLine } from "./venue-edit";

/** A venue's name and line, redrawn in place when its editor saves. */
function venueHeading(v: Venue) {
  const title = h("h2", { "data-testid": "venue-name" }, v.name);
  const line = h("p", { class: "muted", "data-testid": "venue-line" }, venueLine(v));
  const redraw = (saved: Venue) => {
    title.textContent = saved.name;
    line.textContent = venueLine(saved);
  };
  return h("div", {}, title, line, venueEditor(v, redraw));
}

/** Venues with their layouts, and a form to add a venue. */
export async function adminVenues() {
  const user = staff();
  if (!user) return;
  const venues = await listVenues();
  const layouts = await Promise.all(venues.map((v) => listLayouts(v.id)));
  mount(
    h("h1", { class: "page-title" }, "Venues & layouts"),
    h(
      "div",
      { class: "two-col" },
      h(
        "div",
        {},
        venues.length === 0 ? h("p", { class: "muted" }, "No venues yet.") : null,
        venues.map((v, i) =>
          h(
            "section",
            { class: "panel", "data-testid": "venue" },
            h(
              "div",
              { class: "row-between" },
              venueHeading(v),
              h(
                "a",
                {
                  class: "btn",
                  href: `/admin/venues/${encodeURIComponent(v.id)}/layouts/new`,
                  "data-testid": "new-layout",
                },
                "New layout",
              ),
            ),
            h(
              "ul",
              { class: "list compact" },
              (layouts[i] ?? []).map((l) =>
                h(
                  "li",
                  {},
                  h("span", {}, l.name),
                  h(
                    "span",
                    { class: "muted" },
                    `${l.seatCount} seats${l.gaCapacity ? ` · ${l.gaCapacity} standing` : ""}`,
                  ),
                  h("a", { href: `/admin/events/new?venue=${v.id}&layout=${l.id}` }, "Create event"),
                ),
              ),
            ),
          ),
        ),
      ),
      await venueForm(user),
    ),
  );
}

async function venueForm(user: User) {
  const err = errorBox();
  const orgs =
    user.role === "admin"
      ? (await api<{ items: { id: string; name: string }[] }>("GET", "/v1/admin/organizers")).items
      : [];
  const form = h(
    "form",
    { class: "panel", "data-testid": "venue-form" },
    h("h2", {}, "Add a venue"),
    orgs.length
      ? field(
          "Organizer",
          h(
            "select",
            { name: "organizerId" },
            orgs.map((o) => h("option", { value: o.id }, o.name)),
          ),
        )
      : null,
    field("Name", h("input", { name: "name", required: true })),
    field("Address", h("input", { name: "address", required: true })),
    h(
      "div",
      { class: "inline-fields" },
      field("City", h("input", { name: "city", required: true })),
      field(
        "Country",
        h("input", { name: "country", required: true, maxlength: 2, placeholder: "GB", class: "short" }),
      ),
    ),
    field(
      "Time zone",
      h("input", { name: "timezone", required: true, value: Intl.DateTimeFormat().resolvedOptions().timeZone }),
    ),
    field("Region", regionSelect("weur"), "Where the event's inventory lives, near the venue"),
    err.el,
    h("button", { class: "btn primary", type: "submit" }, "Create venue"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    const v = formValues(form);
    try {
      const venue = await api<Venue>("POST", "/v1/admin/venues", {
        ...v,
        country: (v.country ?? "").toUpperCase(),
        ...(v.organizerId ? {} : { organizerId: undefined }),
      });
      toast(`Venue ${venue.name} created`, "ok");
      location.href = `/admin/venues/${venue.id}/layouts/new`;
    } catch (x) {
      err.show(x);
    }
  });
  return form;
}
