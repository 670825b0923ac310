import { currentUser, logout } from "./api";
import { h, mount, toast } from "./dom";
import { adminCheckIn } from "./admin/check-in";
import { adminEventDashboard } from "./admin/event-dashboard";
import { adminEventEdit } from "./admin/event-edit";
import { adminEventForm } from "./admin/event-form";
import { adminFeed } from "./admin/feeds";
import { adminHome } from "./admin/home";
import { adminLayoutBuilder } from "./admin/layout-builder";
import { adminOrderPage } from "./admin/order-page";
import { adminEventOrders } from "./admin/orders";
import { adminScanner } from "./admin/scanner/page";
import { adminScannerHome } from "./admin/scanner/home";
import { adminFraud } from "./admin/fraud";
import { adminTeam } from "./admin/team";
import { adminVenues } from "./admin/venues";
import { errorText } from "./admin/common";
import { accountPage } from "./pages/account";
import { authPage } from "./pages/auth";
import { eventPage } from "./pages/event";
import { homePage } from "./pages/home";
import { invitationsPage } from "./pages/invitations";
import { orderPage, ordersPage } from "./pages/orders";

/** The client entry: the server shell names the page in `data-page`; this starts its view. */
const PAGES: Record<string, (data: DOMStringMap) => unknown> = {
  home: () => homePage(),
  event: (d) => eventPage(d.id ?? ""),
  orders: () => ordersPage(),
  order: (d) => orderPage(d.id ?? ""),
  login: () => authPage("login"),
  signup: () => authPage("signup"),
  invitations: () => invitationsPage(),
  account: () => accountPage(),
  "admin-home": () => adminHome(),
  "admin-venues": () => adminVenues(),
  "admin-layout": (d) => adminLayoutBuilder(d.id ?? ""),
  "admin-event-new": () => adminEventForm(),
  "admin-event": (d) => adminEventDashboard(d.id ?? ""),
  "admin-event-edit": (d) => adminEventEdit(d.id ?? ""),
  "admin-orders": (d) => adminEventOrders(d.id ?? ""),
  "admin-order": (d) => adminOrderPage(d.id ?? ""),
  "admin-check-in": () => adminCheckIn(),
  "admin-scanner": (d) => adminScanner(d.id ?? ""),
  "admin-scanner-home": () => adminScannerHome(),
  "admin-team": () => adminTeam(),
  "admin-fraud": () => adminFraud(),
  "admin-feed": (d) => adminFeed(d.feed ?? "audit"),
};

function renderAccount() {
  const box = document.getElementById("account");
  if (!box) return;
  const u = currentUser();
  for (const el of document.querySelectorAll<HTMLElement>("[data-role-only]"))
    el.hidden = !u || !el.dataset.roleOnly!.split(" ").includes(u.role);
  if (!u) {
    box.replaceChildren(
      h(
        "a",
        { class: "btn small", href: `/login?next=${encodeURIComponent(location.pathname)}`, "data-testid": "sign-in" },
        "Sign in",
      ),
    );
    return;
  }
  box.replaceChildren(
    h(
      "a",
      { class: "who", href: "/account", title: `${u.email}: your account`, "data-testid": "who" },
      u.name ?? u.email,
    ),
    h(
      "button",
      {
        type: "button",
        class: "btn small",
        onclick: async () => {
          await logout();
          location.href = "/";
        },
      },
      "Sign out",
    ),
  );
}

async function start() {
  renderAccount();
  const page = document.body.dataset.page ?? "";
  const run = PAGES[page];
  if (!run) return;
  try {
    await run(document.body.dataset);
  } catch (err) {
    console.error(err);
    mount(
      h(
        "div",
        { class: "panel narrow" },
        h("h1", {}, "Something went wrong"),
        h("p", {}, errorText(err)),
        h("p", {}, h("a", { href: "/" }, "Back to events")),
      ),
    );
    toast(errorText(err), "error");
  }
}

void start();
