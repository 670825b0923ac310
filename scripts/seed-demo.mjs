// Demo data, created through the public API so it runs the same validation and publishing code a
// real organizer does. Every part is looked up (by email, slug or name) before it is created, and
// events are moved on from whatever state they were left in, so a run that was cut off half-way is
// completed by the next one and a complete demo is left as it is.
export const DEMO_PASSWORD = "demo-password-1";
export const DEMO_ACCOUNTS = {
  admin: "admin@demo.test",
  organizer: "organizer@demo.test",
  member: "staff@demo.test",
  fan: "fan@demo.test",
};
export const DEMO_ORGANIZER = { name: "Demo Live", slug: "demo-live", contactEmail: "hello@demo.test" };

const DAY = 86_400_000;
// Olive owns the organizer (she manages its members); Sam is staff.
const MEMBERS = [
  { email: DEMO_ACCOUNTS.organizer, name: "Olive Organizer", role: "owner" },
  { email: DEMO_ACCOUNTS.member, name: "Sam Staff", role: "staff" },
];
// An account with a phone wants SMS too, so the local mailbox shows both confirmations.
const FAN = { email: DEMO_ACCOUNTS.fan, name: "Fran Fan", phone: "+447700900123", sms: true };

/** Venues of the demo organizer, each with the one layout its events use. */
const VENUES = [
  {
    name: "Lyric Theatre",
    address: "29 Shaftesbury Ave",
    city: "London",
    country: "GB",
    timezone: "Europe/London",
    region: "weur",
    layout: {
      name: "Stalls and circle",
      generate: {
        sections: [
          { id: "STALLS", name: "Stalls", rows: 15, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
          { id: "CIRCLE", name: "Circle", rows: 10, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
        ],
      },
    },
  },
  {
    name: "Harbor Stadium",
    address: "1 Stadium Way",
    city: "New York",
    country: "US",
    timezone: "America/New_York",
    region: "enam",
    layout: {
      name: "Full bowl",
      generate: {
        sections: ["N1", "N2", "E1", "E2", "S1", "S2", "W1", "W2"].map((id) => ({
          id,
          name: `Section ${id}`,
          rows: 40,
          seatsPerRow: 64,
          shape: "straight",
        })),
      },
    },
  },
  {
    name: "Kellerclub",
    address: "Oranienstr. 10",
    city: "Berlin",
    country: "DE",
    timezone: "Europe/Berlin",
    region: "weur",
    layout: {
      name: "Standing",
      layout: {
        sections: [],
        areas: [
          { id: "FLOOR", name: "Dance floor", capacity: 450 },
          { id: "BALCONY", name: "Balcony", capacity: 50 },
        ],
      },
    },
  },
];

/** Events, each at a venue above (by name), `days` from now; all end up published and on sale. */
export const DEMO_EVENTS = [
  {
    venue: "Lyric Theatre",
    name: "Hamlet",
    category: "theatre",
    performers: ["Royal Touring Company"],
    days: 12,
    currency: "GBP",
    tiers: [
      { key: "stalls", name: "Stalls", amount: 6500, appliesTo: { sections: ["STALLS"] } },
      { key: "circle", name: "Circle", amount: 4200, appliesTo: { sections: ["CIRCLE"] } },
    ],
  },
  {
    venue: "Lyric Theatre",
    name: "An Evening of Jazz Standards",
    category: "concert",
    performers: ["The Blue Notes Trio"],
    days: 30,
    currency: "GBP",
    tiers: [{ key: "all", name: "Standard", amount: 3500, appliesTo: { sections: ["STALLS", "CIRCLE"] } }],
  },
  {
    venue: "Harbor Stadium",
    name: "Aurora World Tour",
    category: "concert",
    performers: ["Aurora", "The Northern Lights"],
    days: 45,
    currency: "USD",
    tiers: [
      { key: "lower", name: "Lower bowl", amount: 18900, appliesTo: { sections: ["N1", "E1", "S1", "W1"] } },
      { key: "upper", name: "Upper bowl", amount: 8900, appliesTo: { sections: ["N2", "E2", "S2", "W2"] } },
    ],
  },
  {
    venue: "Harbor Stadium",
    name: "Harbor City FC vs Riverside United",
    category: "sports",
    performers: ["Harbor City FC", "Riverside United"],
    days: 9,
    currency: "USD",
    tiers: [
      { key: "home", name: "Home end", amount: 6000, appliesTo: { sections: ["N1", "N2", "E1", "E2"] } },
      { key: "away", name: "Away end", amount: 5500, appliesTo: { sections: ["S1", "S2", "W1", "W2"] } },
    ],
  },
  {
    venue: "Kellerclub",
    name: "Techno Nacht",
    category: "concert",
    performers: ["DJ Kollektiv"],
    days: 5,
    currency: "EUR",
    tiers: [
      { key: "floor", name: "Floor", amount: 2500, appliesTo: { areas: ["FLOOR"] } },
      { key: "balcony", name: "Balcony", amount: 4000, appliesTo: { areas: ["BALCONY"] } },
    ],
  },
  {
    venue: "Kellerclub",
    name: "Stand-up Showcase",
    category: "comedy",
    performers: ["Mia Lachs", "Tom Witz"],
    days: 20,
    currency: "EUR",
    tiers: [
      { key: "floor", name: "Floor", amount: 1800, appliesTo: { areas: ["FLOOR"] } },
      { key: "balcony", name: "Balcony", amount: 2200, appliesTo: { areas: ["BALCONY"] } },
    ],
  },
];

const EVENT_STAGES = ["created", "priced", "published", "on_sale"];

/**
 * The checkpoints of a run, in order. `seedDemo(..., { stopAfter })` ends a run right after one of
 * them, which lets tests leave the demo half-made the way an interrupted `npm start` does.
 */
export const SEED_STEPS = [
  "admin",
  "organizer",
  "members",
  "fan",
  "venues",
  "layouts",
  ...DEMO_EVENTS.flatMap((e) => EVENT_STAGES.map((stage) => `event:${e.name}:${stage}`)),
  "events",
];

/** Thrown at the `stopAfter` checkpoint and caught by seedDemo; never seen by callers. */
class Stopped extends Error {
  constructor(step) {
    super(`stopped after ${step}`);
    this.step = step;
  }
}

/**
 * Creates whatever part of the demo is missing. Returns `changes` (one line per thing this run
 * created or moved on; empty when the demo was already complete), `notes` (things found in a state
 * the seed does not undo, such as a cancelled demo event), `stoppedAfter` and a printable `message`.
 * @param {string} base
 * @param {string} [adminEmail] the server's BOOTSTRAP_ADMIN_EMAIL
 * @param {{ stopAfter?: string }} [options] `stopAfter`: one of SEED_STEPS, for tests only
 */
export async function seedDemo(base, adminEmail = DEMO_ACCOUNTS.admin, { stopAfter } = {}) {
  if (stopAfter !== undefined && !SEED_STEPS.includes(stopAfter)) throw new Error(`unknown seed step "${stopAfter}"`);
  const changes = [];
  const notes = [];
  const checkpoint = (step) => {
    if (step === stopAfter) throw new Stopped(step);
  };
  let stoppedAfter;
  try {
    await seed(client(base), adminEmail, changes, notes, checkpoint);
  } catch (err) {
    if (!(err instanceof Stopped)) throw err;
    stoppedAfter = err.step;
  }
  return { changes, notes, stoppedAfter, message: summary(adminEmail, changes, notes, stoppedAfter) };
}

async function seed(api, adminEmail, changes, notes, checkpoint) {
  const admin = await adminToken(api, adminEmail, changes);
  checkpoint("admin");
  const as = (method, path, body) => api(method, path, body, admin);

  let org = (await as("GET", "/v1/admin/organizers")).items.find((o) => o.slug === DEMO_ORGANIZER.slug);
  if (!org) {
    org = await as("POST", "/v1/admin/organizers", DEMO_ORGANIZER);
    changes.push(`organizer ${org.name}`);
  }
  checkpoint("organizer");

  // Member accounts are found in the member list; only the others are signed up (or found to exist).
  // Membership takes the member's consent, as for any organizer: the admin invites, the member
  // signs in and accepts (an invitation left open by a cut-off run is accepted, not repeated).
  const members = (await as("GET", `/v1/admin/organizers/${org.id}/members`)).items.map((m) => m.email);
  for (const member of MEMBERS) {
    if (members.includes(member.email)) continue;
    if (await ensureAccount(api, member)) changes.push(`account ${member.email}`);
    const token = (await api("POST", "/v1/auth/login", { email: member.email, password: DEMO_PASSWORD })).accessToken;
    const open = (await api("GET", "/v1/me/invitations", undefined, token)).items.find((i) => i.organizerId === org.id);
    const invitation =
      open ??
      (await as("POST", `/v1/admin/organizers/${org.id}/invitations`, { email: member.email, role: member.role }));
    await api("POST", `/v1/me/invitations/${invitation.id}/accept`, undefined, token);
    changes.push(`${member.email} as a member of ${org.name}`);
  }
  checkpoint("members");

  if (await ensureAccount(api, FAN)) changes.push(`account ${FAN.email}`);
  checkpoint("fan");

  const venues = new Map();
  const existingVenues = (await as("GET", "/v1/admin/venues")).items.filter((v) => v.organizerId === org.id);
  for (const { layout: _layout, ...spec } of VENUES) {
    let venue = existingVenues.find((v) => v.name === spec.name);
    if (!venue) {
      venue = await as("POST", "/v1/admin/venues", { organizerId: org.id, ...spec });
      changes.push(`venue ${venue.name}`);
    }
    venues.set(spec.name, venue);
  }
  checkpoint("venues");

  const layouts = new Map();
  for (const { name, layout: spec } of VENUES) {
    const path = `/v1/admin/venues/${venues.get(name).id}/layouts`;
    let layout = (await as("GET", path)).items.find((l) => l.name === spec.name);
    if (!layout) {
      layout = await as("POST", path, spec);
      changes.push(`layout ${spec.name} at ${name}`);
    }
    layouts.set(name, layout);
  }
  checkpoint("layouts");

  const now = Date.now();
  const existingEvents = (await as("GET", "/v1/admin/events")).items.filter((e) => e.organizerId === org.id);
  for (const plan of DEMO_EVENTS) {
    const venue = venues.get(plan.venue);
    // One line per event, naming every move this run made on it.
    const done = [];
    let line;
    const record = (what) => {
      done.push(what);
      line ??= changes.push("") - 1;
      changes[line] = `event ${plan.name} (${done.join(", ")})`;
    };
    const step = (stage) => checkpoint(`event:${plan.name}:${stage}`);
    const matches = existingEvents.filter((e) => e.name === plan.name && e.venueId === venue.id);
    let event = matches.find((e) => e.status !== "cancelled" && e.status !== "closed") ?? matches[0];
    if (!event) {
      event = await as("POST", "/v1/admin/events", eventBody(plan, org, venue, layouts.get(plan.venue), now));
      record("created");
    }
    step("created");
    const path = `/v1/admin/events/${event.id}`;
    if (event.status === "draft") {
      const tiers = (await as("GET", `${path}/tiers`)).items;
      if (tierKey(tiers) !== tierKey(plan.tiers)) {
        await as("PUT", `${path}/tiers`, { tiers: plan.tiers });
        record("priced");
      }
    }
    step("priced");
    if (event.status === "draft") {
      event = await as("POST", `${path}/publish`, {});
      record("published");
    }
    step("published");
    if (event.status === "published") {
      event = await as("POST", `${path}/status`, { status: "on_sale" });
      record("on sale");
    } else if (event.status !== "on_sale") {
      notes.push(`event ${plan.name} is ${event.status}; left as it is`);
    }
    step("on_sale");
  }
  checkpoint("events");
}

function eventBody(plan, org, venue, layout, now) {
  const at = (days, hour = 19) => new Date(Math.floor((now + days * DAY) / DAY) * DAY + hour * 3_600_000).toISOString();
  return {
    organizerId: org.id,
    venueId: venue.id,
    layoutId: layout.id,
    name: plan.name,
    category: plan.category,
    performers: plan.performers,
    description: `${plan.name} at ${venue.name}, ${venue.city}.`,
    startsAt: at(plan.days),
    endsAt: at(plan.days, 22),
    salesStartAt: new Date(now - DAY).toISOString(),
    salesEndAt: at(plan.days, 18),
    currency: plan.currency,
    refundDeadlineHours: 48,
  };
}

/** What makes two tier lists the same for the seed: keys, names, prices and seats, in order. */
const tierKey = (tiers) => JSON.stringify(tiers.map((t) => [t.key, t.name, t.amount, t.appliesTo]));

function summary(adminEmail, changes, notes, stoppedAfter) {
  const lines = stoppedAfter
    ? [`Demo seeding stopped after step "${stoppedAfter}", as asked.`]
    : changes.length === 0
      ? ["Demo data already present; nothing changed."]
      : ["Demo data set up. This run added what was missing:", ...changes.map((c) => `  + ${c}`)];
  lines.push(...notes.map((n) => `  ! ${n}`));
  if (stoppedAfter) return lines.join("\n");
  const accounts = { ...DEMO_ACCOUNTS, admin: adminEmail };
  return [
    ...lines,
    `Local accounts (password for all: ${DEMO_PASSWORD}):`,
    ...Object.entries(accounts).map(([role, email]) => `  ${role.padEnd(10)} ${email}`),
  ].join("\n");
}

/** Signs the admin up, or in when the account exists; returns an access token. */
async function adminToken(api, email, changes) {
  const signup = await api("POST", "/v1/auth/signup", signupBody({ email, name: "Ada Admin" }), undefined, [409]);
  if (signup.accessToken) changes.push(`account ${email}`);
  const session = signup.accessToken ? signup : await api("POST", "/v1/auth/login", { email, password: DEMO_PASSWORD });
  if (session.user?.role !== "admin")
    throw new Error(`${email} is not an admin on this server; start it with BOOTSTRAP_ADMIN_EMAIL=${email}`);
  return session.accessToken;
}

/**
 * Signs an account up unless its email is taken; true when this call created it. (Sign-up, not a
 * trial login, is the look-up: failed logins are audited and count towards the fraud report.)
 */
async function ensureAccount(api, account) {
  return Boolean((await api("POST", "/v1/auth/signup", signupBody(account), undefined, [409])).accessToken);
}

function signupBody({ email, name, phone, sms }) {
  return {
    email,
    password: DEMO_PASSWORD,
    name,
    ...(phone ? { phone, notifications: { email: true, sms: Boolean(sms) } } : {}),
  };
}

function client(base) {
  return async (method, path, body, token, okStatuses = []) => {
    const res = await fetch(base + path, {
      method,
      headers: {
        "content-type": "application/json",
        "x-forwarded-for": "127.0.0.1",
        ...(token ? { authorization: `Bearer ${token}` } : {}),
      },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
    const text = await res.text();
    if (!res.ok && !okStatuses.includes(res.status)) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
    return text ? JSON.parse(text) : {};
  };
}
