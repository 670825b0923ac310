import { placeLabel } from "../../../domain/place-labels";
import { matrixSvg, qrMatrix } from "../../../domain/qr-svg";
import { h } from "../dom";
import { money, titleCase } from "../format";
import type { EventDetail, Order } from "../types";

/** CSS pixels per module: a gate scanner reads 4 and up reliably, at arm's length on a phone. */
const MODULE_PX = 5;
/** White modules around the symbol; scanners need 4 to find it against a busy screen. */
const QUIET = 4;

type Ticket = Order["tickets"][number];

/**
 * One ticket as a fan shows it at the gate: the QR drawn here from the ticket's signed code (the
 * same encoder the Worker uses), at MODULE_PX per module, and the code printed beneath it as
 * selectable text, so a steward can type it when a screen will not scan. Only a valid ticket
 * gets a QR; a refunded or used one says so instead.
 */
export function ticketView(t: Ticket, order: Order, event: EventDetail | null, places: Map<string, string>) {
  const where = placeLabel(t.place, places);
  const tierName = event?.tiers.find((x) => x.key === t.tier)?.name ?? t.tier;
  return h(
    "article",
    // The anchor email and SMS links land on (`/orders/{id}#ticket-{ticketId}`).
    { class: "ticket ticket-view", "data-testid": "ticket", id: `ticket-${t.id}` },
    t.status === "valid" ? qrFigure(t.code, where) : null,
    h(
      "div",
      { class: "ticket-facts" },
      h("strong", {}, where),
      h("p", { class: "muted" }, `${tierName} · ${money(t.price, order.currency)}`),
      h("span", { class: `badge ticket-${t.status}`, "data-testid": "ticket-status" }, titleCase(t.status)),
      t.status === "valid" ? null : h("p", { class: "muted small" }, "This ticket no longer admits anyone."),
    ),
  );
}

function qrFigure(code: string, where: string) {
  const matrix = qrMatrix(code);
  const modules = matrix.length + QUIET * 2;
  // An <img> of a blob keeps the symbol one crisp image (saved, zoomed and screenshotted whole).
  const url = URL.createObjectURL(
    new Blob([matrixSvg(matrix, { margin: QUIET, moduleSize: MODULE_PX })], { type: "image/svg+xml" }),
  );
  const side = modules * MODULE_PX;
  return h(
    "figure",
    { class: "qr-figure" },
    h(
      "div",
      { class: "qr", "data-testid": "ticket-qr" },
      h("img", {
        src: url,
        alt: `QR code for ${where}`,
        width: side,
        height: side,
        "data-modules": String(modules),
      }),
    ),
    h(
      "figcaption",
      {},
      h("span", { class: "muted small" }, "Ticket code"),
      h("code", { class: "ticket-code", "data-testid": "ticket-code" }, code),
    ),
  );
}
