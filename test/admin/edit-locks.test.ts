import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

const detail = (token: string, id: string) => call("GET", `/v1/admin/events/${id}`, { token });

describe("GET /v1/admin/events/:id locks", () => {
  it("reports no lock before the first sale", async () => {
    const { org, event } = await setupEvent();
    expect((await expectJson(await detail(org.token, event.id), 200)).locks).toEqual({ tiers: null, layout: null });
  });

  it("after a sale gives the code and reason the tier and layout edits answer with", async () => {
    const { org, event } = await setupEvent();
    // The ledger records the first sale in D1 a moment after the object confirms it; stand in for it.
    await env.DB.prepare("UPDATE events SET first_sale_at = ? WHERE id = ?").bind(Date.now(), event.id).run();
    const { locks } = await expectJson(await detail(org.token, event.id), 200);
    expect(locks.tiers).toMatchObject({ code: "locked_after_sales", reason: expect.stringMatching(/sold/) });
    const tiers = await expectProblem(
      await call("PUT", `/v1/admin/events/${event.id}/tiers`, { token: org.token, body: { tiers: [] } }),
      409,
      "locked_after_sales",
    );
    expect(tiers.detail).toBe(locks.tiers.reason);
    const layout = await expectProblem(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { layoutId: event.layoutId } }),
      409,
      "locked_after_sales",
    );
    expect(layout.detail).toBe(locks.layout.reason);
  });
});
