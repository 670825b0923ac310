import { api } from "../api";
import { field, h, mount, tableBox } from "../dom";
import { dateTime } from "../format";
import { errorBox, staff } from "./common";
import { shortOrderId } from "./orders";

type Churn = { key: string; created: number; released: number; expired: number; purchases: number; churn: number };
type Count = { key: string; count: number; last: number };
type Involved = { email: string | null; orders: { orderId: string; eventId: string | null }[] };
type Report = {
  windowHours: number;
  since: string;
  scope: "platform" | "organizer";
  holdChurn: { accounts: Churn[]; ipHashes: Churn[] };
  paymentFailures: { accounts: Count[] };
  failedLogins: { ipHashes: Count[]; emailHashes: Count[] };
  accountsInvolved: Record<string, Involved>;
};

const WINDOWS: [number, string][] = [
  [1, "Last hour"],
  [24, "Last 24 hours"],
  [24 * 7, "Last 7 days"],
  [24 * 30, "Last 30 days"],
];

/** A hash is shown by its first characters: enough to tell rows apart, never the address itself. */
const hashText = (key: string) => h("code", { title: key }, `${key.slice(0, 12)}…`);
const pct = (x: number) => `${Math.round(x * 100)}%`;

/**
 * Fraud signals from the audit log: accounts and network addresses (hashed) that hold seats and
 * let them go without buying, accounts whose payments keep failing, and failed-login bursts (the
 * platform's admins only). Each account links to its orders, so the organizer can act on them.
 */
export async function adminFraud() {
  const user = staff();
  if (!user) return;
  const hours = Number(new URLSearchParams(location.search).get("hours")) || 24;
  const err = errorBox();
  const picker = h(
    "select",
    { name: "hours", "data-testid": "fraud-window" },
    WINDOWS.map(([v, label]) => h("option", { value: String(v), selected: v === hours }, label)),
  );
  picker.addEventListener("change", () => {
    history.replaceState(null, "", `${location.pathname}?hours=${picker.value}`);
    void adminFraud();
  });
  let report: Report;
  try {
    report = await api<Report>("GET", `/v1/admin/fraud?windowHours=${hours}`);
  } catch (x) {
    mount(h("h1", { class: "page-title" }, "Fraud signals"), err.el);
    err.show(x);
    return;
  }

  const account = (id: string) => {
    const who = report.accountsInvolved[id];
    const orders = who?.orders ?? [];
    return h(
      "td",
      { "data-testid": "fraud-account" },
      h("span", {}, who?.email ?? id),
      orders.length
        ? h(
            "span",
            { class: "muted" },
            " · orders: ",
            ...orders.flatMap((o, i) => [
              i ? ", " : "",
              h("a", { href: `/admin/orders/${encodeURIComponent(o.orderId)}` }, shortOrderId(o.orderId)),
            ]),
          )
        : null,
    );
  };

  const churnTable = (label: string, rows: Churn[], who: (key: string) => HTMLElement) =>
    table(
      label,
      ["Who", "Holds", "Released", "Expired", "Bought", "Let go"],
      rows.map((r) =>
        h(
          "tr",
          { "data-testid": "fraud-row" },
          who(r.key),
          ...[r.created, r.released, r.expired, r.purchases].map((n) => h("td", { class: "num" }, String(n))),
          h("td", { class: "num" }, pct(r.churn)),
        ),
      ),
      "Nobody held seats and let them go above the threshold in this window.",
    );

  const countTable = (label: string, rows: Count[], who: (key: string) => HTMLElement, what: string) =>
    table(
      label,
      ["Who", what, "Last"],
      rows.map((r) =>
        h(
          "tr",
          { "data-testid": "fraud-row" },
          who(r.key),
          h("td", { class: "num" }, String(r.count)),
          h("td", {}, dateTime(new Date(r.last).toISOString())),
        ),
      ),
      "Nothing above the threshold in this window.",
    );

  const hashCell = (key: string) => h("td", {}, hashText(key));
  mount(
    h("p", { class: "eyebrow" }, h("a", { href: "/admin" }, "Events"), " / Fraud signals"),
    h("h1", { class: "page-title" }, "Fraud signals"),
    h(
      "section",
      { class: "panel" },
      field("Window", picker),
      h(
        "p",
        { class: "muted" },
        report.scope === "platform" ? "Every event on the platform, " : "Your organizer's events only, ",
        `since ${dateTime(report.since)}. Network addresses are shown as hashes; the addresses are never stored.`,
      ),
      err.el,
    ),
    section("Hold churn: accounts", churnTable("Hold churn by account", report.holdChurn.accounts, account)),
    section("Hold churn: network addresses", churnTable("Hold churn by address", report.holdChurn.ipHashes, hashCell)),
    section(
      "Payment failures",
      countTable("Payment failures by account", report.paymentFailures.accounts, account, "Failed payments"),
    ),
    report.scope === "platform"
      ? section(
          "Failed sign-ins",
          countTable("Failed sign-ins by address", report.failedLogins.ipHashes, hashCell, "Failed sign-ins"),
          countTable("Failed sign-ins by email", report.failedLogins.emailHashes, hashCell, "Failed sign-ins"),
        )
      : section(
          "Failed sign-ins",
          h("p", { class: "muted" }, "Sign-ins belong to no event, so the platform's admins watch them."),
        ),
  );
}

const section = (title: string, ...body: (HTMLElement | null)[]) =>
  h("section", { class: "panel", "aria-label": title }, h("h2", {}, title), ...body);

function table(label: string, head: string[], rows: HTMLElement[], empty: string) {
  if (!rows.length) return h("p", { class: "muted", "data-testid": "fraud-empty" }, empty);
  return tableBox(
    label,
    h(
      "table",
      { class: "table" },
      h("caption", { class: "muted" }, label),
      h("thead", {}, h("tr", {}, ...head.map((t) => h("th", { scope: "col" }, t)))),
      h("tbody", {}, ...rows),
    ),
  );
}
