import { api } from "../api";
import { field, h, toast } from "../dom";
import { errorText, listLayouts, type AdminEvent, type AdminTier } from "./common";
import { clearFieldErrors, showFieldErrors } from "./field-errors";

type EditLock = { code: string; reason: string };
/** The admin event detail, as much of it as the edit page reads. */
export type EditableEvent = AdminEvent & {
  description: string;
  performers: string[];
  holdSeconds: number;
  maxSeatsPerOrder: number;
  maxSeatsPerUser: number | null;
  refundDeadlineHours: number | null;
  firstSaleAt: string | null;
  tiers: AdminTier[];
  layout: { sections: { id: string; name: string; seats: number }[]; areas: { id: string; name: string }[] };
  locks: { tiers: EditLock | null; layout: EditLock | null };
};
// A bare group: disabling it disables every control inside (the lock) without drawing a box.
const BARE = "border:0;padding:0;margin:0;min-width:0";
type AppliesTo = AdminTier["appliesTo"] & { rows?: { section: string; row: string }[]; seats?: string[] };

/** The lock's reason as text beside the controls it disables; nothing when the edit is allowed. */
function lockNote(lock: EditLock | null, testid: string) {
  return lock ? h("p", { class: "notice lock-reason", "data-testid": testid }, lock.reason) : null;
}

const slug = (s: string) =>
  s
    .toLowerCase()
    .replace(/[^a-z0-9]+/g, "-")
    .replace(/^-|-$/g, "")
    .slice(0, 56);

/** The tiers of an event, replaced as a whole (the API's PUT), while no ticket has sold. */
export async function tiersPanel(event: EditableEvent, path: string) {
  const lock = event.locks.tiers;
  const rows = h("div", { class: "stack" });
  const general = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "tiers-error" });
  const places = [
    ...event.layout.sections.map((s) => ({ value: `sections:${s.id}`, name: s.name })),
    ...event.layout.areas.map((a) => ({ value: `areas:${a.id}`, name: a.name })),
  ];

  function addRow(t: Partial<AdminTier> & { appliesTo?: AppliesTo }) {
    const covers = new Set([
      ...(t.appliesTo?.sections ?? []).map((id) => `sections:${id}`),
      ...(t.appliesTo?.areas ?? []).map((id) => `areas:${id}`),
    ]);
    const fixedRows = t.appliesTo?.rows ?? [];
    const n = rows.children.length + 1;
    rows.append(
      h(
        "fieldset",
        {
          class: "builder-row tier-row",
          "data-testid": "edit-tier",
          "data-key": t.key ?? "",
          "data-rows": JSON.stringify(fixedRows),
        },
        h("legend", {}, `Price tier ${n}`),
        h("label", { class: "mini" }, "Name", h("input", { name: "tierName", value: t.name ?? "", required: true })),
        h(
          "label",
          { class: "mini" },
          `Price (${event.currency})`,
          h("input", {
            name: "tierPrice",
            type: "number",
            min: 0,
            step: "0.01",
            class: "qty",
            value: t.amount === undefined ? "" : (t.amount / 100).toFixed(2),
          }),
        ),
        h(
          "div",
          // Not `.mini`: its input width rule would stretch the checkboxes.
          { style: "display:flex;flex-direction:column;gap:.2rem" },
          h("span", { class: "mini" }, "Applies to"),
          h(
            "div",
            { class: "checks" },
            places.map((p) =>
              h(
                "label",
                { class: "check" },
                h("input", { type: "checkbox", name: "covers", value: p.value, checked: covers.has(p.value) }),
                ` ${p.name}`,
              ),
            ),
          ),
        ),
        h(
          "label",
          { class: "mini" },
          "Single seats",
          h("input", { name: "tierSeats", value: (t.appliesTo?.seats ?? []).join(", "), placeholder: "STALLS-A-1, …" }),
        ),
        fixedRows.length
          ? h("p", { class: "muted small" }, `Also ${fixedRows.length} whole row(s), kept as they are`)
          : null,
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

  const read = () => {
    const taken = new Set<string>();
    return [...rows.querySelectorAll<HTMLFieldSetElement>("fieldset")].map((fs, i) => {
      const get = (n: string) => fs.querySelector<HTMLInputElement>(`[name=${n}]`)!.value;
      const picked = [...fs.querySelectorAll<HTMLInputElement>("[name=covers]:checked")].map((c) => c.value);
      const ids = (kind: string) => picked.filter((v) => v.startsWith(`${kind}:`)).map((v) => v.slice(kind.length + 1));
      const seats = get("tierSeats")
        .split(",")
        .map((s) => s.trim())
        .filter(Boolean);
      const fixedRows = JSON.parse(fs.dataset.rows ?? "[]") as { section: string; row: string }[];
      // A tier keeps its key (holds and reports name it); a new one takes its name's, made unique.
      let key = fs.dataset.key || slug(get("tierName")) || `tier-${i + 1}`;
      while (taken.has(key)) key = `${key}-${i + 1}`;
      taken.add(key);
      const appliesTo: AppliesTo = { sections: ids("sections"), areas: ids("areas") };
      if (seats.length) appliesTo.seats = seats;
      if (fixedRows.length) appliesTo.rows = fixedRows;
      return { key, name: get("tierName"), amount: Math.round(Number(get("tierPrice")) * 100), appliesTo };
    });
  };

  /** The input a field error's path (`tiers.1.amount`) points at. */
  function inputFor(p: string): HTMLElement | null {
    const m = /^tiers\.(\d+)(?:\.(\w+))?(?:\.(\w+))?/.exec(p);
    const fs = m ? rows.querySelectorAll("fieldset")[Number(m[1])] : undefined;
    if (!fs) return null;
    if (m![2] === "name") return fs.querySelector("[name=tierName]");
    if (m![2] === "amount") return fs.querySelector("[name=tierPrice]");
    if (m![3] === "seats") return fs.querySelector("[name=tierSeats]");
    return fs.querySelector("[name=covers]") ?? fs.querySelector("[name=tierSeats]");
  }

  const saveBtn = h("button", { type: "submit", class: "btn primary", "data-testid": "save-tiers" }, "Save tiers");
  const controls = h(
    "fieldset",
    { style: BARE, disabled: lock !== null, "data-testid": "tier-controls" },
    rows,
    h("button", { type: "button", class: "btn", "data-testid": "edit-add-tier", onclick: () => addRow({}) }, "+ Tier"),
    general,
    h("div", { class: "actions" }, saveBtn),
  );
  const form = h(
    "form",
    { class: "panel", "data-testid": "tiers-form", "aria-labelledby": "tiers-h", novalidate: true },
    h("h2", { id: "tiers-h" }, "Price tiers"),
    lockNote(lock, "tiers-lock"),
    controls,
  );
  for (const t of event.tiers) addRow(t);
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    clearFieldErrors(form);
    general.hidden = true;
    saveBtn.disabled = true;
    try {
      const saved = await api<{ items: AdminTier[] }>("PUT", `${path}/tiers`, { tiers: read() });
      rows.replaceChildren();
      for (const t of saved.items) addRow(t);
      toast("Tiers saved: new holds take the new prices", "ok");
    } catch (x) {
      const loose = showFieldErrors(x, inputFor);
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

/** Which of the venue's layouts the event uses, while nothing is sold. */
export async function layoutPanel(event: EditableEvent, path: string) {
  const lock = event.locks.layout;
  const layouts = await listLayouts(event.venueId);
  const err = h("p", { class: "form-error", role: "alert", hidden: true, "data-testid": "layout-error" });
  const select = h(
    "select",
    { name: "layoutId", "data-testid": "edit-layout-select" },
    layouts.map((l) =>
      h(
        "option",
        { value: l.id, selected: l.id === event.layoutId },
        `${l.name} (${l.seatCount} seats${l.gaCapacity ? `, ${l.gaCapacity} standing` : ""})`,
      ),
    ),
  );
  const form = h(
    "form",
    { class: "panel", "data-testid": "layout-form", "aria-labelledby": "layout-h" },
    h("h2", { id: "layout-h" }, "Layout"),
    lockNote(lock, "layout-lock"),
    h(
      "fieldset",
      { style: BARE, disabled: lock !== null, "data-testid": "layout-controls" },
      field("Layout", select, "Tiers must cover the new layout's sections and areas"),
      err,
      h("div", { class: "actions" }, h("button", { type: "submit", class: "btn" }, "Use this layout")),
    ),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.hidden = true;
    if (select.value === event.layoutId) return toast("That layout is already in use", "info");
    try {
      await api("PATCH", path, { layoutId: select.value });
      toast("Layout changed", "ok");
      // The tier editor lists the layout's sections, so it starts again from the new one.
      location.reload();
    } catch (x) {
      err.hidden = false;
      err.textContent = errorText(x);
    }
  });
  return form;
}
