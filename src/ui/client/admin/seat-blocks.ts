import { api } from "../api";
import { h, toast } from "../dom";
import { LiveSeats } from "../live";
import { SeatMap, type MapLayout, type SeatView } from "../seat-map";
import { errorText } from "./common";

const WORD: Record<string, string> = { a: "available", h: "held", s: "sold", b: "blocked" };
type BlockResult = { changed: string[]; version: number; reason: string | null };

/**
 * The event's live map in the portal, for holding seats back: pick seats (click, Shift+click for
 * the run from the last pick, a mouse drag for a box, or the arrow keys with Space and
 * Shift+Space), then Block them with a reason or Unblock them. The picked seats are also a list
 * with a Remove button each, so the selection can be checked and trimmed without the map.
 */
export async function seatBlocksPanel(eventId: string): Promise<HTMLElement | null> {
  const layout = await api<MapLayout>("GET", `/v1/events/${encodeURIComponent(eventId)}/layout`);
  if (!layout.sections.some((s) => s.rows.some((r) => r.seats.length))) return null;
  const names = new Map<string, string>();
  for (const s of layout.sections)
    for (const r of s.rows)
      for (const seat of r.seats) names.set(seat.id, `${s.name} · Row ${r.label} · Seat ${seat.label}`);
  const order = [...names.keys()];
  const selected = new Set<string>();
  let anchor: string | null = null;
  const stateOf = (sid: string) => live.state.seats[sid] ?? "b";
  const describe = (sid: string) => `${names.get(sid) ?? sid}, ${WORD[stateOf(sid)] ?? "unknown"}`;

  const map = new SeatMap(layout, {
    fill: () => "#64748b",
    describe,
    onToggle: (sid, ev) => {
      if (ev.shiftKey && anchor && anchor !== sid) {
        const [i, j] = [order.indexOf(anchor), order.indexOf(sid)].sort((x, y) => x - y);
        for (const id of order.slice(i, j + 1)) selected.add(id);
      } else if (selected.has(sid)) selected.delete(sid);
      else selected.add(sid);
      anchor = sid;
      render();
    },
    onBox: (ids) => {
      for (const id of ids) selected.add(id);
      render();
    },
  });
  const live = new LiveSeats(eventId, {
    onChange: (seats) => {
      for (const sid of seats ?? order) map.setView(sid, stateOf(sid) as SeatView, describe(sid));
      renderList();
    },
  });

  const list = h("ul", { class: "seat-list", "data-testid": "block-selection", "aria-label": "Selected seats" });
  const count = h("p", { class: "muted small", "aria-live": "polite", "data-testid": "block-count" });
  const reason = h("input", {
    name: "blockReason",
    maxlength: 500,
    placeholder: "e.g. camera platform",
    "data-testid": "block-reason",
  });
  const blockBtn = h("button", { type: "button", class: "btn danger", "data-testid": "block-seats" }, "Block");
  const unblockBtn = h("button", { type: "button", class: "btn", "data-testid": "unblock-seats" }, "Unblock");
  const clearBtn = h("button", { type: "button", class: "link", "data-testid": "block-clear" }, "Clear selection");

  function renderList() {
    const ids = order.filter((id) => selected.has(id));
    count.textContent = ids.length ? `${ids.length} seat(s) selected` : "No seats selected";
    list.replaceChildren(
      ...ids.map((sid) =>
        h(
          "li",
          { "data-picked": sid },
          h("span", {}, describe(sid)),
          h(
            "button",
            {
              type: "button",
              class: "link",
              "aria-label": `Remove ${names.get(sid) ?? sid}`,
              onclick: () => {
                selected.delete(sid);
                render();
              },
            },
            "Remove",
          ),
        ),
      ),
    );
    blockBtn.disabled = !ids.some((id) => stateOf(id) === "a");
    unblockBtn.disabled = !ids.some((id) => stateOf(id) === "b");
  }
  function render() {
    for (const sid of order) {
      map.setView(sid, stateOf(sid) as SeatView, describe(sid));
      map.setPicked(sid, selected.has(sid));
    }
    renderList();
  }

  async function change(action: "block" | "unblock") {
    const from = action === "block" ? "a" : "b";
    const seats = order.filter((id) => selected.has(id) && stateOf(id) === from);
    const why = reason.value.trim();
    if (action === "block" && !why) {
      reason.setAttribute("aria-invalid", "true");
      reason.focus();
      return toast("Say why these seats are blocked", "error");
    }
    reason.removeAttribute("aria-invalid");
    const skipped = [...selected].length - seats.length;
    try {
      const r = await api<BlockResult>(
        "POST",
        `/v1/admin/events/${encodeURIComponent(eventId)}/seats/${action}`,
        action === "block" ? { seats, reason: why } : why ? { seats, reason: why } : { seats },
      );
      // The map follows the live feed; until its next delta, show what the answer says.
      for (const id of r.changed) live.state.seats[id] = action === "block" ? "b" : "a";
      selected.clear();
      render();
      const note = skipped
        ? ` (${skipped} not ${action === "block" ? "available" : "blocked"}, left as they were)`
        : "";
      toast(`${action === "block" ? "Blocked" : "Unblocked"} ${r.changed.length} seat(s)${note}`, "ok");
    } catch (x) {
      toast(errorText(x), "error");
    }
  }
  blockBtn.addEventListener("click", () => void change("block"));
  unblockBtn.addEventListener("click", () => void change("unblock"));
  clearBtn.addEventListener("click", () => {
    selected.clear();
    render();
  });

  const legend = h(
    "ul",
    { class: "legend", "aria-label": "Legend" },
    h("li", {}, h("i", { class: "st-a" }), "Available"),
    h("li", {}, h("i", { class: "st-picked" }), "Selected"),
    h("li", {}, h("i", { class: "st-h" }), "Held"),
    h("li", {}, h("i", { class: "st-s" }), "Sold"),
    h("li", { "data-testid": "legend-blocked" }, h("i", { class: "st-b" }), "Blocked"),
  );
  const panel = h(
    "section",
    { class: "panel", "aria-labelledby": "blocks-h", "data-testid": "seat-blocks" },
    h("h2", { id: "blocks-h" }, "Seats on the map"),
    h(
      "p",
      { class: "muted small" },
      "Click seats to select them, Shift+click for a run, or drag a box. On the keyboard: arrow keys, Space, and " +
        "Shift+Space for a run.",
    ),
    h(
      "div",
      { class: "event-grid" },
      h("div", { class: "map-col" }, legend, map.el),
      h(
        "div",
        {},
        count,
        list,
        h("label", { class: "mini" }, "Reason (required to block)", reason),
        h("div", { class: "actions" }, blockBtn, unblockBtn, clearBtn),
      ),
    ),
  );
  renderList();
  await live.start();
  return panel;
}
