import { describe, expect, it } from "vitest";
import { call, expectJson, type Json } from "../helpers/http";
import { layoutDoc, setupEvent } from "../inventory/helpers";

const layoutOf = (eventId: string, etag?: string) =>
  call("GET", `/v1/events/${eventId}/layout`, { headers: etag ? { "If-None-Match": etag } : {} });

const tierOf = (doc: Json, seatId: string) =>
  doc.sections.flatMap((s: Json) => s.rows.flatMap((r: Json) => r.seats)).find((s: Json) => s.id === seatId)?.tier;

describe("the public layout document, rendered once and revalidated", () => {
  it("answers 304 to its own ETag, and a tier edit before the first sale shows at once", async () => {
    const { org, event } = await setupEvent();
    const first = await layoutOf(event.id);
    const etag = first.headers.get("ETag")!;
    expect(first.headers.get("Cache-Control")).toBe("no-cache");
    expect(tierOf(await expectJson(first, 200), "A-2-1")).toBe("std");
    const again = await layoutOf(event.id, etag);
    expect(again.status).toBe(304);
    expect(again.headers.get("ETag")).toBe(etag);

    // Row 2 gets a tier of its own: the document (and its ETag) follow without waiting.
    const tiers = [
      { key: "std", name: "Standard", amount: 5000, appliesTo: { sections: ["A"] } },
      { key: "front", name: "Front", amount: 9000, appliesTo: { rows: [{ section: "A", row: "2" }] } },
      { key: "ga", name: "Pit", amount: 3000, appliesTo: { areas: ["pit"] } },
    ];
    await expectJson(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers } }),
      200,
    );
    const edited = await layoutOf(event.id, etag);
    expect(edited.status).toBe(200);
    expect(edited.headers.get("ETag")).not.toBe(etag);
    const doc = await expectJson(edited, 200);
    expect([tierOf(doc, "A-1-1"), tierOf(doc, "A-2-1")]).toEqual(["std", "front"]);
  });

  it("a swapped layout is the one served next, though the old one was just read", async () => {
    const { org, venue, event } = await setupEvent();
    expect((await expectJson(await layoutOf(event.id), 200)).sections[0].rows).toHaveLength(4);
    const small = await expectJson(
      await call("POST", `/v1/admin/venues/${venue.id}/layouts`, {
        token: org.token,
        body: { name: "Small", layout: layoutDoc(2, 3) },
      }),
      201,
    );
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { layoutId: small.id } }),
      200,
    );
    const rows = (await expectJson(await layoutOf(event.id), 200)).sections[0].rows;
    expect(rows.map((r: Json) => r.seats.length)).toEqual([3, 3]);
  });

  it("a draft answers 404 like an unknown id", async () => {
    const { event } = await setupEvent({ publish: false });
    expect((await layoutOf(event.id)).status).toBe(404);
    expect((await layoutOf("evt_nope")).status).toBe(404);
  });
});
