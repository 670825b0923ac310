import { api } from "../api";
import { debounce, h, mount } from "../dom";
import { dateTime, money, shortDate, titleCase } from "../format";
import type { EventSummary } from "../types";

const CATEGORIES = ["concert", "sports", "theatre", "comedy", "festival", "travel", "conference", "other"];
/** Cards per page: fills rows of 2, 3 or 4 columns evenly. */
const PAGE_SIZE = 12;

/** The event list: full-text search, category and city filters, "on sale now", paging. */
export async function homePage() {
  const params = new URLSearchParams(location.search);
  const q = h("input", {
    type: "search",
    name: "q",
    placeholder: "Artist, team, show or venue",
    value: params.get("q") ?? "",
    "aria-label": "Search events",
    "data-testid": "search",
  });
  const category = h(
    "select",
    { name: "category", "aria-label": "Category" },
    h("option", { value: "" }, "All categories"),
    CATEGORIES.map((c) => h("option", { value: c, selected: params.get("category") === c }, titleCase(c))),
  );
  const city = h("input", {
    type: "text",
    name: "city",
    placeholder: "City",
    value: params.get("city") ?? "",
    "aria-label": "City",
  });
  const onSale = h("input", { type: "checkbox", name: "onSaleNow", checked: params.get("onSaleNow") === "true" });
  const grid = h("div", { class: "card-grid", "data-testid": "event-list", "aria-live": "polite" });
  const more = h("button", { type: "button", class: "btn", hidden: true, "data-testid": "show-more" }, "Show more");
  const form = h(
    "form",
    { class: "filters", role: "search" },
    q,
    category,
    city,
    h("label", { class: "check" }, onSale, " On sale now"),
  );
  let cursor: string | null = null;
  let seq = 0;
  /** Ids on screen: a page never adds an event twice, whatever the server or the cache answers. */
  const shown = new Set<string>();

  /**
   * A new search (`reset`) replaces the list and forgets the old cursor at once, so "Show more"
   * can never fetch a page of the previous search, nor the first page again. "Show more" follows
   * the cursor of the list on screen and hides when there is none.
   */
  async function load(reset: boolean) {
    if (!reset && !cursor) return;
    const my = ++seq;
    const from = reset ? null : cursor;
    cursor = null;
    more.hidden = true;
    const qs = new URLSearchParams();
    if (q.value.trim()) qs.set("q", q.value.trim());
    if (category.value) qs.set("category", category.value);
    if (city.value.trim()) qs.set("city", city.value.trim());
    if (onSale.checked) qs.set("onSaleNow", "true");
    if (reset) history.replaceState(null, "", qs.size ? `/?${qs}` : "/");
    qs.set("limit", String(PAGE_SIZE));
    if (from) qs.set("cursor", from);
    let page: { items: EventSummary[]; nextCursor: string | null };
    try {
      page = await api<{ items: EventSummary[]; nextCursor: string | null }>("GET", `/v1/events?${qs}`);
    } catch (err) {
      if (my === seq) {
        cursor = from; // let the fan try the same page again
        more.hidden = !cursor;
      }
      throw err;
    }
    if (my !== seq) return;
    if (reset) {
      grid.replaceChildren();
      shown.clear();
    }
    for (const e of page.items) {
      if (shown.has(e.id)) continue;
      shown.add(e.id);
      grid.appendChild(card(e));
    }
    cursor = page.nextCursor;
    if (shown.size === 0) {
      cursor = null;
      grid.appendChild(h("p", { class: "muted empty" }, "No events match. Try another search."));
    }
    more.hidden = !cursor;
  }

  const reload = debounce(() => void load(true), 250);
  form.addEventListener("input", reload);
  form.addEventListener("submit", (e) => {
    e.preventDefault();
    void load(true);
  });
  more.addEventListener("click", () => void load(false));
  mount(
    h(
      "section",
      { class: "hero" },
      h("h1", {}, "Live events, live seats"),
      h(
        "p",
        {},
        "Concerts, sports and shows — watch seats change as fans pick them, hold yours for a few minutes, and pay.",
      ),
    ),
    form,
    grid,
    h("div", { class: "center" }, more),
  );
  await load(true);
}

function card(e: EventSummary) {
  const d = shortDate(e.startsAt, e.venue.timezone);
  return h(
    "a",
    {
      class: "card event-card",
      href: `/events/${encodeURIComponent(e.id)}`,
      "data-testid": "event-card",
      "data-event-id": e.id,
    },
    h("div", { class: `card-art cat-${e.category}` }, h("span", { class: "date-chip" }, h("b", {}, d.day), d.month)),
    h(
      "div",
      { class: "card-body" },
      h("p", { class: "eyebrow" }, titleCase(e.category), " · ", e.venue.city),
      h("h2", {}, e.name),
      h("p", { class: "muted" }, e.venue.name),
      h("p", { class: "muted", "data-testid": "event-card-time" }, dateTime(e.startsAt, e.venue.timezone)),
      h(
        "div",
        { class: "row-between" },
        h("span", {}, e.priceFrom ? `from ${money(e.priceFrom.amount, e.priceFrom.currency)}` : ""),
        h("span", { class: `badge sales-${e.salesStatus}` }, titleCase(e.salesStatus)),
      ),
    ),
  );
}
