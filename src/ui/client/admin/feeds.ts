import { api } from "../api";
import { h, mount, tableBox } from "../dom";
import { errorText, staff } from "./common";

const SOURCES = {
  notifications: {
    path: "/v1/admin/notifications",
    title: "Notifications outbox",
    note: "Every email and SMS the platform sent or stored. The rendered local mailbox is at ",
  },
  audit: {
    path: "/v1/admin/audit",
    title: "Audit log",
    note: "Sales, refunds and admin actions, hash-chained for fraud review. Notifications: ",
  },
} as const;

/** A read-only table over a list endpoint; columns follow the data, so new fields show up as they land. */
export async function adminFeed(feed: string) {
  if (!staff()) return;
  const src = SOURCES[feed as keyof typeof SOURCES] ?? SOURCES.audit;
  const intro = h("p", { class: "muted" }, src.note, h("a", { href: "/mailbox" }, "/mailbox"), ".");
  let body: HTMLElement;
  try {
    const data = await api<Record<string, unknown>>("GET", `${src.path}?limit=100`);
    const items = (Array.isArray(data) ? data : (Object.values(data).find(Array.isArray) ?? [])) as Record<
      string,
      unknown
    >[];
    const cols = [...new Set(items.slice(0, 20).flatMap((i) => Object.keys(i)))].slice(0, 8);
    body =
      items.length === 0
        ? h("p", { class: "muted" }, "Nothing yet.")
        : tableBox(
            src.title,
            h(
              "table",
              { class: "table small", "data-testid": "feed" },
              h(
                "thead",
                {},
                h(
                  "tr",
                  {},
                  cols.map((c) => h("th", {}, c)),
                ),
              ),
              h(
                "tbody",
                {},
                items.map((i) =>
                  h(
                    "tr",
                    {},
                    cols.map((c) => h("td", {}, cell(i[c]))),
                  ),
                ),
              ),
            ),
          );
  } catch (x) {
    body = h("p", { class: "notice" }, `Not available yet: ${errorText(x)}`);
  }
  mount(h("h1", { class: "page-title" }, src.title), intro, body);
}

function cell(v: unknown): string {
  if (v === null || v === undefined) return "";
  const s = typeof v === "string" ? v : JSON.stringify(v);
  return s.length > 120 ? `${s.slice(0, 117)}…` : s;
}
