import { describe, expect, it } from "vitest";
import { uniq } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

/** What the portal's new-event form relies on: one Idempotency-Key per intended event, one draft. */
describe("creating an event under an Idempotency-Key", () => {
  it("answers a resend of the same create with the same draft, and makes no second one", async () => {
    const { org, event: other } = await setupEvent({ publish: false });
    const name = `Once ${uniq()}`;
    const body = {
      venueId: other.venueId,
      layoutId: other.layoutId,
      name,
      category: "concert",
      startsAt: "2030-07-01T19:00:00Z",
      endsAt: "2030-07-01T23:00:00Z",
      currency: "NOK",
    };
    const key = crypto.randomUUID();
    const send = () =>
      call("POST", "/v1/admin/events", { token: org.token, body, headers: { "Idempotency-Key": key } });
    const first = await expectJson(await send(), 201);
    const again = await send();
    expect(again.headers.get("Idempotent-Replayed")).toBe("true");
    expect((await expectJson(again, 201)).id).toBe(first.id);
    const list = await expectJson(await call("GET", "/v1/admin/events", { token: org.token }), 200);
    expect(list.items.filter((e: { name: string }) => e.name === name).map((e: { id: string }) => e.id)).toEqual([
      first.id,
    ]);
  });
});
