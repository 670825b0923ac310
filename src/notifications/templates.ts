import type { NotificationKind } from "../db/schema/constants";
import { escapeHtml, formatEventDate, formatMoney, smsText, truncate } from "./format";

/** What a template needs, already loaded from D1 (templates do no I/O). */
export type TemplateData = {
  baseUrl: string;
  name: string | null;
  event: { id: string; name: string; startsAt: number; timeZone: string; venueName: string };
  order: { id: string; amount: number; currency: string };
  /** Tickets still valid, with a human label ("Seat A-1-4", "Pit"). */
  tickets: { id: string; label: string }[];
  /** Refund amount in minor units (refund_issued only). */
  refundAmount?: number;
};

/** One notification in every form: email subject, text and HTML bodies, and the SMS. */
export type Rendered = { subject: string; text: string; html: string; sms: string };

type Parts = {
  subject: string;
  lines: string[];
  links: { label: string; url: string }[];
  sms: string;
  smsLink?: string;
};

// Links land on the fan site (which signs the fan in and comes back), never on an API address
// that answers a browser with 401 JSON.
const orderUrl = (d: TemplateData) => `${d.baseUrl}/orders/${encodeURIComponent(d.order.id)}`;
const qrUrl = (d: TemplateData, ticketId: string) => `${orderUrl(d)}#ticket-${encodeURIComponent(ticketId)}`;
const when = (d: TemplateData) => formatEventDate(d.event.startsAt, d.event.timeZone);
const total = (d: TemplateData) => formatMoney(d.order.amount, d.order.currency);
const short = (d: TemplateData) => truncate(d.event.name, 40);

const PARTS: Record<NotificationKind, (d: TemplateData) => Parts> = {
  booking_confirmed: (d) => ({
    subject: `Your tickets for ${d.event.name}`,
    lines: [
      `Your booking is confirmed.`,
      `${d.event.name} — ${when(d)} at ${d.event.venueName}.`,
      `Seats: ${d.tickets.map((t) => t.label).join(", ") || "none"}.`,
      `Total paid: ${total(d)}.`,
      `Show each ticket's QR code at the gate.`,
    ],
    links: [
      ...d.tickets.map((t) => ({ label: `Ticket ${t.label} (QR code)`, url: qrUrl(d, t.id) })),
      { label: "Your order", url: orderUrl(d) },
    ],
    sms:
      `Booked: ${short(d)}, ${formatEventDate(d.event.startsAt, d.event.timeZone)}, ` +
      `${d.tickets.length} ticket(s), ${total(d)}.`,
    smsLink: orderUrl(d),
  }),
  payment_failed: (d) => ({
    subject: `Payment failed for ${d.event.name}`,
    lines: [
      `Your payment of ${total(d)} for ${d.event.name} (${when(d)}) did not go through.`,
      `The seats you held have been released. You were not charged.`,
    ],
    links: [{ label: "Your order", url: orderUrl(d) }],
    sms: `Payment failed for ${short(d)}; your seats were released and you were not charged.`,
    smsLink: orderUrl(d),
  }),
  refund_issued: (d) => ({
    subject: `Refund issued for ${d.event.name}`,
    lines: [
      `We have refunded ${formatMoney(d.refundAmount ?? 0, d.order.currency)} for ${d.event.name} (${when(d)}).`,
      `It goes back to the card you paid with; banks usually take 5 to 10 days to show it.`,
    ],
    links: [{ label: "Your order", url: orderUrl(d) }],
    sms: `Refund of ${formatMoney(d.refundAmount ?? 0, d.order.currency)} issued for ${short(d)}.`,
    smsLink: orderUrl(d),
  }),
  event_cancelled: (d) => ({
    subject: `Cancelled: ${d.event.name}`,
    lines: [
      `We are sorry: ${d.event.name}, planned for ${when(d)} at ${d.event.venueName}, has been cancelled.`,
      `Your order of ${total(d)} is refunded in full; you will get a separate refund notice.`,
    ],
    links: [{ label: "Your order", url: orderUrl(d) }],
    sms: `${short(d)} is cancelled. Your order of ${total(d)} is refunded in full.`,
    smsLink: orderUrl(d),
  }),
  event_rescheduled: (d) => ({
    subject: `New date for ${d.event.name}`,
    lines: [
      `${d.event.name} has moved. The new date is ${when(d)} at ${d.event.venueName}.`,
      `Your tickets stay valid for the new date: ${d.tickets.map((t) => t.label).join(", ") || "none"}.`,
    ],
    links: [{ label: "Your order", url: orderUrl(d) }],
    sms: `${short(d)} moved to ${when(d)}. Your tickets stay valid.`,
    smsLink: orderUrl(d),
  }),
  event_reminder: (d) => ({
    subject: `Tomorrow: ${d.event.name}`,
    lines: [
      `A reminder: ${d.event.name} starts ${when(d)} at ${d.event.venueName}.`,
      `Your tickets: ${d.tickets.map((t) => t.label).join(", ") || "none"}. Have the QR codes ready at the gate.`,
    ],
    links: [
      ...d.tickets.map((t) => ({ label: `Ticket ${t.label} (QR code)`, url: qrUrl(d, t.id) })),
      { label: "Your order", url: orderUrl(d) },
    ],
    sms: `Reminder: ${short(d)} starts ${when(d)}.`,
    smsLink: orderUrl(d),
  }),
};

/** Renders a notification of `kind`; every user-controlled string is escaped in the HTML. */
export function render(kind: NotificationKind, data: TemplateData): Rendered {
  const p = PARTS[kind](data);
  const greeting = data.name ? `Hello ${data.name},` : "Hello,";
  const text = [greeting, "", ...p.lines, "", ...p.links.map((l) => `${l.label}: ${l.url}`), "", "— Edge Tickets"].join(
    "\n",
  );
  const html = layout(
    p.subject,
    [
      `<p>${escapeHtml(greeting)}</p>`,
      ...p.lines.map((l) => `<p>${escapeHtml(l)}</p>`),
      `<ul>${p.links.map((l) => `<li><a href="${escapeHtml(l.url)}">${escapeHtml(l.label)}</a></li>`).join("")}</ul>`,
    ].join("\n"),
  );
  return { subject: p.subject, text, html, sms: smsText(p.sms, p.smsLink) };
}

function layout(title: string, body: string): string {
  return `<!doctype html>
<html><head><meta charset="utf-8"><title>${escapeHtml(title)}</title></head>
<body style="font-family:system-ui,sans-serif;line-height:1.5;color:#222;max-width:560px;margin:auto;padding:16px">
<h1 style="font-size:20px">${escapeHtml(title)}</h1>
${body}
<p style="color:#777;font-size:12px">Edge Tickets</p>
</body></html>`;
}
