import { describe, expect, it } from "vitest";
import { CONFIG, freshInventory } from "./helpers";

const sale = (over: Record<string, unknown> = {}) => ({
  status: "on_sale",
  salesStartAt: null,
  salesEndAt: null,
  endsAt: Date.now() + 86_400_000,
  queueEnabled: false,
  ...over,
});

describe("EventInventory decides on its own whether a hold may happen", () => {
  it("refuses holds outside the sales window it was given, and takes them once the organizer opens sales", async () => {
    const stub = await freshInventory({ config: { sale: sale({ status: "published" }) } });
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).toMatchObject({
      ok: false,
      code: "not_on_sale",
    });
    await stub.configure({ ...CONFIG, sale: sale({ salesStartAt: Date.now() + 60_000 }) });
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).toMatchObject({
      ok: false,
      code: "not_on_sale",
    });
    await stub.configure({ ...CONFIG, sale: sale() });
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).toMatchObject({ ok: true });
    await stub.configure({ ...CONFIG, sale: sale({ status: "closed" }) });
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-2"] } })).toMatchObject({
      ok: false,
      code: "not_on_sale",
    });
  });

  it("while the waiting room is on, holds need an admission (checked by the Worker)", async () => {
    const stub = await freshInventory({ config: { sale: sale({ queueEnabled: true }) } });
    expect(await stub.hold({ userId: "u1", request: { seats: ["S1-A-1"] } })).toMatchObject({
      ok: false,
      code: "admission_required",
    });
    expect(await stub.hold({ userId: "u1", admitted: true, request: { seats: ["S1-A-1"] } })).toMatchObject({
      ok: true,
    });
  });
});
