import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { layoutDoc, setupEvent } from "../inventory/helpers";

/** A second layout of the same venue: 2 rows of 3 in section A, so seat A-2-3 exists and A-4-10 does not. */
async function smallerLayout(token: string, venueId: string) {
  return expectJson(
    await call("POST", `/v1/admin/venues/${venueId}/layouts`, {
      token,
      body: { name: "Small", layout: layoutDoc(2, 3) },
    }),
    201,
  );
}

const seatIds = async (eventId: string) =>
  Object.keys((await expectJson(await call("GET", `/v1/events/${eventId}/seats`), 200)).seats as object).sort();

describe("swapping a published event's layout before anything sells", () => {
  it("reaches the inventory object: the seats on sale are the new layout's", async () => {
    const { org, venue, event } = await setupEvent();
    const small = await smallerLayout(org.token, venue.id);
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { layoutId: small.id } }),
      200,
    );
    expect(await seatIds(event.id)).toEqual(["A-1-1", "A-1-2", "A-1-3", "A-2-1", "A-2-2", "A-2-3"]);
    const fan = await createUser();
    await expectProblem(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-4-10"] } }),
      422,
      "unknown_seats",
    );
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-2-3"] } }),
      201,
    );
  });

  it("is refused while seats are held, and D1 keeps the layout the object still sells", async () => {
    const { org, venue, layout, event } = await setupEvent();
    const small = await smallerLayout(org.token, venue.id);
    const fan = await createUser();
    await expectJson(
      await call("POST", `/v1/events/${event.id}/holds`, { token: fan.token, body: { seats: ["A-4-10"] } }),
      201,
    );
    await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { layoutId: small.id } }),
      409,
      "inventory_in_use",
    );
    const detail = await expectJson(await call("GET", `/v1/admin/events/${event.id}`, { token: org.token }), 200);
    expect(detail.layoutId).toBe(layout.id);
    expect(await seatIds(event.id)).toContain("A-4-10");
  });
});
