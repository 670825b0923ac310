import { api } from "../api";
import { field, formValues, h, mount, toast } from "../dom";
import { errorBox, listLayouts, listVenues, staff, type AdminEvent } from "./common";

type Doc = { document: { sections: { id: string; name: string }[]; areas: { id: string; name: string }[] } };
const CATEGORIES = ["concert", "sports", "theatre", "comedy", "festival", "travel", "conference", "other"];
const local = (d: Date) => new Date(d.getTime() - d.getTimezoneOffset() * 60_000).toISOString().slice(0, 16);
const day = (n: number, hour: number) => {
  const d = new Date(Date.now() + n * 86_400_000);
  d.setHours(hour, 0, 0, 0);
  return d;
};

/** Create an event: details, a layout of a venue, price tiers mapped to its sections; publish and open sales. */
export async function adminEventForm() {
  if (!staff()) return;
  const params = new URLSearchParams(location.search);
  const venues = await listVenues();
  const err = errorBox();
  const venueSel = h(
    "select",
    { name: "venueId", required: true, "data-testid": "venue-select" },
    venues.map((v) => h("option", { value: v.id, selected: v.id === params.get("venue") }, `${v.name}, ${v.city}`)),
  );
  const layoutSel = h("select", { name: "layoutId", required: true, "data-testid": "layout-select" });
  const tiersBox = h("div", { class: "stack", "data-testid": "tiers" });
  let places: { kind: "sections" | "areas"; id: string; name: string }[] = [];

  async function loadLayouts() {
    const items = await listLayouts(venueSel.value);
    layoutSel.replaceChildren(
      ...items.map((l) =>
        h(
          "option",
          { value: l.id, selected: l.id === params.get("layout") },
          `${l.name} (${l.seatCount} seats${l.gaCapacity ? `, ${l.gaCapacity} standing` : ""})`,
        ),
      ),
    );
    await loadPlaces();
  }
  async function loadPlaces() {
    if (!layoutSel.value) return;
    const l = await api<Doc>("GET", `/v1/admin/layouts/${encodeURIComponent(layoutSel.value)}`);
    places = [
      ...l.document.sections.map((s) => ({ kind: "sections" as const, id: s.id, name: s.name })),
      ...l.document.areas.map((a) => ({ kind: "areas" as const, id: a.id, name: a.name })),
    ];
    tiersBox.replaceChildren();
    addTier(places);
  }
  function addTier(covers: typeof places) {
    const n = tiersBox.children.length + 1;
    tiersBox.appendChild(
      h(
        "fieldset",
        { class: "builder-row tier-row", "data-testid": "tier-row" },
        h("legend", {}, `Price tier ${n}`),
        h(
          "label",
          { class: "mini" },
          "Name",
          h("input", { name: "tierName", value: n === 1 ? "Standard" : `Tier ${n}`, required: true }),
        ),
        h(
          "label",
          { class: "mini" },
          "Price",
          h("input", {
            name: "tierPrice",
            type: "number",
            min: 0,
            step: "0.01",
            value: n === 1 ? "45.00" : "30.00",
            required: true,
            class: "qty",
          }),
        ),
        h(
          "div",
          { class: "mini" },
          h("span", {}, "Applies to"),
          h(
            "div",
            { class: "checks" },
            places.map((p) =>
              h(
                "label",
                { class: "check" },
                h("input", {
                  type: "checkbox",
                  name: "covers",
                  value: `${p.kind}:${p.id}`,
                  checked: covers.includes(p),
                }),
                ` ${p.name}`,
              ),
            ),
          ),
        ),
        h(
          "button",
          {
            type: "button",
            class: "link danger",
            onclick: (e: Event) => (e.currentTarget as HTMLElement).closest("fieldset")?.remove(),
          },
          "Remove",
        ),
      ),
    );
  }
  venueSel.addEventListener("change", () => void loadLayouts());
  layoutSel.addEventListener("change", () => void loadPlaces());

  const submit = h("button", { class: "btn primary", type: "submit", "data-testid": "create-event" }, "Create event");
  const form = h(
    "form",
    { class: "panel", "data-testid": "event-form" },
    h(
      "div",
      { class: "two-col" },
      h(
        "div",
        {},
        field("Name", h("input", { name: "name", required: true })),
        field(
          "Category",
          h(
            "select",
            { name: "category" },
            CATEGORIES.map((c) => h("option", { value: c }, c)),
          ),
        ),
        field("Performers", h("input", { name: "performers", placeholder: "Comma separated" })),
        field("Description", h("textarea", { name: "description", rows: 3 })),
        field("Venue", venueSel),
        field("Layout", layoutSel),
      ),
      h(
        "div",
        {},
        field(
          "Starts",
          h("input", { name: "startsAt", type: "datetime-local", required: true, value: local(day(14, 19)) }),
        ),
        field(
          "Ends",
          h("input", { name: "endsAt", type: "datetime-local", required: true, value: local(day(14, 22)) }),
        ),
        field(
          "Sales open",
          h("input", { name: "salesStartAt", type: "datetime-local", value: local(new Date(Date.now() - 60_000)) }),
        ),
        field("Sales close", h("input", { name: "salesEndAt", type: "datetime-local", value: local(day(14, 18)) })),
        field(
          "Currency",
          h(
            "select",
            { name: "currency" },
            ["GBP", "EUR", "USD"].map((c) => h("option", { value: c }, c)),
          ),
        ),
        h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", name: "publish", checked: true, "data-testid": "publish-now" }),
          " Publish now",
        ),
        h(
          "label",
          { class: "check" },
          h("input", { type: "checkbox", name: "onSale", checked: true, "data-testid": "on-sale-now" }),
          " Open sales now",
        ),
      ),
    ),
    h("h2", {}, "Price tiers"),
    tiersBox,
    h("button", { type: "button", class: "btn", "data-testid": "add-tier", onclick: () => addTier([]) }, "+ Add tier"),
    err.el,
    h("div", { class: "actions" }, submit),
  );

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    submit.disabled = true;
    const v = formValues(form);
    const iso = (s: string | undefined) => (s ? new Date(s).toISOString() : null);
    const venue = venues.find((x) => x.id === v.venueId);
    try {
      const event = await api<AdminEvent>("POST", "/v1/admin/events", {
        organizerId: venue?.organizerId,
        venueId: v.venueId,
        layoutId: v.layoutId,
        name: v.name,
        category: v.category,
        description: v.description ?? "",
        performers: (v.performers ?? "")
          .split(",")
          .map((s) => s.trim())
          .filter(Boolean),
        startsAt: iso(v.startsAt),
        endsAt: iso(v.endsAt),
        salesStartAt: iso(v.salesStartAt),
        salesEndAt: iso(v.salesEndAt),
        currency: v.currency,
      });
      const tiers = [...tiersBox.querySelectorAll("fieldset")].map((fs, i) => {
        const get = (n: string) => fs.querySelector<HTMLInputElement>(`[name=${n}]`)!.value;
        const covers = [...fs.querySelectorAll<HTMLInputElement>("[name=covers]:checked")].map(
          (c) => c.value.split(":") as ["sections" | "areas", string],
        );
        const name = get("tierName");
        return {
          key:
            name
              .toLowerCase()
              .replace(/[^a-z0-9]+/g, "-")
              .replace(/^-|-$/g, "") || `tier-${i + 1}`,
          name,
          amount: Math.round(Number(get("tierPrice")) * 100),
          appliesTo: {
            sections: covers.filter(([k]) => k === "sections").map(([, id]) => id),
            areas: covers.filter(([k]) => k === "areas").map(([, id]) => id),
          },
        };
      });
      await api("PUT", `/v1/admin/events/${event.id}/tiers`, { tiers });
      if (v.publish) await api("POST", `/v1/admin/events/${event.id}/publish`, {});
      if (v.publish && v.onSale) await api("POST", `/v1/admin/events/${event.id}/status`, { status: "on_sale" });
      toast("Event created", "ok");
      location.href = `/admin/events/${event.id}`;
    } catch (x) {
      err.show(x);
      submit.disabled = false;
    }
  });
  mount(
    h("h1", { class: "page-title" }, "New event"),
    venues.length === 0
      ? h("p", { class: "notice" }, "Create a venue and a layout first. ", h("a", { href: "/admin/venues" }, "Venues"))
      : form,
  );
  if (venues.length) await loadLayouts();
}
