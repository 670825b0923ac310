import { orderLedgerCaughtUp } from "../helpers/ledger";
import { beforeAll, describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem, type Json } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

/**
 * The authorization matrix puts the other tenant's ids in the path; these put them in bodies and
 * query strings, where a route could look a row up without checking whose it is.
 */
async function buy(eventId: string) {
  const fan = await createUser();
  const hold = await expectJson(
    await call("POST", `/v1/events/${eventId}/holds`, { token: fan.token, body: { seats: ["A-1-1"] } }),
    201,
  );
  const co = await expectJson(
    await call("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, {
      token: fan.token,
      headers: { "Idempotency-Key": crypto.randomUUID() },
    }),
    201,
  );
  await expectJson(
    await call("POST", co.payment.paymentUrl, { token: fan.token, body: { card: "4242 4242 4242 4242" } }),
    200,
  );
  // "My tickets" reads the ledger, a moment behind the sale.
  await orderLedgerCaughtUp(co.orderId as string);
  const tickets = await expectJson(await call("GET", "/v1/tickets", { token: fan.token }), 200);
  return { fan, orderId: co.orderId as string, ticket: tickets.items[0] as Json };
}

describe("another tenant's ids in bodies and queries", () => {
  let A: Awaited<ReturnType<typeof setupEvent>>;
  let B: Awaited<ReturnType<typeof setupEvent>>;
  let a: Awaited<ReturnType<typeof buy>>;
  let b: Awaited<ReturnType<typeof buy>>;
  beforeAll(async () => {
    A = await setupEvent();
    B = await setupEvent();
    a = await buy(A.event.id);
    b = await buy(B.event.id);
  }, 60_000);

  it("filters lists by the caller's organizer whatever the query names", async () => {
    const t = A.org.token;
    for (const q of [`orderId=${b.orderId}`, `eventId=${B.event.id}`])
      expect((await expectJson(await call("GET", `/v1/admin/notifications?${q}`, { token: t }), 200)).items).toEqual(
        [],
      );
    for (const q of [`orderId=${b.orderId}`, `eventId=${B.event.id}`, `entityId=${b.orderId}`])
      expect((await expectJson(await call("GET", `/v1/admin/audit?${q}`, { token: t }), 200)).items).toEqual([]);
    const theirs = await call("GET", `/v1/tickets?eventId=${B.event.id}`, { token: a.fan.token });
    expect((await expectJson(theirs, 200)).items).toEqual([]);
  });

  it("refuses B's venue, layout and organizer in A's writes", async () => {
    const t = A.org.token;
    const event = {
      venueId: A.venue.id,
      layoutId: B.layout.id,
      name: "Cross",
      category: "concert",
      startsAt: "2030-06-01T19:00:00Z",
      endsAt: "2030-06-01T23:00:00Z",
      currency: "NOK",
    };
    await expectProblem(await call("POST", "/v1/admin/events", { token: t, body: event }), 404, "not_found");
    const draft = await setupEvent({ publish: false });
    const patch = (body: Json) => call("PATCH", `/v1/admin/events/${draft.event.id}`, { token: draft.org.token, body });
    await expectProblem(await patch({ venueId: B.venue.id }), 404, "not_found");
    await expectProblem(await patch({ layoutId: B.layout.id }), 404, "not_found");
    const generate = { sections: [{ id: "G", name: "G", rows: 1, seatsPerRow: 2 }] };
    const layout = call("POST", `/v1/admin/venues/${B.venue.id}/layouts`, { token: t, body: { name: "x", generate } });
    await expectProblem(await layout, 404, "not_found");
    const venue = {
      organizerId: B.org.organizerId,
      name: "Cross",
      address: "a",
      city: "c",
      country: "NO",
      timezone: "Europe/Oslo",
      region: "weur",
    };
    await expectProblem(await call("POST", "/v1/admin/venues", { token: t, body: venue }), 404, "not_found");
  });

  it("refuses B's tickets in A's refunds and check-ins", async () => {
    const t = A.org.token;
    const refund = call("POST", `/v1/admin/orders/${a.orderId}/refund`, {
      token: t,
      body: { ticketIds: [b.ticket.id] },
    });
    await expectProblem(await refund, 422, "unprocessable");
    const scan = call("POST", `/v1/admin/events/${A.event.id}/check-in`, { token: t, body: { code: b.ticket.code } });
    await expectProblem(await scan, 422, "ticket_wrong_event");
    // Neither touched B's ticket.
    expect(
      (await expectJson(await call("GET", `/v1/tickets/${b.ticket.id}`, { token: b.fan.token }), 200)).status,
    ).toBe(b.ticket.status);
  });
});
