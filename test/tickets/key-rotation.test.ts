import { describe, expect, it } from "vitest";
import { ticketCodeClaims, verifyTicketCode } from "../../src/domain/ticket-codes";
import { ScannerKeySchema } from "../../src/routes/admin/check-in";
import { createUser } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { organizerEvent, seedTickets } from "./helpers";

const scan = (eventId: string, token: string, code: string) =>
  call("POST", `/v1/admin/events/${eventId}/check-in`, { token, body: { code } });

describe("rotating an event's ticket-signing key", () => {
  it("signs new tickets with the new key while tickets signed before still verify and admit", async () => {
    const { org, event } = await organizerEvent();
    const fan = await createUser();
    const {
      tickets: [old],
    } = await seedTickets({ eventId: event.id, userId: fan.id, seats: ["A-1-1"] });
    expect(ticketCodeClaims(old!.code)?.kid).toBe("k1");

    const rotated = ScannerKeySchema.parse(
      await expectJson(
        await call("POST", `/v1/admin/events/${event.id}/check-in/key/rotate`, { token: org.token }),
        200,
      ),
    );
    expect(rotated.kid).toBe("k2");
    expect(rotated.keys.map((k) => [k.kid, k.status])).toEqual([
      ["k2", "active"],
      ["k1", "retired"],
    ]);

    const {
      tickets: [fresh],
    } = await seedTickets({ eventId: event.id, userId: fan.id, seats: ["A-1-2"] });
    expect(ticketCodeClaims(fresh!.code)?.kid).toBe("k2");
    // An offline gate picks the key by the code's kid: each verifies with its own key only.
    const byKid = Object.fromEntries(rotated.keys.map((k) => [k.kid, k.publicKey]));
    expect(await verifyTicketCode(byKid.k1!, old!.code)).not.toBeNull();
    expect(await verifyTicketCode(byKid.k2!, fresh!.code)).not.toBeNull();
    expect(await verifyTicketCode(byKid.k2!, old!.code)).toBeNull();

    await expectJson(await scan(event.id, org.token, old!.code), 200);
    await expectJson(await scan(event.id, org.token, fresh!.code), 200);
  });

  it("a code claiming a key the event never had is refused", async () => {
    const { org, event } = await organizerEvent();
    const fan = await createUser();
    const {
      tickets: [t],
    } = await seedTickets({ eventId: event.id, userId: fan.id, seats: ["A-2-1"] });
    const [prefix, payload, sig] = t!.code.split(".");
    const claims = JSON.parse(atob(payload!.replaceAll("-", "+").replaceAll("_", "/")));
    const forged = btoa(JSON.stringify({ ...claims, kid: "k9" }))
      .replaceAll("+", "-")
      .replaceAll("/", "_")
      .replaceAll("=", "");
    const res = await scan(event.id, org.token, `${prefix}.${forged}.${sig}`);
    expect(res.status).toBe(409);
  });
});
