import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { createDb } from "../../src/db/client";
import { checkIn } from "../../src/domain/check-in";
import { generateEventKeyPair, signTicketCode } from "../../src/domain/ticket-codes";
import { CheckInResultSchema, ScannerKeySchema } from "../../src/routes/admin/check-in";
import { seedEvent } from "../helpers/catalog";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { organizerEvent, seedTickets, setTicketStatus, ticketRow } from "./helpers";

const scan = (eventId: string, token: string, body: unknown) =>
  call("POST", `/v1/admin/events/${eventId}/check-in`, { token, body });

/** An organizer's event with one fan's seated tickets. */
async function scene(seats = ["A-1-1"]) {
  const { org, event } = await organizerEvent();
  const fan = await createUser();
  const { tickets } = await seedTickets({ eventId: event.id, userId: fan.id, seats });
  return { org, event, fan, tickets };
}

const b64urlBytes = (s: string) =>
  Uint8Array.from(atob(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4)), (c) =>
    c.charCodeAt(0),
  );

describe("POST /v1/admin/events/{id}/check-in", () => {
  it("admits a valid ticket once and records the gate", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    const body = CheckInResultSchema.parse(
      await expectJson(await scan(event.id, org.token, { code: t!.code, gate: "North 3" }), 200),
    );
    expect(body).toMatchObject({
      result: "admitted",
      place: "A-1-1",
      tier: "t0",
      ticket: { id: t!.id, status: "used", event: { id: event.id, name: event.name } },
    });
    expect(Date.parse(body.ticket.usedAt!)).toBeGreaterThan(Date.now() - 60_000);
    expect(await ticketRow(t!.id)).toMatchObject({
      status: "used",
      usedBy: "North 3",
      usedAt: Date.parse(body.ticket.usedAt!),
    });
  });

  it("records the scanning user when no gate is given", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    await expectJson(await scan(event.id, org.token, { code: t!.code }), 200);
    expect((await ticketRow(t!.id))?.usedBy).toBe(org.id);
  });

  it("answers 409 already used, with the time and gate, to a second scan", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    const first = CheckInResultSchema.parse(
      await expectJson(await scan(event.id, org.token, { code: t!.code, gate: "East" }), 200),
    );
    const p = await expectProblem(
      await scan(event.id, org.token, { code: t!.code, gate: "West" }),
      409,
      "ticket_already_used",
    );
    expect(p.detail).toContain(`already used at ${first.ticket.usedAt}`);
    expect(p).toMatchObject({ usedAt: first.ticket.usedAt, usedBy: "East" });
  });

  it("admits exactly one of many simultaneous scans of one ticket", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    const gates = Array.from({ length: 8 }, (_, i) => `gate-${i}`);
    const results = await Promise.all(gates.map((gate) => scan(event.id, org.token, { code: t!.code, gate })));
    const winners = results.filter((r) => r.status === 200);
    expect(winners).toHaveLength(1);
    const won = CheckInResultSchema.parse(await winners[0]!.json());
    const losers = await Promise.all(
      results.filter((r) => r.status !== 200).map((r) => expectProblem(r, 409, "ticket_already_used")),
    );
    expect(losers).toHaveLength(7);
    const row = await ticketRow(t!.id);
    for (const l of losers) expect(l).toMatchObject({ usedAt: won.ticket.usedAt, usedBy: row!.usedBy });
    expect(gates).toContain(row!.usedBy);
  });

  it.each([
    ["refunded", /refunded/],
    ["void", /void/],
  ] as const)("refuses a %s ticket with 409 not valid", async (status, detail) => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    await setTicketStatus(t!.id, status);
    const p = await expectProblem(await scan(event.id, org.token, { code: t!.code }), 409, "ticket_not_valid");
    expect(p.detail).toMatch(detail);
    expect((await ticketRow(t!.id))?.status).toBe(status);
  });

  it("answers 422 to a ticket of another event without naming it, and leaves it valid", async () => {
    const { org, event } = await scene();
    const elsewhere = await seedEvent({ venue: { organizerId: org.organizerId! } });
    const fan = await createUser();
    const [other] = (await seedTickets({ eventId: elsewhere.id, userId: fan.id })).tickets;
    const p = await expectProblem(await scan(event.id, org.token, { code: other!.code }), 422, "ticket_wrong_event");
    expect(JSON.stringify(p)).not.toContain(elsewhere.id);
    expect((await ticketRow(other!.id))?.status).toBe("valid");
  });

  it("refuses forged codes with 409 not valid: a swapped payload, another key, garbage", async () => {
    const {
      org,
      event,
      tickets: [a, b],
    } = await scene(["A-1-1", "A-1-2"]);
    const [, payloadB] = b!.code.split(".");
    const [, , signatureA] = a!.code.split(".");
    const swapped = `T1.${payloadB}.${signatureA}`;
    const foreignKey = await generateEventKeyPair();
    const otherKey = await signTicketCode(foreignKey.privateKey, {
      tid: b!.id,
      eid: event.id,
      seat: "A-1-2",
      iat: Math.floor(Date.now() / 1000),
    });
    for (const code of [swapped, otherKey]) {
      const p = await expectProblem(await scan(event.id, org.token, { code }), 409, "ticket_not_valid");
      expect(p.detail).toMatch(/signature/);
    }
    await expectProblem(await scan(event.id, org.token, { code: "not-a-ticket" }), 409, "ticket_not_valid");
    expect((await ticketRow(b!.id))?.status).toBe("valid");
  });

  it("answers 409 not valid for an event that never issued tickets", async () => {
    const { org, event } = await organizerEvent();
    const keys = await generateEventKeyPair();
    const code = await signTicketCode(keys.privateKey, { tid: "tkt_ghost", eid: event.id, seat: "A-1-1", iat: 1 });
    await expectProblem(await scan(event.id, org.token, { code }), 409, "ticket_not_valid");
  });

  it("answers 404 to an organizer of another organizer and admits nothing", async () => {
    const {
      event,
      tickets: [t],
    } = await scene();
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(await scan(event.id, stranger.token, { code: t!.code }), 404, "not_found");
    await expectProblem(
      await call("GET", `/v1/admin/events/${event.id}/check-in/key`, { token: stranger.token }),
      404,
      "not_found",
    );
    expect((await ticketRow(t!.id))?.status).toBe("valid");
  });

  it("lets an admin check in at any event", async () => {
    const {
      event,
      tickets: [t],
    } = await scene();
    const admin = await createUser({ role: "admin" });
    await expectJson(await scan(event.id, admin.token, { code: t!.code }), 200);
  });

  it("rejects an empty code, an overlong gate and unknown fields with 400", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    for (const body of [
      { code: "" },
      { code: t!.code, gate: "g".repeat(101) },
      { code: "x".repeat(1001) },
      { code: t!.code, extra: 1 },
    ]) {
      await expectProblem(await scan(event.id, org.token, body), 400, "validation_failed");
    }
    expect((await ticketRow(t!.id))?.status).toBe("valid");
  });
});

describe("GET /v1/admin/events/{id}/check-in/key", () => {
  it("publishes the public key and only live ticket ids, split into valid and used", async () => {
    const {
      org,
      event,
      tickets: [valid, used, refunded, voided],
    } = await scene(["A-1-1", "A-1-2", "A-1-3", "A-1-4"]);
    await expectJson(await scan(event.id, org.token, { code: used!.code }), 200);
    await setTicketStatus(refunded!.id, "refunded");
    await setTicketStatus(voided!.id, "void");
    const res = await call("GET", `/v1/admin/events/${event.id}/check-in/key`, { token: org.token });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const raw = await expectJson(res, 200);
    const body = ScannerKeySchema.parse(raw);
    expect(body).toMatchObject({
      eventId: event.id,
      algorithm: "Ed25519",
      validTicketIds: [valid!.id],
      usedTicketIds: [used!.id],
    });
    expect(JSON.stringify(raw)).not.toMatch(/private/i);
  });

  it("lets an offline scanner verify a ticket with plain WebCrypto and the published key", async () => {
    const {
      org,
      event,
      tickets: [t],
    } = await scene();
    const body = ScannerKeySchema.parse(
      await expectJson(await call("GET", `/v1/admin/events/${event.id}/check-in/key`, { token: org.token }), 200),
    );
    const key = await crypto.subtle.importKey("raw", b64urlBytes(body.publicKey), { name: "Ed25519" }, false, [
      "verify",
    ]);
    const [version, payload, signature] = t!.code.split(".") as [string, string, string];
    const signed = new TextEncoder().encode(`${version}.${payload}`);
    expect(await crypto.subtle.verify({ name: "Ed25519" }, key, b64urlBytes(signature), signed)).toBe(true);
    const claims = JSON.parse(new TextDecoder().decode(b64urlBytes(payload))) as { tid: string; eid: string };
    expect(claims).toMatchObject({ tid: t!.id, eid: event.id });
    expect(body.validTicketIds).toContain(claims.tid);
    // A tampered payload must fail the same check.
    const [, otherPayload] = (
      await seedTickets({ eventId: event.id, userId: (await createUser()).id })
    ).tickets[0]!.code.split(".");
    expect(
      await crypto.subtle.verify(
        { name: "Ed25519" },
        key,
        b64urlBytes(signature),
        new TextEncoder().encode(`T1.${otherPayload}`),
      ),
    ).toBe(false);
  });

  it("creates the key before any sale, and tickets issued later verify with it", async () => {
    const { org, event } = await organizerEvent();
    const url = `/v1/admin/events/${event.id}/check-in/key`;
    const first = ScannerKeySchema.parse(await expectJson(await call("GET", url, { token: org.token }), 200));
    expect(first.validTicketIds).toEqual([]);
    expect(b64urlBytes(first.publicKey)).toHaveLength(32);
    const again = ScannerKeySchema.parse(await expectJson(await call("GET", url, { token: org.token }), 200));
    expect(again.publicKey).toBe(first.publicKey);
    const [t] = (await seedTickets({ eventId: event.id, userId: (await createUser()).id })).tickets;
    await expectJson(await scan(event.id, org.token, { code: t!.code }), 200);
  });
});

describe("checkIn (domain)", () => {
  // Straight calls interleave at every await, so a read-then-write version admits all eight here
  // (checked by mutation); the HTTP test above goes through more awaits and is a weaker probe.
  it("admits exactly one of eight racing calls when every await interleaves", async () => {
    const {
      event,
      tickets: [t],
    } = await scene();
    const db = createDb(env.DB);
    const results = await Promise.allSettled(
      Array.from({ length: 8 }, (_, i) => checkIn(env, db, { eventId: event.id, code: t!.code, usedBy: `g${i}` })),
    );
    expect(results.filter((r) => r.status === "fulfilled")).toHaveLength(1);
    const reasons = results.flatMap((r) => (r.status === "rejected" ? [(r.reason as { code: string }).code] : []));
    expect(reasons).toEqual(Array(7).fill("ticket_already_used"));
  });
});
