import fc from "fast-check";
import { describe, expect, it } from "vitest";
import { generateEventKeyPair, signTicketCode } from "../../src/domain/ticket-codes";
import { CheckInBatchResultSchema, ScannerPackSchema } from "../../src/routes/admin/check-in-batch";
import { seedEvent } from "../helpers/catalog";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { organizerEvent, seedTickets, setTicketStatus, ticketRow } from "./helpers";

type Scan = { scanId: string; code: string; scannedAt: string };

const upload = (eventId: string, token: string, body: unknown) =>
  call("POST", `/v1/admin/events/${eventId}/check-in/batch`, { token, body });

async function results(eventId: string, token: string, device: string, scans: Scan[]) {
  return CheckInBatchResultSchema.parse(await expectJson(await upload(eventId, token, { device, scans }), 200)).results;
}

async function scene(seats: string[]) {
  const { org, event } = await organizerEvent();
  const fan = await createUser();
  const { tickets } = await seedTickets({ eventId: event.id, userId: fan.id, seats });
  return { org, event, tickets };
}

const T0 = Date.parse("2026-12-01T19:00:00.000Z");
const at = (offsetS: number) => new Date(T0 + offsetS * 1000).toISOString();

describe("POST /v1/admin/events/{id}/check-in/batch", () => {
  it("settles first scan first whatever order the gates upload in", async () => {
    await fc.assert(
      fc.asyncProperty(
        // Scans of two tickets by three gates, at distinct times; then an upload order and batch cuts.
        fc.uniqueArray(fc.integer({ min: 0, max: 3600 }), { minLength: 2, maxLength: 7 }).chain((times) =>
          fc.record({
            scans: fc.tuple(...times.map((t) => fc.record({ t: fc.constant(t), ticket: fc.nat(1), gate: fc.nat(2) }))),
            order: fc.shuffledSubarray(
              times.map((_, i) => i),
              { minLength: times.length, maxLength: times.length },
            ),
            cuts: fc.array(fc.boolean(), { minLength: times.length, maxLength: times.length }),
          }),
        ),
        async ({ scans, order, cuts }) => {
          const { org, event, tickets } = await scene([`A-1-${uniq()}`, `A-2-${uniq()}`]);
          const all = scans.map((s, i) => ({
            scanId: `scan-${i}`,
            gate: `gate-${s.gate}`,
            ticket: tickets[s.ticket]!,
            scannedAt: at(s.t),
          }));
          // Uploads in the shuffled order; a batch ends where `cuts` says, and each batch is one gate's.
          let batch: typeof all = [];
          const flush = async () => {
            for (const gate of new Set(batch.map((s) => s.gate))) {
              const mine = batch.filter((s) => s.gate === gate);
              const out = mine.map((s) => ({ scanId: s.scanId, code: s.ticket.code, scannedAt: s.scannedAt }));
              await results(event.id, org.token, gate, out);
            }
            batch = [];
          };
          for (const [k, i] of order.entries()) {
            batch.push(all[i]!);
            if (cuts[k]) await flush();
          }
          await flush();
          for (const t of tickets) {
            const mine = all.filter((s) => s.ticket.id === t.id);
            const row = await ticketRow(t.id);
            if (!mine.length) {
              expect(row?.status).toBe("valid");
              continue;
            }
            const first = mine.reduce((a, b) => (b.scannedAt < a.scannedAt ? b : a));
            expect(row).toMatchObject({ status: "used", usedAt: Date.parse(first.scannedAt), usedBy: first.gate });
            // Re-uploading every scan changes nothing and names the same first scan throughout.
            for (const s of mine) {
              const [r] = await results(event.id, org.token, s.gate, [
                { scanId: s.scanId, code: t.code, scannedAt: s.scannedAt },
              ]);
              if (s === first) expect(r).toMatchObject({ result: "accepted", ticketId: t.id });
              else
                expect(r).toMatchObject({
                  result: "duplicate",
                  first: { scanId: first.scanId, device: first.gate, scannedAt: first.scannedAt },
                });
            }
          }
        },
      ),
      { numRuns: 12 },
    );
  });

  it("is idempotent per scan id and breaks equal scan times by upload order", async () => {
    const { org, event, tickets } = await scene(["A-1-1"]);
    const t = tickets[0]!;
    const a = { scanId: "a", code: t.code, scannedAt: at(10) };
    const b = { scanId: "b", code: t.code, scannedAt: at(10) };
    expect(await results(event.id, org.token, "north", [a])).toMatchObject([{ result: "accepted", place: "A-1-1" }]);
    expect(await results(event.id, org.token, "south", [b, a])).toMatchObject([
      { scanId: "b", result: "duplicate", first: { scanId: "a", device: "north" } },
      { scanId: "a", result: "accepted" },
    ]);
    // The same scan id again, even from another gate and another time, is the stored scan.
    expect(await results(event.id, org.token, "west", [{ ...a, scannedAt: at(1) }])).toMatchObject([
      { result: "accepted" },
    ]);
    expect(await ticketRow(t.id)).toMatchObject({ status: "used", usedAt: Date.parse(at(10)), usedBy: "north" });
  });

  it("lets an earlier offline scan take over from a later online check-in", async () => {
    const { org, event, tickets } = await scene(["A-1-1"]);
    const t = tickets[0]!;
    await expectJson(
      await call("POST", `/v1/admin/events/${event.id}/check-in`, {
        token: org.token,
        body: { code: t.code, gate: "online" },
      }),
      200,
    );
    const earlier = new Date(Date.now() - 60_000).toISOString();
    expect(
      await results(event.id, org.token, "offline", [{ scanId: "o1", code: t.code, scannedAt: earlier }]),
    ).toMatchObject([{ result: "accepted" }]);
    expect(await ticketRow(t.id)).toMatchObject({ usedBy: "offline", usedAt: Date.parse(earlier) });
    const later = new Date().toISOString();
    expect(
      await results(event.id, org.token, "late", [{ scanId: "o2", code: t.code, scannedAt: later }]),
    ).toMatchObject([{ result: "duplicate", first: { scanId: "o1", device: "offline", scannedAt: earlier } }]);
  });

  it("answers wrong_event, invalid_signature and not_valid per scan, and admits the rest", async () => {
    const { org, event, tickets } = await scene(["A-1-1", "A-1-2"]);
    const elsewhere = await seedEvent({ venue: { organizerId: org.organizerId! } });
    const [other] = (await seedTickets({ eventId: elsewhere.id, userId: (await createUser()).id })).tickets;
    await setTicketStatus(tickets[1]!.id, "refunded");
    const foreign = await generateEventKeyPair();
    const forged = await signTicketCode(foreign.privateKey, {
      tid: tickets[0]!.id,
      eid: event.id,
      seat: "A-1-1",
      iat: 1,
    });
    const r = await results(event.id, org.token, "gate", [
      { scanId: "w", code: other!.code, scannedAt: at(1) },
      { scanId: "f", code: forged, scannedAt: at(2) },
      { scanId: "g", code: "garbage", scannedAt: at(3) },
      { scanId: "r", code: tickets[1]!.code, scannedAt: at(4) },
      { scanId: "ok", code: tickets[0]!.code, scannedAt: at(5) },
    ]);
    expect(r.map((x) => [x.scanId, x.result])).toEqual([
      ["w", "wrong_event"],
      ["f", "invalid_signature"],
      ["g", "invalid_signature"],
      ["r", "not_valid"],
      ["ok", "accepted"],
    ]);
    expect(JSON.stringify(r)).not.toContain(elsewhere.id);
    expect((await ticketRow(other!.id))?.status).toBe("valid");
  });

  it("refuses bad input with 400 problem+json and a stranger with 404", async () => {
    const { org, event, tickets } = await scene(["A-1-1"]);
    const ok = { scanId: "s", code: tickets[0]!.code, scannedAt: at(0) };
    for (const body of [
      {},
      { device: "g", scans: [] },
      { device: "", scans: [ok] },
      { device: "g", scans: [{ ...ok, scannedAt: "yesterday" }] },
      { device: "g", scans: [ok, ok] },
      { device: "g", scans: [{ ...ok, extra: 1 }] },
      { device: "g", scans: Array.from({ length: 501 }, (_, i) => ({ ...ok, scanId: `s${i}` })) },
      { device: "g", scans: [{ ...ok, scannedAt: new Date(Date.now() + 3_600_000).toISOString() }] },
    ]) {
      await expectProblem(await upload(event.id, org.token, body), 400, "validation_failed");
    }
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(await upload(event.id, stranger.token, { device: "g", scans: [ok] }), 404, "not_found");
    expect((await ticketRow(tickets[0]!.id))?.status).toBe("valid");
  });
});

describe("GET /v1/admin/events/{id}/check-in/scanner", () => {
  it("lists keys and live tickets with place and state, not refunded ones", async () => {
    const { org, event, tickets } = await scene(["A-1-1", "A-1-2", "A-1-3"]);
    await results(event.id, org.token, "gate", [{ scanId: "x", code: tickets[1]!.code, scannedAt: at(0) }]);
    await setTicketStatus(tickets[2]!.id, "refunded");
    const res = await call("GET", `/v1/admin/events/${event.id}/check-in/scanner`, { token: org.token });
    expect(res.headers.get("cache-control")).toBe("no-store");
    const pack = ScannerPackSchema.parse(await expectJson(res, 200));
    expect(pack).toMatchObject({ eventId: event.id, name: event.name });
    expect(pack.keys.length).toBeGreaterThan(0);
    expect(pack.tickets).toEqual(
      [
        { id: tickets[0]!.id, place: "A-1-1", tier: "t0", state: "valid", usedAt: null, usedBy: null },
        { id: tickets[1]!.id, place: "A-1-2", tier: "t0", state: "used", usedAt: at(0), usedBy: "gate" },
      ].sort((a, b) => a.id.localeCompare(b.id)),
    );
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(
      await call("GET", `/v1/admin/events/${event.id}/check-in/scanner`, { token: stranger.token }),
      404,
      "not_found",
    );
  });
});
