import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signLiveTicket } from "../../src/auth/live-tickets";
import { createUser } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";
import { connect, liveTicket, openLive } from "./helpers";

async function hold(eventId: string, token: string, seats: string[]) {
  return expectJson(await call("POST", `/v1/events/${eventId}/holds`, { token, body: { seats } }), 201);
}

describe("POST /v1/events/:id/live-ticket", () => {
  it("answers a signed-in fan with a ticket that lapses within about a minute", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const before = Date.now();
    const body = await expectJson(await call("POST", `/v1/events/${event.id}/live-ticket`, { token: fan.token }), 201);
    expect(body.ticket).toEqual(expect.any(String));
    expect(body.ticket).not.toContain(fan.id);
    const ttl = Date.parse(body.expiresAt) - before;
    expect(ttl).toBeGreaterThan(30_000);
    expect(ttl).toBeLessThanOrEqual(61_000);
  });

  it("answers 401 without an access token and 404 for an unknown event", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    await expectProblem(await call("POST", `/v1/events/${event.id}/live-ticket`), 401, "unauthenticated");
    await expectProblem(
      await call("POST", `/v1/events/evt_${crypto.randomUUID()}/live-ticket`, { token: fan.token }),
      404,
      "not_found",
    );
  });
});

describe("GET /v1/events/:id/live sign-in", () => {
  it("refuses an access token in the URL with a 400", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const problem = await expectProblem(await openLive(event.id, { token: fan.token }), 400, "bad_request");
    expect(problem.detail).toMatch(/ticket/);
  });

  it("opens signed in with a ticket once; the same ticket again is 401", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const ticket = await liveTicket(event.id, fan.token);
    const live = await connect(event.id, { ticket });
    const hello = await live.next("hello");
    expect(hello.you).toMatch(/^[A-Za-z0-9_-]{16}$/);
    await live.next("snapshot");
    const again = await openLive(event.id, { ticket });
    const problem = await expectProblem(again, 401, "unauthenticated");
    expect(problem.detail).toMatch(/used before/);
    live.close();
  });

  it("refuses an expired ticket, one for another event, and an access token passed as a ticket (401)", async () => {
    const { event } = await setupEvent();
    const { event: other } = await setupEvent();
    const fan = await createUser();
    const stale = await signLiveTicket(fan.id, event.id, env, Date.now() - 120_000);
    await expectProblem(await openLive(event.id, { ticket: stale.ticket }), 401, "unauthenticated");
    const elsewhere = await liveTicket(other.id, fan.token);
    await expectProblem(await openLive(event.id, { ticket: elsewhere }), 401, "unauthenticated");
    await expectProblem(await openLive(event.id, { ticket: fan.token }), 401, "unauthenticated");
    await expectProblem(await openLive(event.id, { ticket: "not-a-ticket" }), 401, "unauthenticated");
  });

  it("still lets anyone watch the map without a ticket (hello names nobody)", async () => {
    const { event } = await setupEvent();
    const live = await connect(event.id);
    expect((await live.next("hello")).you).toBeNull();
    expect((await live.next("snapshot")).seats["A-1-1"]).toBe("a");
    live.close();
  });
});

describe("whose change a delta is", () => {
  it("tags a fan's hold with that fan's tag, the same in each of the fan's sockets and no one else's", async () => {
    const { event } = await setupEvent();
    const fan = await createUser();
    const other = await createUser();
    const tab1 = await connect(event.id, { token: fan.token });
    const tab2 = await connect(event.id, { token: fan.token });
    const theirs = await connect(event.id, { token: other.token });
    const anonymous = await connect(event.id);
    const [me1, me2, them, nobody] = await Promise.all([
      tab1.next("hello"),
      tab2.next("hello"),
      theirs.next("hello"),
      anonymous.next("hello"),
    ]);
    expect(me1.you).toBe(me2.you);
    expect(them.you).not.toBe(me1.you);
    expect(nobody.you).toBeNull();

    await hold(event.id, fan.token, ["A-4-1"]);
    for (const sock of [tab1, tab2, theirs, anonymous]) {
      const d = await sock.next("delta");
      expect(d.changes.map((c) => c.by)).toEqual([me1.you]);
    }
    await hold(event.id, other.token, ["A-4-2"]);
    expect((await tab1.next("delta")).changes[0]!.by).toBe(them.you);
    for (const s of [tab1, tab2, theirs, anonymous]) s.close();
  });

  it("gives one fan a different tag on another event", async () => {
    const { event: a } = await setupEvent();
    const { event: b } = await setupEvent();
    const fan = await createUser();
    const onA = await connect(a.id, { token: fan.token });
    const onB = await connect(b.id, { token: fan.token });
    const [ha, hb] = await Promise.all([onA.next("hello"), onB.next("hello")]);
    expect(ha.you).toEqual(expect.any(String));
    expect(ha.you).not.toBe(hb.you);
    onA.close();
    onB.close();
  });
});
