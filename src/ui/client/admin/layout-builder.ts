import { api } from "../api";
import { debounce, field, h, mount, toast } from "../dom";
import { SeatMap, type MapLayout } from "../seat-map";
import { errorBox, staff } from "./common";
import { type Placement, placementFields, poseOf, sectionDrag } from "./layout-placement";

type SectionIn = {
  id: string;
  name: string;
  rows: number;
  seatsPerRow: number;
  shape: "straight" | "curved";
  aisleEvery?: number;
  placement: Placement;
};
type AreaIn = { id: string; name: string; capacity: number };
const COLORS = ["#7c3aed", "#0891b2", "#db2777", "#ea580c", "#2563eb", "#059669"];

/**
 * Layout builder: sections of rows × seats (straight or curved, with aisles that leave a gap), placed
 * side by side, at coordinates with a rotation, or round the stage at an angle, or dragged on the
 * preview; GA areas; a live preview from the API's generator.
 */
export async function adminLayoutBuilder(venueId: string) {
  if (!staff()) return;
  const sections: SectionIn[] = [
    {
      id: "STALLS",
      name: "Stalls",
      rows: 10,
      seatsPerRow: 20,
      shape: "straight",
      aisleEvery: 10,
      placement: { mode: "auto" },
    },
  ];
  // The stage the "around the stage" placements turn round; sent only when a section uses a pose.
  const stage = { x: 0, y: 0 };
  const areas: AreaIn[] = [];
  const err = errorBox();
  const name = h("input", { name: "name", required: true, value: "Main layout", "data-testid": "layout-name" });
  const secBox = h("div", { class: "stack" });
  const areaBox = h("div", { class: "stack" });
  const preview = h(
    "div",
    { class: "preview", "data-testid": "layout-preview" },
    h("p", { class: "muted" }, "Preview appears here."),
  );
  const totals = h("p", { class: "muted", "data-testid": "layout-totals" });

  const body = () => {
    const posed = sections.some((s) => s.placement.mode !== "auto");
    return {
      ...(posed ? { stage } : {}),
      sections: sections.map(({ placement, ...s }) => ({
        ...s,
        aisleEvery: s.aisleEvery || undefined,
        ...poseOf(placement, stage),
      })),
      areas,
    };
  };
  const refresh = debounce(async () => {
    try {
      const doc = await api<MapLayout>("POST", "/v1/admin/layouts/generate", body());
      err.clear();
      const map = new SeatMap(doc, { fill: (_s, i) => COLORS[i % COLORS.length]! });
      preview.replaceChildren(map.el);
      // Drag a section's seats to move it; it then keeps the coordinates it was dropped at.
      sectionDrag(
        map.svg,
        doc,
        (index) => {
          const p = sections[index]?.placement;
          const pose = p ? poseOf(p, stage) : {};
          return pose.x === undefined ? null : { x: pose.x, y: pose.y ?? 0, rotation: pose.rotation ?? 0 };
        },
        (index, at) => {
          const s = sections[index];
          if (!s) return;
          s.placement = { mode: "xy", x: at.x, y: at.y, rotation: at.rotation };
          renderSections();
          refresh();
        },
      );
      const seats = doc.sections.reduce((n, s) => n + s.rows.reduce((m, r) => m + r.seats.length, 0), 0);
      totals.textContent =
        `${seats} seats in ${doc.sections.length} section(s)` +
        (areas.length ? ` · ${areas.reduce((n, a) => n + a.capacity, 0)} standing` : "");
    } catch (x) {
      err.show(x);
    }
  }, 250);

  const num = (v: number | undefined, set: (n: number) => void, label: string, min = 1) =>
    h(
      "label",
      { class: "mini" },
      label,
      h("input", {
        type: "number",
        min,
        value: v ?? "",
        class: "qty",
        oninput: (e: Event) => {
          set(Number((e.target as HTMLInputElement).value));
          refresh();
        },
      }),
    );
  const text = (v: string, set: (s: string) => void, label: string, cls = "") =>
    h(
      "label",
      { class: "mini" },
      label,
      h("input", {
        value: v,
        class: cls,
        oninput: (e: Event) => {
          set((e.target as HTMLInputElement).value);
          refresh();
        },
      }),
    );

  function renderSections() {
    secBox.replaceChildren(
      ...sections.map((s, i) =>
        h(
          "fieldset",
          { class: "builder-row", "data-testid": "section-row" },
          h("legend", {}, `Section ${i + 1}`),
          text(s.id, (v) => (s.id = v), "Id", "short"),
          text(s.name, (v) => (s.name = v), "Name"),
          num(s.rows, (n) => (s.rows = n), "Rows"),
          num(s.seatsPerRow, (n) => (s.seatsPerRow = n), "Seats per row"),
          h(
            "label",
            { class: "mini" },
            "Shape",
            h(
              "select",
              {
                onchange: (e: Event) => {
                  s.shape = (e.target as HTMLSelectElement).value as SectionIn["shape"];
                  refresh();
                },
              },
              h("option", { value: "straight", selected: s.shape === "straight" }, "Straight"),
              h("option", { value: "curved", selected: s.shape === "curved" }, "Curved"),
            ),
          ),
          num(s.aisleEvery, (n) => (s.aisleEvery = n || undefined), "Aisle every", 0),
          placementFields(s.placement, stage, (p) => {
            // A new mode brings other fields; a number typed in keeps its field (and focus).
            const structural = p.mode !== s.placement.mode;
            s.placement = p;
            if (structural) renderSections();
            refresh();
          }),
          h(
            "button",
            {
              type: "button",
              class: "link danger",
              onclick: () => {
                sections.splice(i, 1);
                renderSections();
                refresh();
              },
            },
            "Remove",
          ),
        ),
      ),
    );
  }
  function renderAreas() {
    areaBox.replaceChildren(
      ...areas.map((a, i) =>
        h(
          "fieldset",
          { class: "builder-row" },
          h("legend", {}, `Standing area ${i + 1}`),
          text(a.id, (v) => (a.id = v), "Id", "short"),
          text(a.name, (v) => (a.name = v), "Name"),
          num(a.capacity, (n) => (a.capacity = n), "Capacity"),
          h(
            "button",
            {
              type: "button",
              class: "link danger",
              onclick: () => {
                areas.splice(i, 1);
                renderAreas();
                refresh();
              },
            },
            "Remove",
          ),
        ),
      ),
    );
  }

  const save = h("button", { type: "submit", class: "btn primary", "data-testid": "save-layout" }, "Save layout");
  const form = h(
    "form",
    { class: "panel" },
    field("Layout name", name),
    h(
      "fieldset",
      { class: "builder-row" },
      h("legend", {}, "Stage"),
      num(stage.x, (n) => (stage.x = n), "Stage X", -100_000),
      num(stage.y, (n) => (stage.y = n), "Stage Y", -100_000),
      h("span", { class: "muted" }, "Used by sections placed at coordinates or around the stage."),
    ),
    h("h2", {}, "Seated sections"),
    secBox,
    h(
      "button",
      {
        type: "button",
        class: "btn",
        "data-testid": "add-section",
        onclick: () => {
          sections.push({
            id: `S${sections.length + 1}`,
            name: `Section ${sections.length + 1}`,
            rows: 8,
            seatsPerRow: 16,
            shape: "straight",
            placement: { mode: "auto" },
          });
          renderSections();
          refresh();
        },
      },
      "+ Add section",
    ),
    h("h2", {}, "Standing areas"),
    areaBox,
    h(
      "button",
      {
        type: "button",
        class: "btn",
        "data-testid": "add-area",
        onclick: () => {
          areas.push({ id: `GA${areas.length + 1}`, name: "Standing", capacity: 100 });
          renderAreas();
          refresh();
        },
      },
      "+ Add standing area",
    ),
    err.el,
    h("div", { class: "actions" }, save),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    save.disabled = true;
    try {
      const saved = await api<{ id: string }>("POST", `/v1/admin/venues/${encodeURIComponent(venueId)}/layouts`, {
        name: name.value,
        generate: body(),
      });
      toast("Layout saved", "ok");
      location.href = `/admin/events/new?venue=${encodeURIComponent(venueId)}&layout=${encodeURIComponent(saved.id)}`;
    } catch (x) {
      err.show(x);
      save.disabled = false;
    }
  });
  renderSections();
  renderAreas();
  mount(
    h("p", { class: "eyebrow" }, h("a", { href: "/admin/venues" }, "Venues"), " / New layout"),
    h("h1", { class: "page-title" }, "Layout builder"),
    h(
      "div",
      { class: "builder" },
      form,
      h("section", { class: "panel sticky" }, h("h2", {}, "Preview"), totals, preview),
    ),
  );
  refresh();
}
