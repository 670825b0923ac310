import { createRoute, z } from "@hono/zod-openapi";
import { createDb } from "../../db/client";
import { getEvent } from "../../db/queries/catalog";
import { attendeePage, orderExportPage } from "../../db/queries/event-exports";
import { visibleOr404 } from "../../domain/catalog-access";
import { type CsvCell, csvAmount, csvRow, csvTime } from "../../domain/csv";
import { type LabelLayout, placeLabel, placeNames } from "../../domain/place-labels";
import { pickProblems } from "../problem-responses";
import { createRouter } from "../router";
import { IdParam } from "./schemas";

const base = { tags: ["admin"], security: [{ bearer: [] }] };
/** Rows per D1 read: one page is read only when the client has taken the previous one. */
const PAGE = 500;

const csvResponse = (what: string) => ({
  description: `${what} as CSV (RFC 4180, UTF-8, one header row), streamed page by page`,
  content: { "text/csv": { schema: z.string() } },
});

/**
 * A CSV body that reads its rows one page at a time as the client pulls, so a large event's export
 * starts at once and the Worker never holds it whole. The header row goes first; `page(after)`
 * returns the rows after the key `after` (empty at the end).
 */
function csvStream<R extends { id: string }>(
  header: readonly string[],
  page: (after: string) => Promise<R[]>,
  cells: (row: R) => CsvCell[],
): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let after = "";
  let started = false;
  return new ReadableStream<Uint8Array>({
    async pull(controller) {
      if (!started) {
        started = true;
        // A byte-order mark, so spreadsheet apps read names with accents as UTF-8.
        controller.enqueue(encoder.encode(`\uFEFF${csvRow(header)}`));
        return;
      }
      const rows = await page(after);
      if (rows.length) controller.enqueue(encoder.encode(rows.map((r) => csvRow(cells(r))).join("")));
      if (rows.length < PAGE) controller.close();
      else after = rows[rows.length - 1]!.id;
    },
  });
}

const fileName = (eventName: string, kind: string) =>
  `${
    eventName
      .normalize("NFKD")
      .replace(/[^A-Za-z0-9]+/g, "-")
      .replace(/^-|-$/g, "")
      .toLowerCase()
      .slice(0, 60) || "event"
  }-${kind}.csv`;

const csvHeaders = (name: string) => ({
  "Content-Type": "text/csv; charset=utf-8",
  "Content-Disposition": `attachment; filename="${name}"`,
  "Cache-Control": "no-store",
});

/** Organizer exports of an event: attendees (one row per ticket) and orders, read from D1 (the ledger). */
export const exportRoutes = createRouter()
  .openapi(
    createRoute({
      operationId: "adminExportAttendees",
      ...base,
      method: "get",
      path: "/events/{id}/exports/attendees.csv",
      summary: "Download the event's attendees (one row per ticket) as CSV",
      description:
        "Every ticket of the event with its place as people say it, tier, price, state and check-in time, and " +
        "the buyer's email. Read from D1, the ledger, about a second behind the event's object.",
      request: { params: IdParam("id") },
      responses: { 200: csvResponse("Attendees"), ...pickProblems(400, 401, 403, 404) },
    }),
    async (c) => {
      const event = visibleOr404(c.var.auth, await getEvent(createDb(c.env.DB), c.req.valid("param").id), "Event");
      const names = placeNames(event.layoutSnapshot as LabelLayout);
      const body = csvStream(
        [
          "ticket_id",
          "order_id",
          "place",
          "tier",
          "price",
          "currency",
          "status",
          "checked_in_at",
          "buyer_email",
          "issued_at",
        ],
        (after) => attendeePage(c.env.DB, event.id, after, PAGE),
        (t) => [
          t.id,
          t.order_id,
          placeLabel(t.place, names),
          t.tier,
          csvAmount(t.price, t.currency),
          t.currency.toUpperCase(),
          t.status,
          csvTime(t.used_at),
          t.email,
          csvTime(t.created_at),
        ],
      );
      return c.body(body, 200, csvHeaders(fileName(event.name, "attendees")));
    },
  )
  .openapi(
    createRoute({
      operationId: "adminExportOrders",
      ...base,
      method: "get",
      path: "/events/{id}/exports/orders.csv",
      summary: "Download the event's orders as CSV",
      description:
        "Every order of the event with its state, buyer, places, amount, refunded amount and times. Read from " +
        "D1, the ledger, about a second behind the event's object.",
      request: { params: IdParam("id") },
      responses: { 200: csvResponse("Orders"), ...pickProblems(400, 401, 403, 404) },
    }),
    async (c) => {
      const event = visibleOr404(c.var.auth, await getEvent(createDb(c.env.DB), c.req.valid("param").id), "Event");
      const body = csvStream(
        ["order_id", "status", "buyer_email", "places", "amount", "refunded", "currency", "created_at", "paid_at"],
        (after) => orderExportPage(c.env.DB, event.id, after, PAGE),
        (o) => [
          o.id,
          o.status,
          o.email,
          o.places,
          csvAmount(o.amount, o.currency),
          csvAmount(o.refunded_amount, o.currency),
          o.currency.toUpperCase(),
          csvTime(o.created_at),
          csvTime(o.paid_at),
        ],
      );
      return c.body(body, 200, csvHeaders(fileName(event.name, "orders")));
    },
  );
