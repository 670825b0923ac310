import type { NotificationRow } from "../db/schema";
import { escapeHtml } from "./format";

/**
 * The local mailbox: every stored email and SMS, newest first. Email HTML is shown in a
 * sandboxed `<iframe srcdoc>` (escaped once for the attribute), so a message's markup can
 * neither run script nor touch this page.
 */
export function mailboxPage(rows: NotificationRow[]): string {
  const items = rows
    .map((r) => {
      const body =
        r.channel === "email" && r.bodyHtml
          ? `<iframe sandbox="" srcdoc="${escapeHtml(r.bodyHtml)}" title="${escapeHtml(r.subject)}"></iframe>`
          : `<pre>${escapeHtml(r.bodyText)}</pre>`;
      const header =
        `<header><strong>${r.channel === "email" ? "Email" : "SMS"}</strong> ` +
        `to <code>${escapeHtml(r.recipient)}</code> · ${escapeHtml(r.kind)} · ` +
        `<b>${escapeHtml(r.status)}</b> via ${escapeHtml(r.provider)} · ` +
        `<time>${new Date(r.createdAt).toISOString()}</time></header>`;
      return `<article class="${escapeHtml(r.status)}">
${header}
<h2>${escapeHtml(r.subject)}</h2>
${r.lastError ? `<p class="error">${escapeHtml(r.lastError)}</p>` : ""}
${body}
</article>`;
    })
    .join("\n");
  const intro =
    `<p>The latest ${rows.length} notifications stored by the <code>outbox</code> provider ` +
    "(and any other). Development only.</p>";
  return `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><meta name="viewport" content="width=device-width, initial-scale=1">
<title>Local mailbox · Edge Tickets</title>
<style>
body{font-family:system-ui,sans-serif;max-width:860px;margin:auto;padding:16px;color:#222}
article{border:1px solid #ddd;border-radius:8px;padding:12px;margin:12px 0}
article.failed{border-color:#c33} h2{font-size:16px;margin:8px 0}
iframe{width:100%;height:360px;border:1px solid #eee} pre{white-space:pre-wrap;background:#f6f6f6;padding:8px}
.error{color:#c33}
</style></head>
<body><main><h1>Local mailbox</h1>
${intro}
${items || "<p>No notifications yet. Buy a ticket and come back.</p>"}
</main></body></html>`;
}
