import { html, raw } from "hono/html";
import type { HtmlEscapedString } from "hono/utils/html";

type Body = HtmlEscapedString | Promise<HtmlEscapedString>;

/** What the client bundle needs to know about a page: which view to start and its ids. */
export type PageSpec = {
  page: string;
  title: string;
  area: "site" | "admin";
  data?: Record<string, string>;
  /** A web app manifest, for pages that install as an app of their own (the gate scanner). */
  manifest?: string;
  /** A stylesheet of the page's own, after the shared one. */
  stylesheet?: string;
  /**
   * Public API documents the page needs first: fetched alongside the bundle instead of after it.
   * The page must read them with a plain `fetch` (see `publicJson`) so the browser reuses them.
   */
  preload?: string[];
};

const SITE_NAV = [
  ["/", "Events"],
  ["/orders", "My orders"],
] as const;

const ADMIN_NAV = [
  ["/admin", "Dashboard"],
  ["/admin/venues", "Venues & layouts"],
  ["/admin/events/new", "New event"],
  ["/admin/check-in", "Check-in"],
  ["/admin/team", "Team"],
  ["/admin/notifications", "Notifications"],
  ["/admin/audit", "Audit log"],
  ["/admin/fraud", "Fraud signals"],
] as const;

// Shown to signed-in organizers and admins only (main.ts un-hides `data-role-only` links).
const PORTAL_LINK = raw('<a href="/admin" data-role-only="organizer admin" hidden>Portal</a>');
// Static markup, verbatim: cut with `+` only to fit the line width (no newline added).
const LOGO = raw('<img src="/favicon.svg" alt="" width="28" height="28">');
const NOSCRIPT = raw(
  '<noscript><p class="notice">This page needs JavaScript for live seat maps and checkout. ' +
    'The API is documented at <a href="/docs">/docs</a>.</p></noscript>',
);
const FOOTER = raw(
  '<footer class="footer"><span>Edge Tickets — live seats on Cloudflare Workers</span> · ' +
    '<a href="/docs">API docs</a></footer>',
);

/**
 * The HTML shell every page shares: header, navigation, a `<main>` the client bundle fills, and
 * the bundle itself. `data-page` tells the bundle which view to start; ids ride in `data-*`.
 */
export function shell(spec: PageSpec, path: string, body?: Body) {
  const data = Object.entries(spec.data ?? {}).map(([k, v]) => html` data-${k}="${v}"`);
  const nav = spec.area === "admin" ? ADMIN_NAV : SITE_NAV;
  const isCurrent = (href: string) => (href === "/" || href === "/admin" ? path === href : path.startsWith(href));
  const admin = spec.area === "admin";
  const preloads = (spec.preload ?? []).map(
    (href) => html`<link rel="preload" href="${href}" as="fetch" crossorigin="anonymous">\n`,
  );
  const home = admin ? "/admin" : "/";
  const portal = admin ? html` <small>Portal</small>` : "";
  const links = nav.map(
    ([href, label]) => html`<a href="${href}"${isCurrent(href) ? html` aria-current="page"` : ""}>${label}</a>`,
  );
  const areaLinks = admin
    ? html`<a href="/mailbox">Mailbox</a><a href="/">Fan site</a>`
    : html`<a href="/invitations" data-role-only="fan organizer" hidden>Invitations</a>${PORTAL_LINK}`;
  return html`<!doctype html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta name="viewport" content="width=device-width,initial-scale=1">
<title>${spec.title} · Edge Tickets</title>
<link rel="icon" href="/favicon.svg" type="image/svg+xml">
${spec.manifest ? html`<link rel="manifest" href="${spec.manifest}"><meta name="theme-color" content="#4f46e5">` : ""}
${preloads}<link rel="stylesheet" href="/assets/app.css">
${spec.stylesheet ? html`<link rel="stylesheet" href="${spec.stylesheet}">` : ""}
<script type="module" src="/assets/app.js"></script>
</head>
<body class="area-${spec.area}" data-page="${spec.page}"${data}>
<a class="skip" href="#main">Skip to content</a>
<header class="topbar">
  <a class="brand" href="${home}">${LOGO}<span>Edge Tickets${portal}</span></a>
  <nav aria-label="Main">${links}${areaLinks}</nav>
  <div class="account" id="account" data-testid="account"></div>
</header>
<main id="main" tabindex="-1">
${body ?? html`<h1 class="page-title">${spec.title}</h1><p class="muted loading" id="app-loading">Loading…</p>`}
${NOSCRIPT}
</main>
<div id="toasts" class="toasts" role="status" aria-live="polite"></div>
${FOOTER}
</body>
</html>`;
}
