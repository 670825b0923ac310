import { api, ApiError, currentUser, publicJson } from "../api";
import { append, h, mount, toast } from "../dom";
import { countdown, dateTime, money, titleCase } from "../format";
import { LiveSeats } from "../live";
import { OVERVIEW_ABOVE, StadiumMap } from "../map/stadium-map";
import { seatCount } from "../map/sections";
import { SeatMap, type MapLayout, type MapSeat, type SeatView } from "../seat-map";
import { TakenNotices } from "../taken-notice";
import type { Checkout, EventDetail, Hold, Order, OrderSummary } from "../types";
import { queuePage, type AdmittedRoom } from "./queue-panel";
import { keepPicked, keepSignInReason, type LiveHold, myLiveHolds, takePicked, tryAnotherCard } from "./resume";

const PALETTE = ["#7c3aed", "#0891b2", "#db2777", "#ea580c", "#2563eb", "#059669", "#ca8a04", "#9333ea"];
const STATE_WORD: Record<SeatView, string> = {
  a: "available",
  h: "held",
  s: "sold",
  b: "blocked, not for sale",
  selected: "selected",
  mine: "held for you",
};
type MyHold = {
  holdId: string;
  seats: string[];
  area?: { id: string; quantity: number };
  amount: number;
  currency: string;
  expiresAt: number;
  key: string;
  /** While checking out: the order awaiting payment (the panel then offers Pay). */
  orderId?: string | null;
};

/**
 * The event page: live seat map, picking, best-available, GA areas, the hold and checkout. While
 * the waiting room is on, the queue page runs instead and calls back here with `room` once the
 * fan is admitted (holds and checkout then carry the admission token).
 */
export async function eventPage(id: string, room?: AdmittedRoom) {
  const [event, layout] = await Promise.all([
    publicJson<EventDetail>(`/v1/events/${encodeURIComponent(id)}`),
    publicJson<MapLayout & { areas: (MapLayout["areas"][number] & { tier: string | null })[] }>(
      `/v1/events/${encodeURIComponent(id)}/layout`,
    ),
  ]);
  document.title = `${event.name} · Edge Tickets`;
  if (event.waitingRoom && !room) return queuePage(event, (r) => eventPage(id, r));
  const admission = (): Record<string, string> => {
    const t = room?.token();
    return t ? { "X-Admission-Token": t } : {};
  };
  const refused = (err: unknown) =>
    room && err instanceof ApiError && err.status === 403 && err.problem.code?.startsWith("admission_");
  const tiers = new Map(event.tiers.map((t, i) => [t.key, { ...t, color: PALETTE[i % PALETTE.length]! }]));
  const meta = new Map<
    string,
    { row: string; label: string; section: string; tier: string | null; accessible: boolean }
  >();
  for (const s of layout.sections)
    for (const r of s.rows)
      for (const seat of r.seats)
        meta.set(seat.id, {
          row: r.label,
          label: seat.label,
          section: s.name,
          tier: seat.tier ?? null,
          accessible: !!seat.accessible,
        });
  const storeKey = `hold:${id}`;
  const selected = new Set<string>();
  /** Seats of a hold request on its way: their change to "held" is ours even before the answer. */
  const requested = new Set<string>();
  let hold: MyHold | null = JSON.parse(sessionStorage.getItem(storeKey) ?? "null") as MyHold | null;
  let clockOffset = 0;
  const onSale = event.salesStatus === "on_sale";

  const priceOf = (tier: string | null | undefined) =>
    tier && tiers.get(tier) ? money(tiers.get(tier)!.amount, event.currency) : "not priced";
  const viewOf = (sid: string): SeatView => {
    if (hold?.seats.includes(sid)) return "mine";
    const code = live.state.seats[sid] ?? "b";
    return code === "a" && selected.has(sid) ? "selected" : code;
  };
  /** "Stalls · Row B · Seat 3", as people say it. */
  const placeName = (sid: string) => {
    const m = meta.get(sid);
    return m ? `${m.section} · Row ${m.row} · Seat ${m.label}` : sid;
  };
  const describe = (sid: string) => {
    const m = meta.get(sid);
    if (!m) return sid;
    const access = m.accessible ? ", wheelchair accessible" : "";
    return `Row ${m.row} seat ${m.label}, ${m.section}, ${priceOf(m.tier)}, ${STATE_WORD[viewOf(sid)]}${access}`;
  };

  // Seat states mean nothing at a standing-only event: its areas and quantities say it all.
  const legend = !layout.sections.length
    ? null
    : h(
        "ul",
        { class: "legend", "aria-label": "Legend" },
        [...tiers.values()].map((t) =>
          h("li", {}, h("i", { style: `background:${t.color}` }), `${t.name} ${money(t.amount, event.currency)}`),
        ),
        h("li", {}, h("i", { class: "st-selected" }), "Selected"),
        h("li", {}, h("i", { class: "st-mine" }), "Yours"),
        h("li", {}, h("i", { class: "st-h" }), "Held"),
        h("li", {}, h("i", { class: "st-s" }), "Sold"),
        h("li", { "data-testid": "legend-blocked" }, h("i", { class: "st-b" }), "Blocked"),
      );

  /** Shows a seat's state; its spoken label is worded only while the seat is drawn (a stadium draws one section). */
  const paint = (sid: string) => map.setView(sid, viewOf(sid), map.draws(sid) ? describe(sid) : undefined);
  const fill = (seat: MapSeat) => (seat.tier && tiers.get(seat.tier)?.color) || "#64748b";
  // A big venue opens on its sections (a few nodes each), then one section's seats at finger size.
  const map =
    seatCount(layout) > OVERVIEW_ABOVE
      ? new StadiumMap(layout, {
          fill,
          onToggle: (sid) => toggle(sid),
          describe,
          priceOf: (tier) => (tier ? tiers.get(tier)?.amount : undefined),
          money: (minor) => money(minor, event.currency),
          legend,
        })
      : new SeatMap(layout, {
          fill,
          onToggle: (sid) => toggle(sid),
          onArea: (aid) => document.querySelector<HTMLInputElement>(`[data-area-qty="${CSS.escape(aid)}"]`)?.focus(),
          describe,
          areaText: (a) => `${a.capacity} standing`,
        });

  const modeBadge = h("span", { class: "badge", "data-testid": "live-mode" }, "Connecting…");
  const selectionBox = h("section", { class: "panel", "aria-labelledby": "sel-h" });
  const holdBox = h("section", {
    class: "panel hold-panel",
    "data-testid": "hold-panel",
    hidden: true,
    "aria-live": "polite",
  });
  const soldOut = h(
    "p",
    { class: "notice", hidden: true, "data-testid": "sold-out" },
    "Sold out — every seat is taken or held. Held seats come back if their holds lapse.",
  );
  const retryBox = h("section", { class: "panel", "data-testid": "retry-panel", hidden: true });
  const areaRows = new Map<string, HTMLElement>();
  const notices = new TakenNotices();

  const live = new LiveSeats(id, {
    onChange: (seats, areas, mine) => {
      const taken: string[] = [];
      let dropped = false;
      for (const sid of seats ?? map.seatIds()) {
        if (selected.has(sid) && live.state.seats[sid] !== "a") {
          selected.delete(sid);
          dropped = true;
          // Only someone else's change is news: this fan's own hold (this tab or another) is not.
          if (!mine.has(sid) && !requested.has(sid) && !hold?.seats.includes(sid)) taken.push(sid);
        }
        paint(sid);
      }
      if (taken.length) notices.report(taken.map((sid) => describe(sid).split(", ").slice(0, 2).join(", ")));
      if (dropped) renderSelection();
      for (const aid of areas ?? layout.areas.map((a) => a.id)) {
        const left = live.state.areas[aid];
        if (left === undefined) continue;
        map.setAreaText(aid, `${left} left`);
        const row = areaRows.get(aid);
        if (row) row.textContent = left > 0 ? `${left} left` : "Sold out";
      }
    },
    onHold: (m) => {
      clockOffset = m.serverTime - Date.now();
      if (!hold || m.holdId !== hold.holdId) return;
      if (m.status === "released" || m.status === "expired") {
        toast(m.status === "expired" ? "Your hold expired; the seats are back on sale" : "Hold released", "error");
        setHold(null);
      } else {
        hold.expiresAt = m.expiresAt;
        saveHold();
      }
    },
    onSoldOut: () => (soldOut.hidden = false),
    onMode: (mode) => {
      modeBadge.textContent = mode === "live" ? "● Live" : mode === "polling" ? "Updating every 2 s" : "Connecting…";
      modeBadge.className = `badge ${mode === "live" ? "badge-live" : ""}`;
    },
  });

  /** Seats tapped before the seat states (and the fan's own holds) arrived: picked once they have. */
  let early: string[] | null = [];
  function toggle(sid: string) {
    if (early) {
      if (!early.includes(sid)) early.push(sid);
      return;
    }
    if (!onSale) return toast("This event is not on sale", "error");
    if (hold) return toast("You already hold seats: check out or release them first", "error");
    if (live.state.seats[sid] !== "a") return toast(`${describe(sid)} — not available`, "error");
    if (selected.has(sid)) selected.delete(sid);
    else if (selected.size >= event.maxSeatsPerOrder)
      return toast(`At most ${event.maxSeatsPerOrder} seats per order`, "error");
    else selected.add(sid);
    paint(sid);
    renderSelection();
  }

  function renderSelection() {
    const ids = [...selected];
    const total = ids.reduce((n, sid) => n + (tiers.get(meta.get(sid)?.tier ?? "")?.amount ?? 0), 0);
    selectionBox.replaceChildren(
      h("h2", { id: "sel-h" }, "Your seats"),
      ids.length === 0
        ? h("p", { class: "muted" }, "Tap seats on the map to pick them.")
        : h(
            "ul",
            { class: "seat-list", "data-testid": "selection" },
            ids.map((sid) =>
              h(
                "li",
                {},
                h("span", {}, describe(sid).split(", ").slice(0, 3).join(", ")),
                h(
                  "button",
                  {
                    type: "button",
                    class: "link",
                    "aria-label": `Remove ${describe(sid)}`,
                    onclick: () => toggle(sid),
                  },
                  "Remove",
                ),
              ),
            ),
          ),
      h(
        "div",
        { class: "row-between" },
        h("strong", {}, ids.length ? money(total, event.currency) : ""),
        h(
          "button",
          {
            type: "button",
            class: "btn primary",
            "data-testid": "hold-button",
            disabled: ids.length === 0 || !onSale,
            onclick: () => placeHold({ seats: ids }),
          },
          ids.length ? `Hold ${ids.length} seat${ids.length > 1 ? "s" : ""}` : "Hold seats",
        ),
      ),
    );
  }

  async function placeHold(body: Record<string, unknown>) {
    if (!currentUser()) {
      // The picked seats come back selected after sign-in, and the sign-in page says why it appeared.
      const seats = (body.seats as string[] | undefined) ?? [];
      if (seats.length) keepPicked(id, seats);
      const area = layout.areas.find((a) => a.id === body.area)?.name;
      keepSignInReason(
        location.pathname,
        `Sign in to hold ${seats.length ? seats.map(placeName).join(", ") : (area ?? "your seats")}`,
      );
      location.href = `/login?next=${encodeURIComponent(location.pathname)}`;
      return;
    }
    for (const sid of (body.seats as string[] | undefined) ?? []) requested.add(sid);
    try {
      const r = await api<Hold>("POST", `/v1/events/${encodeURIComponent(id)}/holds`, body, { headers: admission() });
      selected.clear();
      setHold({
        holdId: r.holdId,
        seats: r.seats.map((s) => s.id),
        area: r.area,
        amount: r.amount,
        currency: r.currency,
        expiresAt: Date.parse(r.expiresAt),
        key: crypto.randomUUID(),
      });
      // No toast: the hold panel (a polite live region) says "Held for you" beside the map.
    } catch (err) {
      if (refused(err)) return room!.refused();
      const conflicts = err instanceof ApiError ? (err.problem.conflicts as string[] | undefined) : undefined;
      for (const c of conflicts ?? []) selected.delete(c);
      toast(err instanceof ApiError ? err.describe() : String(err), "error");
      renderSelection();
    } finally {
      requested.clear();
    }
  }

  function saveHold() {
    if (hold) sessionStorage.setItem(storeKey, JSON.stringify(hold));
    else sessionStorage.removeItem(storeKey);
  }

  function setHold(next: MyHold | null) {
    const before = hold?.seats ?? [];
    hold = next;
    saveHold();
    live.watchHold(hold?.holdId ?? null);
    for (const sid of [...before, ...(hold?.seats ?? [])]) paint(sid);
    renderSelection();
    renderHold();
  }

  function renderHold() {
    holdBox.hidden = !hold;
    if (!hold) return holdBox.replaceChildren();
    const h0 = hold;
    const timer = h(
      "strong",
      { class: "countdown", "data-testid": "hold-countdown" },
      countdown(h0.expiresAt - Date.now() - clockOffset),
    );
    const what = h0.area
      ? `${h0.area.quantity} × ${layout.areas.find((a) => a.id === h0.area!.id)?.name ?? h0.area.id}`
      : `${h0.seats.length} seat${h0.seats.length > 1 ? "s" : ""}`;
    holdBox.replaceChildren();
    const paying = h0.orderId;
    append(holdBox, [
      h("h2", {}, paying ? "Awaiting your payment" : "Held for you"),
      h("p", {}, `${what} · ${money(h0.amount, h0.currency)}`),
      h0.seats.length
        ? h(
            "ul",
            { class: "seat-list" },
            h0.seats.map((sid) => h("li", {}, describe(sid).split(", ").slice(0, 3).join(", "))),
          )
        : null,
      h("p", { class: "timer" }, "Time left ", timer),
      h(
        "div",
        { class: "actions" },
        paying
          ? h(
              "a",
              { class: "btn primary", href: `/orders/${encodeURIComponent(paying)}`, "data-testid": "pay-button" },
              "Pay",
            )
          : h(
              "button",
              { type: "button", class: "btn primary", "data-testid": "checkout-button", onclick: checkout },
              "Checkout",
            ),
        h(
          "button",
          { type: "button", class: "btn", "data-testid": "release-button", onclick: release },
          paying ? "Release (cancels the order)" : "Release",
        ),
      ),
    ]);
  }

  async function release() {
    if (!hold) return;
    await api("DELETE", `/v1/holds/${encodeURIComponent(hold.holdId)}`).catch(() => {});
    setHold(null);
  }

  async function checkout(e: Event) {
    if (!hold) return;
    const btn = e.currentTarget as HTMLButtonElement;
    btn.disabled = true;
    btn.textContent = "Creating your order…";
    try {
      const r = await api<Checkout>("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, undefined, {
        headers: { "Idempotency-Key": hold.key, ...admission() },
      });
      sessionStorage.setItem(`pay:${r.orderId}`, JSON.stringify(r.payment));
      sessionStorage.removeItem(storeKey);
      location.href = `/orders/${encodeURIComponent(r.orderId)}`;
    } catch (err) {
      if (refused(err)) return room!.refused();
      btn.disabled = false;
      btn.textContent = "Checkout";
      toast(err instanceof ApiError ? err.describe() : String(err), "error");
    }
  }

  const holdTimer = setInterval(() => {
    if (!hold) return;
    const left = hold.expiresAt - Date.now() - clockOffset;
    const t = holdBox.querySelector("[data-testid=hold-countdown]");
    if (t) t.textContent = countdown(left);
    if (left <= 0) {
      toast("Your hold expired; the seats are back on sale", "error");
      setHold(null);
    }
  }, 1000);
  room?.onExit(() => {
    live.stop();
    clearInterval(holdTimer);
  });

  const seatTiers = event.tiers.filter((t) => [...meta.values()].some((m) => m.tier === t.key));
  const bestForm = h(
    "form",
    { class: "panel", "data-testid": "best-form", "aria-labelledby": "best-h" },
    h("h2", { id: "best-h" }, "Best available"),
    h(
      "div",
      { class: "inline-fields" },
      h(
        "label",
        {},
        "Seats ",
        h("input", {
          name: "quantity",
          type: "number",
          min: 1,
          max: event.maxSeatsPerOrder,
          value: 2,
          required: true,
          class: "qty",
        }),
      ),
      h(
        "label",
        {},
        "in ",
        h(
          "select",
          { name: "tier" },
          seatTiers.map((t) => h("option", { value: t.key }, `${t.name} · ${money(t.amount, event.currency)}`)),
        ),
      ),
    ),
    h(
      "label",
      { class: "check" },
      h("input", { type: "checkbox", name: "accessible" }),
      " Wheelchair-accessible seats",
    ),
    h("button", { class: "btn", type: "submit", disabled: !onSale }, "Find best seats"),
  );
  bestForm.addEventListener("submit", (e) => {
    e.preventDefault();
    if (hold) return toast("You already hold seats", "error");
    const f = new FormData(bestForm);
    void placeHold({
      tier: String(f.get("tier")),
      quantity: Number(f.get("quantity")),
      ...(f.get("accessible") ? { accessible: true } : {}),
    });
  });

  const areasBox =
    layout.areas.length === 0
      ? null
      : h(
          "section",
          { class: "panel", "aria-labelledby": "ga-h" },
          h("h2", { id: "ga-h" }, "Standing"),
          layout.areas.map((a) => {
            const left = h("span", { class: "muted" }, "…");
            areaRows.set(a.id, left);
            const qty = h("input", {
              type: "number",
              min: 1,
              max: event.maxSeatsPerOrder,
              value: 2,
              class: "qty",
              "data-area-qty": a.id,
              "aria-label": `Tickets for ${a.name}`,
            });
            return h(
              "div",
              { class: "area-row" },
              h("div", {}, h("strong", {}, a.name), h("br"), h("span", {}, priceOf(a.tier)), " · ", left),
              h(
                "div",
                { class: "inline-fields" },
                qty,
                h(
                  "button",
                  {
                    type: "button",
                    class: "btn",
                    disabled: !onSale,
                    onclick: () =>
                      hold
                        ? toast("You already hold tickets", "error")
                        : placeHold({ area: a.id, quantity: Number(qty.value) }),
                  },
                  "Hold",
                ),
              ),
            );
          }),
        );

  mount(
    h(
      "section",
      { class: "event-hero" },
      h("p", { class: "eyebrow" }, `${titleCase(event.category)} · ${event.venue.name}, ${event.venue.city}`),
      h("h1", { "data-testid": "event-name" }, event.name),
      h(
        "p",
        { class: "muted" },
        h("span", { "data-testid": "event-time" }, dateTime(event.startsAt, event.venue.timezone)),
        " · ",
        event.performers.join(", "),
      ),
      h(
        "p",
        {},
        h("span", { class: `badge sales-${event.salesStatus}` }, titleCase(event.salesStatus)),
        " ",
        modeBadge,
      ),
    ),
    room?.panel,
    soldOut,
    h(
      "div",
      { class: "event-grid" },
      h("div", { class: "map-col" }, legend, map.el),
      h(
        "aside",
        { class: "side-col" },
        notices.el,
        holdBox,
        retryBox,
        layout.sections.length ? selectionBox : null,
        layout.sections.length && seatTiers.length ? bestForm : null,
        areasBox,
        event.description
          ? h("section", { class: "panel" }, h("h2", {}, "About"), h("p", {}, event.description))
          : null,
      ),
    ),
  );
  map.fitSeats(map.el.clientWidth || 360);
  renderSelection();
  // A signed-in fan's live holds come from the server, so any tab or device resumes them.
  const signedIn = !!currentUser();
  const resumed = signedIn ? myLiveHolds(id).catch(() => null) : Promise.resolve(null);
  await live.start();
  const mine = await resumed;
  if (mine) {
    const pick = mine.find((x) => x.holdId === hold?.holdId) ?? mine[0];
    setHold(pick ? fromServer(pick) : null);
  } else if (hold && !signedIn) setHold(null);
  if (signedIn && !hold) {
    restorePicked();
    void offerRetry();
  }
  const tapped = early;
  early = null;
  for (const sid of tapped) if (!selected.has(sid)) toggle(sid);

  function fromServer(x: LiveHold): MyHold {
    return {
      holdId: x.holdId,
      seats: x.seats.map((seat) => seat.id),
      ...(x.area ? { area: { id: x.area.id, quantity: x.area.quantity } } : {}),
      amount: x.amount,
      currency: x.currency,
      expiresAt: Date.parse(x.expiresAt),
      key: hold?.holdId === x.holdId ? hold.key : crypto.randomUUID(),
      orderId: x.orderId,
    };
  }

  /** Seats picked before signing in are selected again, those still available. */
  function restorePicked() {
    const picked = takePicked(id).filter((sid) => meta.has(sid) && live.state.seats[sid] === "a");
    for (const sid of picked.slice(0, event.maxSeatsPerOrder)) {
      selected.add(sid);
      paint(sid);
    }
    if (picked.length) renderSelection();
  }

  /** The fan's latest order here failed and its seats are free again: offer another card. */
  async function offerRetry() {
    const { items } = await api<{ items: OrderSummary[] }>("GET", "/v1/orders").catch(() => ({ items: [] }));
    const last = items.find((o) => o.eventId === id);
    if (last?.status !== "failed") return;
    const order = await api<Order>("GET", `/v1/orders/${encodeURIComponent(last.id)}`).catch(() => null);
    if (order?.status !== "failed" || hold) return;
    const seats = order.lines.flatMap((l) => (l.seatId ? [l.seatId] : []));
    if (!seats.every((sid) => live.state.seats[sid] === "a")) return;
    const areas = order.lines.filter((l) => l.areaId);
    if (areas.some((l) => (live.state.areas[l.areaId!] ?? 0) < l.quantity)) return;
    const what = [
      ...seats.map(placeName),
      ...areas.map((l) => `${l.quantity} × ${layout.areas.find((a) => a.id === l.areaId)?.name ?? l.areaId}`),
    ].join(", ");
    const error = h("p", { class: "form-error", role: "alert", hidden: true });
    const retry = tryAnotherCard(order.id, {
      cls: "btn primary",
      testId: "try-another-card",
      done: () => {
        location.href = `/orders/${encodeURIComponent(order.id)}`;
      },
      fail: (message) => {
        error.hidden = false;
        error.textContent = message;
      },
    });
    retryBox.replaceChildren(
      h("h2", {}, "Your payment did not go through"),
      h("p", {}, `${what} · ${money(order.amount, order.currency)}`),
      h("div", { class: "actions" }, retry),
      error,
    );
    retryBox.hidden = false;
  }
}
