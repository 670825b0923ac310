// The demo seed of `npm start` against a real `wrangler dev`: a run cut off part-way (as when the
// first start is interrupted) leaves a half-made demo, and the next run must complete it; a run on
// a complete demo must change nothing. Each test starts its own server on a fresh local D1 (the
// same throw-away server the browser tests use, on another port), so it never meets their demo.
// Needs no browser. Run with `npm run build:ui && node --test test/e2e/seed.test.mjs`.
import assert from "node:assert/strict";
import { test } from "node:test";
import { startServer } from "../../scripts/bench/server.mjs";
import {
  DEMO_ACCOUNTS,
  DEMO_EVENTS,
  DEMO_ORGANIZER,
  DEMO_PASSWORD,
  SEED_STEPS,
  seedDemo,
} from "../../scripts/seed-demo.mjs";

const PORT = Number(process.env.E2E_SEED_PORT ?? 8797);
const VENUES = { "Lyric Theatre": "Stalls and circle", "Harbor Stadium": "Full bowl", Kellerclub: "Standing" };

/** Starts a fresh server, runs `body` against it and always stops it. */
async function withServer(body) {
  const server = await startServer({ port: PORT, adminEmail: DEMO_ACCOUNTS.admin });
  try {
    await body(server.base);
  } catch (err) {
    console.error(`--- wrangler log ---\n${server.logTail(40)}`);
    throw err;
  } finally {
    await server.stop();
  }
}

/** A JSON call; answers { status, body } and never throws on a status. */
async function call(base, method, path, { body, token } = {}) {
  const res = await fetch(base + path, {
    method,
    headers: { "content-type": "application/json", ...(token ? { authorization: `Bearer ${token}` } : {}) },
    body: body === undefined ? undefined : JSON.stringify(body),
    signal: AbortSignal.timeout(15_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? JSON.parse(text) : {} };
}

const login = (base, email) => call(base, "POST", "/v1/auth/login", { body: { email, password: DEMO_PASSWORD } });

async function get(base, path, token) {
  const res = await call(base, "GET", path, { token });
  assert.equal(res.status, 200, `GET ${path}: ${JSON.stringify(res.body)}`);
  return res.body;
}

/** Everything the demo is made of, read back through the admin API (ids included, to spot duplicates). */
async function demoState(base) {
  const session = await login(base, DEMO_ACCOUNTS.admin);
  assert.equal(session.status, 200, "the admin signs in");
  const token = session.body.accessToken;
  const orgs = (await get(base, "/v1/admin/organizers", token)).items.filter((o) => o.slug === DEMO_ORGANIZER.slug);
  const org = orgs[0];
  const members = org ? (await get(base, `/v1/admin/organizers/${org.id}/members`, token)).items : [];
  const venues = (await get(base, "/v1/admin/venues", token)).items.filter((v) => v.organizerId === org?.id);
  const layouts = [];
  for (const v of venues)
    for (const l of (await get(base, `/v1/admin/venues/${v.id}/layouts`, token)).items)
      layouts.push({ id: l.id, venue: v.name, name: l.name });
  const events = [];
  for (const e of (await get(base, "/v1/admin/events", token)).items.filter((e) => e.organizerId === org?.id)) {
    const tiers = (await get(base, `/v1/admin/events/${e.id}/tiers`, token)).items.map((t) => t.key);
    events.push({ id: e.id, name: e.name, status: e.status, tiers });
  }
  events.sort((a, b) => a.name.localeCompare(b.name));
  return {
    organizers: orgs.map((o) => o.id),
    members: members.map((m) => `${m.email}:${m.role}:${m.organizerRole}`).sort(),
    venues: venues.map((v) => `${v.id}:${v.name}`).sort(),
    layouts: layouts.map((l) => `${l.id}:${l.venue}:${l.name}`).sort(),
    events,
    byName: Object.fromEntries(events.map((e) => [e.name, e])),
  };
}

// Olive owns the demo organizer, Sam is staff: both joined by accepting an invitation.
const MEMBERS = [`${DEMO_ACCOUNTS.member}:organizer:staff`, `${DEMO_ACCOUNTS.organizer}:organizer:owner`].sort();

/** The full demo: every account, the organizer, its venues and layouts, every event on sale. */
async function assertComplete(base, state) {
  for (const email of Object.values(DEMO_ACCOUNTS)) assert.equal((await login(base, email)).status, 200, email);
  const fan = await login(base, DEMO_ACCOUNTS.fan);
  assert.equal(fan.body.user.role, "fan");
  assert.equal(fan.body.user.phone, "+447700900123");
  assert.deepEqual(fan.body.user.notifications, { email: true, sms: true });
  assert.equal(state.organizers.length, 1, "one demo organizer");
  assert.deepEqual(state.members, MEMBERS);
  assert.deepEqual(state.venues.map((v) => v.split(":")[1]).sort(), Object.keys(VENUES).sort());
  assert.deepEqual(
    state.layouts.map((l) => l.split(":").slice(1).join(":")).sort(),
    Object.entries(VENUES)
      .map(([v, l]) => `${v}:${l}`)
      .sort(),
  );
  assert.deepEqual(
    state.events.map((e) => e.name),
    DEMO_EVENTS.map((e) => e.name).sort((a, b) => a.localeCompare(b)),
    "each demo event exactly once",
  );
  for (const plan of DEMO_EVENTS) {
    const event = state.byName[plan.name];
    assert.equal(event.status, "on_sale", `${plan.name} is on sale`);
    assert.deepEqual(
      event.tiers,
      plan.tiers.map((t) => t.key),
      `${plan.name} is priced`,
    );
    // And fans see it: the public catalog answers with the event, on sale now.
    const pub = await get(base, `/v1/events/${event.id}`);
    assert.equal(pub.salesStatus, "on_sale", `${plan.name} is on sale to fans`);
  }
}

test("a seed cut off after its first accounts is completed by the next start", { timeout: 240_000 }, async () => {
  await withServer(async (base) => {
    // 1. The first start is interrupted once the admin, the organizer and its team exist.
    const cut = await seedDemo(base, DEMO_ACCOUNTS.admin, { stopAfter: "members" });
    assert.equal(cut.stoppedAfter, "members");
    assert.deepEqual(cut.changes, [
      `account ${DEMO_ACCOUNTS.admin}`,
      `organizer ${DEMO_ORGANIZER.name}`,
      `account ${DEMO_ACCOUNTS.organizer}`,
      `${DEMO_ACCOUNTS.organizer} as a member of ${DEMO_ORGANIZER.name}`,
      `account ${DEMO_ACCOUNTS.member}`,
      `${DEMO_ACCOUNTS.member} as a member of ${DEMO_ORGANIZER.name}`,
    ]);
    const partial = await demoState(base);
    assert.equal(partial.organizers.length, 1);
    assert.deepEqual(partial.members, MEMBERS);
    assert.equal((await login(base, DEMO_ACCOUNTS.organizer)).status, 200);
    assert.equal((await login(base, DEMO_ACCOUNTS.fan)).status, 401, "no fan account yet");
    assert.deepEqual(partial.venues, []);
    assert.deepEqual(partial.layouts, []);
    assert.deepEqual(partial.events, [], "no events yet");

    // 2. The next start finds the organizer and must still create everything after it.
    const next = await seedDemo(base, DEMO_ACCOUNTS.admin);
    console.log(`# second run:\n${next.message.replace(/^/gm, "#   ")}`);
    assert.equal(next.stoppedAfter, undefined);
    assert.deepEqual(next.notes, []);
    assert.doesNotMatch(next.message, /nothing changed/);
    for (const kept of [`account ${DEMO_ACCOUNTS.admin}`, `organizer ${DEMO_ORGANIZER.name}`])
      assert.ok(!next.changes.includes(kept), `${kept} was not made again`);
    assert.ok(next.changes.includes(`account ${DEMO_ACCOUNTS.fan}`));
    for (const plan of DEMO_EVENTS)
      assert.ok(next.changes.includes(`event ${plan.name} (created, priced, published, on sale)`), plan.name);
    const full = await demoState(base);
    assert.deepEqual(full.organizers, partial.organizers, "the same organizer, not a second one");
    await assertComplete(base, full);

    // 3. A start on the complete demo changes nothing and says so.
    const again = await seedDemo(base, DEMO_ACCOUNTS.admin);
    assert.deepEqual(again.changes, []);
    assert.equal(again.stoppedAfter, undefined);
    assert.match(again.message, /^Demo data already present; nothing changed\./);
    const { byName: _a, ...before } = full;
    const { byName: _b, ...after } = await demoState(base);
    assert.deepEqual(after, before, "no duplicates and nothing moved");
  });
});

test("a seed cut off among the events picks each event up where it stopped", { timeout: 240_000 }, async () => {
  const [hamlet, jazz, aurora] = DEMO_EVENTS.map((e) => e.name);
  assert.ok(SEED_STEPS.includes(`event:${hamlet}:created`));
  await withServer(async (base) => {
    // Cut off with the first event created but not yet priced.
    const first = await seedDemo(base, DEMO_ACCOUNTS.admin, { stopAfter: `event:${hamlet}:created` });
    assert.equal(first.changes.at(-1), `event ${hamlet} (created)`);
    let state = await demoState(base);
    assert.deepEqual(
      state.events.map((e) => [e.name, e.status, e.tiers.length]),
      [[hamlet, "draft", 0]],
    );
    assert.equal(state.venues.length, 3);
    assert.equal(state.layouts.length, 3);

    // Cut off again, with a later event published but not yet on sale.
    const second = await seedDemo(base, DEMO_ACCOUNTS.admin, { stopAfter: `event:${aurora}:published` });
    assert.deepEqual(second.changes, [
      `event ${hamlet} (priced, published, on sale)`,
      `event ${jazz} (created, priced, published, on sale)`,
      `event ${aurora} (created, priced, published)`,
    ]);
    state = await demoState(base);
    assert.deepEqual(
      state.events.map((e) => [e.name, e.status]),
      [
        [jazz, "on_sale"],
        [aurora, "published"],
        [hamlet, "on_sale"],
      ].sort((a, b) => a[0].localeCompare(b[0])),
    );

    // The next full run finishes Aurora and creates only the events still missing.
    const third = await seedDemo(base, DEMO_ACCOUNTS.admin);
    assert.deepEqual(third.changes, [
      `event ${aurora} (on sale)`,
      ...DEMO_EVENTS.slice(3).map((e) => `event ${e.name} (created, priced, published, on sale)`),
    ]);
    await assertComplete(base, await demoState(base));
  });
});
