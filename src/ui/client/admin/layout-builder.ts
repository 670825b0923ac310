import { api } from "../api";
import { debounce, field, h, mount, toast } from "../dom";
import { SeatMap, type MapLayout } from "../seat-map";
import { errorBox, staff } from "./common";

type SectionIn = {
  id: string;
  name: string;
  rows: number;
  seatsPerRow: number;
  shape: "straight" | "curved";
  aisleEvery?: number;
};
type AreaIn = { id: string; name: string; capacity: number };
const COLORS = ["#7c3aed", "#0891b2", "#db2777", "#ea580c", "#2563eb", "#059669"];

/** Layout builder: sections of rows × seats (straight or curved, with aisles), GA areas, live preview. */
export async function adminLayoutBuilder(venueId: string) {
  if (!staff()) return;
  const sections: SectionIn[] = [
    { id: "STALLS", name: "Stalls", rows: 10, seatsPerRow: 20, shape: "straight", aisleEvery: 10 },
  ];
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

  const body = () => ({ sections: sections.map((s) => ({ ...s, aisleEvery: s.aisleEvery || undefined })), areas });
  const refresh = debounce(async () => {
    try {
      const doc = await api<MapLayout>("POST", "/v1/admin/layouts/generate", body());
      err.clear();
      const map = new SeatMap(doc, { fill: (_s, i) => COLORS[i % COLORS.length]! });
      preview.replaceChildren(map.el);
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
