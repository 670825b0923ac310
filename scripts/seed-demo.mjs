// Demo data, created through the public API so it runs the same validation and publishing code a
// real organizer does. Idempotent: when the demo organizer exists, nothing is created.
export const DEMO_PASSWORD = "demo-password-1";
export const DEMO_ACCOUNTS = {
  admin: "admin@demo.test",
  organizer: "organizer@demo.test",
  member: "staff@demo.test",
  fan: "fan@demo.test",
};

const DAY = 86_400_000;

export async function seedDemo(base, adminEmail = DEMO_ACCOUNTS.admin) {
  const api = client(base);
  const admin = await account(api, adminEmail, "Ada Admin");
  const orgs = await api("GET", "/v1/admin/organizers", undefined, admin);
  if (orgs.items.some((o) => o.slug === "demo-live")) return "Demo data already present; nothing changed.";

  const org = await api(
    "POST",
    "/v1/admin/organizers",
    { name: "Demo Live", slug: "demo-live", contactEmail: "hello@demo.test" },
    admin,
  );
  for (const [email, name] of [
    [DEMO_ACCOUNTS.organizer, "Olive Organizer"],
    [DEMO_ACCOUNTS.member, "Sam Staff"],
  ]) {
    await account(api, email, name);
    await api("POST", `/v1/admin/organizers/${org.id}/members`, { email }, admin);
  }
  await account(api, DEMO_ACCOUNTS.fan, "Fran Fan", "+447700900123");
  const as = (path, body) => api("POST", path, { organizerId: org.id, ...body }, admin);

  const theatre = await as("/v1/admin/venues", {
    name: "Lyric Theatre",
    address: "29 Shaftesbury Ave",
    city: "London",
    country: "GB",
    timezone: "Europe/London",
    region: "weur",
  });
  const stadium = await as("/v1/admin/venues", {
    name: "Harbor Stadium",
    address: "1 Stadium Way",
    city: "New York",
    country: "US",
    timezone: "America/New_York",
    region: "enam",
  });
  const club = await as("/v1/admin/venues", {
    name: "Kellerclub",
    address: "Oranienstr. 10",
    city: "Berlin",
    country: "DE",
    timezone: "Europe/Berlin",
    region: "weur",
  });

  const theatreLayout = await api(
    "POST",
    `/v1/admin/venues/${theatre.id}/layouts`,
    {
      name: "Stalls and circle",
      generate: {
        sections: [
          { id: "STALLS", name: "Stalls", rows: 15, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
          { id: "CIRCLE", name: "Circle", rows: 10, seatsPerRow: 24, shape: "curved", aisleEvery: 12 },
        ],
      },
    },
    admin,
  );
  const stadiumLayout = await api(
    "POST",
    `/v1/admin/venues/${stadium.id}/layouts`,
    {
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
    admin,
  );
  const clubLayout = await api(
    "POST",
    `/v1/admin/venues/${club.id}/layouts`,
    {
      name: "Standing",
      layout: {
        sections: [],
        areas: [
          { id: "FLOOR", name: "Dance floor", capacity: 450 },
          { id: "BALCONY", name: "Balcony", capacity: 50 },
        ],
      },
    },
    admin,
  );

  const now = Date.now();
  const at = (days, hour = 19) => new Date(Math.floor((now + days * DAY) / DAY) * DAY + hour * 3_600_000).toISOString();
  const plans = [
    {
      venue: theatre,
      layout: theatreLayout,
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
      venue: theatre,
      layout: theatreLayout,
      name: "An Evening of Jazz Standards",
      category: "concert",
      performers: ["The Blue Notes Trio"],
      days: 30,
      currency: "GBP",
      tiers: [{ key: "all", name: "Standard", amount: 3500, appliesTo: { sections: ["STALLS", "CIRCLE"] } }],
    },
    {
      venue: stadium,
      layout: stadiumLayout,
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
      venue: stadium,
      layout: stadiumLayout,
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
      venue: club,
      layout: clubLayout,
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
      venue: club,
      layout: clubLayout,
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
  for (const p of plans) {
    const event = await as("/v1/admin/events", {
      venueId: p.venue.id,
      layoutId: p.layout.id,
      name: p.name,
      category: p.category,
      performers: p.performers,
      description: `${p.name} at ${p.venue.name}, ${p.venue.city}.`,
      startsAt: at(p.days),
      endsAt: at(p.days, 22),
      salesStartAt: new Date(now - DAY).toISOString(),
      salesEndAt: at(p.days, 18),
      currency: p.currency,
      refundDeadlineHours: 48,
    });
    await api("PUT", `/v1/admin/events/${event.id}/tiers`, { tiers: p.tiers }, admin);
    await api("POST", `/v1/admin/events/${event.id}/publish`, {}, admin);
    await api("POST", `/v1/admin/events/${event.id}/status`, { status: "on_sale" }, admin);
  }
  return [
    "Demo data created. Local accounts (password for all: " + DEMO_PASSWORD + "):",
    ...Object.entries(DEMO_ACCOUNTS).map(([role, email]) => `  ${role.padEnd(10)} ${email}`),
  ].join("\n");
}

/** Signs up, or logs in when the account exists; returns an access token. */
async function account(api, email, name, phone) {
  // An account with a phone wants SMS too, so the local mailbox shows both confirmations.
  const body = {
    email,
    password: DEMO_PASSWORD,
    name,
    ...(phone ? { phone, notifications: { email: true, sms: true } } : {}),
  };
  const signup = await api("POST", "/v1/auth/signup", body, undefined, [409]);
  if (signup.accessToken) return signup.accessToken;
  return (await api("POST", "/v1/auth/login", { email, password: DEMO_PASSWORD })).accessToken;
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
