import { api, ApiError } from "../api";
import { field, formValues, h, mount, toast } from "../dom";
import { errorBox, listLayouts, listVenues, staff, type AdminEvent } from "./common";

type Doc = {
  document: {
    sections: { id: string; name: string; rows?: { seats?: { id: string }[] }[] }[];
    areas: { id: string; name: string }[];
  };
};
type PublishProblem = { code: string; message: string; seats?: string[]; areas?: string[] };
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
  /** The section of each seat of the chosen layout, to point an unpriced seat at its section's box. */
  const sectionOf = new Map<string, string>();

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
    sectionOf.clear();
    for (const s of l.document.sections)
      for (const r of s.rows ?? []) for (const seat of r.seats ?? []) sectionOf.set(seat.id, s.id);
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

  const problemsBox = h("section", {
    class: "notice problems",
    tabindex: -1,
    hidden: true,
    role: "alert",
    "aria-labelledby": "problems-h",
    "data-testid": "problems",
  });
  const draftNote = h(
    "p",
    { class: "muted", hidden: true, "data-testid": "draft-note" },
    "Saved as a draft. Fix what is listed and submit again: the same draft is updated and published, no new one.",
  );
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
    problemsBox,
    err.el,
    draftNote,
    h("div", { class: "actions" }, submit),
  );

  /**
   * One intended event, one draft. The create carries an Idempotency-Key made when the form opened,
   * so a create whose answer was lost is resent with the same key and body and replays the same draft
   * instead of making a second; once the draft is known, every further submit edits it (PATCH, PUT
   * tiers) and publishes it again. A failed publish leaves that one draft, still open here for fixing:
   * deleting it would lose the organizer's work and could itself fail, leaving the stray it meant to avoid.
   */
  let draft: AdminEvent | null = null;
  let createKey = crypto.randomUUID();
  /** The create body sent with `createKey` whose answer never came (network error or 5xx). */
  let unanswered: Record<string, unknown> | null = null;

  async function saveDraft(details: Record<string, unknown>): Promise<AdminEvent> {
    if (draft) {
      const { organizerId: _, currency, ...edit } = details;
      const patch = currency === draft.currency ? edit : { ...edit, currency };
      return api<AdminEvent>("PATCH", `/v1/admin/events/${draft.id}`, patch);
    }
    const body = unanswered ?? details;
    try {
      const created = await api<AdminEvent>("POST", "/v1/admin/events", body, {
        headers: { "Idempotency-Key": createKey },
      });
      unanswered = null;
      draft = created;
      // The replayed create may predate the latest edits of the form.
      return body === details ? created : saveDraft(details);
    } catch (x) {
      if (x instanceof ApiError && x.status < 500 && x.status !== 429) {
        // A refusal created nothing: the corrected form is a new request, under a new key.
        createKey = crypto.randomUUID();
        unanswered = null;
      } else unanswered = body;
      throw x;
    }
  }

  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    clearProblems();
    submit.disabled = true;
    const v = formValues(form);
    const iso = (s: string | undefined) => (s ? new Date(s).toISOString() : null);
    const venue = venues.find((x) => x.id === v.venueId);
    try {
      const event = await saveDraft({
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
      draft = event;
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
      toast(v.publish ? "Event created" : "Draft saved", "ok");
      location.href = `/admin/events/${event.id}`;
    } catch (x) {
      if (!showProblems(x)) err.show(x);
      if (draft) {
        draftNote.hidden = false;
        submit.textContent = "Save and publish";
      }
      submit.disabled = false;
    }
  });

  /** Where a problem belongs in the form: the input to focus, and the block to show it in. */
  function fieldFor(path: string, p?: PublishProblem): HTMLElement | null {
    const q = <T extends HTMLElement>(sel: string) => form.querySelector<T>(sel);
    const tier = /^tiers\.(\d+)/.exec(path);
    if (tier) {
      const fs = tiersBox.querySelectorAll("fieldset")[Number(tier[1])];
      if (!fs) return tiersBox;
      if (/\.name$/.test(path)) return fs.querySelector("[name=tierName]");
      if (/\.amount$/.test(path)) return fs.querySelector("[name=tierPrice]");
      return fs.querySelector("[name=covers]") ?? fs;
    }
    const firstTier = tiersBox.querySelector("fieldset");
    const cover = (value: string) =>
      firstTier?.querySelector<HTMLInputElement>(`[name=covers][value="${CSS.escape(value)}"]`) ?? firstTier;
    switch (p?.code ?? path) {
      case "ends_before_start":
        return q("[name=endsAt]");
      case "sales_end_before_start":
        return q("[name=salesEndAt]");
      case "no_tiers":
        return q("[data-testid=add-tier]");
      case "unpriced_areas":
        return cover(`areas:${p?.areas?.[0] ?? ""}`);
      case "unpriced_seats":
        return cover(`sections:${sectionOf.get(p?.seats?.[0] ?? "") ?? ""}`);
    }
    return q(`[name="${CSS.escape(path.split(".")[0] ?? "")}"]`);
  }

  /** Lists each of the API's problems with its reason, each a link to its field; false if there were none. */
  function showProblems(x: unknown): boolean {
    if (!(x instanceof ApiError)) return false;
    const items: { message: string; field: HTMLElement | null }[] = [];
    for (const p of (x.problem.problems as PublishProblem[] | undefined) ?? [])
      items.push({ message: p.message, field: fieldFor(p.code, p) });
    for (const e of x.problem.errors ?? []) items.push({ message: e.message, field: fieldFor(e.path) });
    if (!items.length) return false;
    problemsBox.hidden = false;
    problemsBox.replaceChildren(
      h("h2", { id: "problems-h" }, x.problem.code === "publish_refused" ? "Not published yet" : "Please fix"),
      h(
        "ul",
        { "data-testid": "form-problems" },
        items.map(({ message, field }, i) =>
          h(
            "li",
            {},
            field
              ? h(
                  "a",
                  {
                    href: `#problem-${i}`,
                    onclick: (ev: Event) => {
                      ev.preventDefault();
                      field.focus();
                    },
                  },
                  message,
                )
              : message,
          ),
        ),
      ),
    );
    items.forEach(({ message, field }, i) => {
      if (!field) return;
      field.setAttribute("aria-invalid", "true");
      const block = field.closest("fieldset") ?? field.closest(".field") ?? field.parentElement;
      block?.append(h("p", { class: "form-error field-problem", id: `problem-${i}`, role: "note" }, message));
      field.setAttribute("aria-describedby", `problem-${i}`);
    });
    problemsBox.focus();
    return true;
  }
  function clearProblems() {
    problemsBox.hidden = true;
    for (const el of form.querySelectorAll(".field-problem")) el.remove();
    for (const el of form.querySelectorAll("[aria-invalid]")) {
      el.removeAttribute("aria-invalid");
      el.removeAttribute("aria-describedby");
    }
  }
  mount(
    h("h1", { class: "page-title" }, "New event"),
    venues.length === 0
      ? h("p", { class: "notice" }, "Create a venue and a layout first. ", h("a", { href: "/admin/venues" }, "Venues"))
      : form,
  );
  if (venues.length) await loadLayouts();
}
