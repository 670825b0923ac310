import jsQRImport from "jsqr";
import { describe, expect, it } from "vitest";
import { qrSvg } from "../../src/domain/qr-svg";
import { TicketListSchema, TicketSchema } from "../../src/routes/tickets";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { organizerEvent, seedTickets, setTicketStatus } from "./helpers";

// jsqr's UMD bundle: the default import is the function or its exports object, depending on interop.
type Decode = typeof jsQRImport;
const jsQR: Decode =
  typeof jsQRImport === "function" ? jsQRImport : (jsQRImport as unknown as { default: Decode }).default;

/** Rasterizes the served SVG (one rect run per `M x y h len` segment) and decodes it like a camera would. */
function decodeSvg(svg: string): string | null {
  const side = Number(/viewBox="0 0 (\d+) \d+"/.exec(svg)![1]);
  const PX = 4;
  const w = side * PX;
  const pixels = new Uint8ClampedArray(w * w * 4).fill(255);
  for (const [, x, y, len] of svg.matchAll(/M(\d+) (\d+)h(\d+)v1h-\d+z/g)) {
    for (let py = Number(y) * PX; py < (Number(y) + 1) * PX; py++) {
      const from = (py * w + Number(x) * PX) * 4;
      for (let at = from; at < from + Number(len) * PX * 4; at += 4) pixels.fill(0, at, at + 3);
    }
  }
  return jsQR(pixels, w, w, { inversionAttempts: "dontInvert" })?.data ?? null;
}

describe("GET /v1/tickets/{id}", () => {
  it("shows the owner their ticket with its event and QR link", async () => {
    const { event } = await organizerEvent();
    const fan = await createUser();
    const { order, tickets } = await seedTickets({ eventId: event.id, userId: fan.id, seats: ["A-1-1"] });
    const t = tickets[0]!;
    const body = TicketSchema.parse(
      await expectJson(await call("GET", `/v1/tickets/${t.id}`, { token: fan.token }), 200),
    );
    expect(body).toMatchObject({
      id: t.id,
      orderId: order.id,
      eventId: event.id,
      place: "A-1-1",
      seatId: "A-1-1",
      areaId: null,
      tier: "t0",
      price: 5000,
      status: "valid",
      code: t.code,
      usedAt: null,
      qrUrl: `/v1/tickets/${t.id}/qr.svg`,
      event: { id: event.id, name: event.name, startsAt: new Date(event.startsAt).toISOString() },
    });
  });

  it("answers 404, not 403, to another fan", async () => {
    const { event } = await organizerEvent();
    const [owner, other] = [await createUser(), await createUser()];
    const { tickets } = await seedTickets({ eventId: event.id, userId: owner.id });
    await expectProblem(await call("GET", `/v1/tickets/${tickets[0]!.id}`, { token: other.token }), 404, "not_found");
    await expectProblem(await call("GET", `/v1/tickets/tkt_missing`, { token: other.token }), 404, "not_found");
  });

  it("answers 401 without a token", async () => {
    await expectProblem(await call("GET", "/v1/tickets/tkt_x"), 401, "unauthenticated");
    await expectProblem(await call("GET", "/v1/tickets"), 401, "unauthenticated");
  });
});

describe("GET /v1/tickets", () => {
  it("lists only the caller's tickets, newest first, refunded ones included with their status", async () => {
    const { event } = await organizerEvent();
    const [fan, other] = [await createUser(), await createUser()];
    const older = await seedTickets({ eventId: event.id, userId: fan.id, now: Date.now() - 60_000 });
    const newer = await seedTickets({ eventId: event.id, userId: fan.id, ga: 2 });
    await seedTickets({ eventId: event.id, userId: other.id });
    await setTicketStatus(older.tickets[0]!.id, "refunded");
    const body = TicketListSchema.parse(await expectJson(await call("GET", "/v1/tickets", { token: fan.token }), 200));
    expect(body.items).toHaveLength(4);
    expect(body.items.at(-1)).toMatchObject({ id: older.tickets[0]!.id, status: "refunded" });
    expect(new Set(body.items.slice(0, 3).map((t) => t.id))).toEqual(new Set(newer.tickets.map((t) => t.id)));
    expect(
      body.items
        .filter((t) => t.areaId === "pit")
        .map((t) => t.place)
        .sort(),
    ).toEqual([`pit#${newer.order.id}#1`, `pit#${newer.order.id}#2`]);
  });

  it("filters by event", async () => {
    const [{ event: a }, { event: b }] = [await organizerEvent(), await organizerEvent()];
    const fan = await createUser();
    const inA = await seedTickets({ eventId: a.id, userId: fan.id, seats: ["A-1-1", "A-1-2"] });
    await seedTickets({ eventId: b.id, userId: fan.id });
    const body = TicketListSchema.parse(
      await expectJson(await call("GET", `/v1/tickets?eventId=${a.id}`, { token: fan.token }), 200),
    );
    expect(body.items.map((t) => t.id).sort()).toEqual(inA.tickets.map((t) => t.id).sort());
    expect(body.items.every((t) => t.event.id === a.id)).toBe(true);
  });

  it("honours limit and rejects one above 100", async () => {
    const { event } = await organizerEvent();
    const fan = await createUser();
    await seedTickets({ eventId: event.id, userId: fan.id, seats: ["A-1-1", "A-1-2", "A-1-3"] });
    const body = TicketListSchema.parse(
      await expectJson(await call("GET", "/v1/tickets?limit=2", { token: fan.token }), 200),
    );
    expect(body.items).toHaveLength(2);
    await expectProblem(await call("GET", "/v1/tickets?limit=101", { token: fan.token }), 400, "validation_failed");
    await expectProblem(await call("GET", "/v1/tickets?limit=0", { token: fan.token }), 400, "validation_failed");
  });
});

describe("GET /v1/tickets/{id}/qr.svg", () => {
  it("serves a privately cacheable SVG that decodes to the ticket code", async () => {
    const { event } = await organizerEvent();
    const fan = await createUser();
    const t = (await seedTickets({ eventId: event.id, userId: fan.id })).tickets[0]!;
    const res = await call("GET", `/v1/tickets/${t.id}/qr.svg`, { token: fan.token });
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toMatch(/^image\/svg\+xml/);
    expect(res.headers.get("cache-control")).toBe("private, max-age=300");
    const svg = await res.text();
    expect(svg).toBe(qrSvg(t.code));
    expect(decodeSvg(svg)).toBe(t.code);
  });

  it("answers 404 to another fan", async () => {
    const { event } = await organizerEvent();
    const [owner, other] = [await createUser(), await createUser()];
    const t = (await seedTickets({ eventId: event.id, userId: owner.id })).tickets[0]!;
    await expectProblem(await call("GET", `/v1/tickets/${t.id}/qr.svg`, { token: other.token }), 404, "not_found");
  });
});
