import { Hono, type Context } from "hono";
import type { AppEnv } from "../env";
import { shell, type PageSpec } from "./shell";

/**
 * The fan site and the admin portal: server-rendered HTML shells, filled in by the client bundle
 * (`/assets/app.js`, built from src/ui/client by scripts/build-ui.mjs and served as a static
 * asset). The pages hold no data: everything comes from the same /v1 API any client uses.
 */
export const ui = new Hono<AppEnv>();

/** A handler rendering the shell. Shells hold no data, so they are revalidated, never stale. */
const page = (spec: (params: Record<string, string>) => PageSpec) => (c: Context<AppEnv>) => {
  c.header("Cache-Control", "no-cache");
  return c.html(shell(spec(c.req.param() as Record<string, string>), c.req.path));
};

/** The gate scanner installs as an app of its own, with its own styles. */
const SCANNER_APP = { manifest: "/scanner.webmanifest", stylesheet: "/assets/scanner.css" };

// Fan site
ui.get(
  "/",
  page(() => ({ page: "home", title: "Find your next event", area: "site" })),
);
ui.get(
  "/events/:id",
  page((p) => ({
    page: "event",
    title: "Event",
    area: "site",
    data: { id: p.id ?? "" },
    // The page's first two reads, started with the bundle: the layout is 1.6 MB for a stadium.
    preload: [`/v1/events/${encodeURIComponent(p.id ?? "")}`, `/v1/events/${encodeURIComponent(p.id ?? "")}/layout`],
  })),
);
ui.get(
  "/orders",
  page(() => ({ page: "orders", title: "My orders", area: "site" })),
);
ui.get(
  "/orders/:id",
  page((p) => ({ page: "order", title: "Your order", area: "site", data: { id: p.id ?? "" } })),
);
ui.get(
  "/invitations",
  page(() => ({ page: "invitations", title: "Invitations", area: "site" })),
);
ui.get(
  "/account",
  page(() => ({ page: "account", title: "Your account", area: "site" })),
);
ui.get(
  "/login",
  page(() => ({ page: "login", title: "Sign in", area: "site" })),
);
ui.get(
  "/signup",
  page(() => ({ page: "signup", title: "Create an account", area: "site" })),
);

// Admin portal
ui.get(
  "/admin",
  page(() => ({ page: "admin-home", title: "Your events", area: "admin" })),
);
ui.get(
  "/admin/venues",
  page(() => ({ page: "admin-venues", title: "Venues & layouts", area: "admin" })),
);
ui.get(
  "/admin/venues/:id/layouts/new",
  page((p) => ({ page: "admin-layout", title: "Layout builder", area: "admin", data: { id: p.id ?? "" } })),
);
ui.get(
  "/admin/events/new",
  page(() => ({ page: "admin-event-new", title: "New event", area: "admin" })),
);
ui.get(
  "/admin/events/:id",
  page((p) => ({ page: "admin-event", title: "Event sales", area: "admin", data: { id: p.id ?? "" } })),
);
ui.get(
  "/admin/events/:id/edit",
  page((p) => ({ page: "admin-event-edit", title: "Edit event", area: "admin", data: { id: p.id ?? "" } })),
);
ui.get(
  "/admin/events/:id/scanner",
  page((p) => ({
    page: "admin-scanner",
    title: "Gate scanner",
    area: "admin",
    data: { id: p.id ?? "" },
    ...SCANNER_APP,
  })),
);
ui.get(
  "/admin/scanner",
  page(() => ({ page: "admin-scanner-home", title: "Gate scanner", area: "admin", ...SCANNER_APP })),
);
ui.get(
  "/admin/events/:id/orders",
  page((p) => ({ page: "admin-orders", title: "Orders", area: "admin", data: { id: p.id ?? "" } })),
);
ui.get(
  "/admin/orders/:id",
  page((p) => ({ page: "admin-order", title: "Order", area: "admin", data: { id: p.id ?? "" } })),
);
ui.get(
  "/admin/team",
  page(() => ({ page: "admin-team", title: "Team", area: "admin" })),
);
ui.get(
  "/admin/fraud",
  page(() => ({ page: "admin-fraud", title: "Fraud signals", area: "admin" })),
);
ui.get(
  "/admin/check-in",
  page(() => ({ page: "admin-check-in", title: "Check-in", area: "admin" })),
);
ui.get(
  "/admin/notifications",
  page(() => ({ page: "admin-feed", title: "Notifications outbox", area: "admin", data: { feed: "notifications" } })),
);
ui.get(
  "/admin/audit",
  page(() => ({ page: "admin-feed", title: "Audit log", area: "admin", data: { feed: "audit" } })),
);
