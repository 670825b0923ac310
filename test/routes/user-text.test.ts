import { describe, expect, it } from "vitest";
import { seedEvent } from "../helpers/catalog";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";

const NUL = "Arena\u0000";
const BIDI = "Show \u202egnp.exe";
const LONE = "Tier \ud800";
const BAD_TEXT = /control|bidirectional|surrogate/;

/** Asserts a 400 whose field errors name `path` with the text helper's message. */
async function refusedAt(res: Response, path: string) {
  const problem = await expectProblem(res, 400, "validation_failed");
  const errors = problem.errors as { path: string; message: string }[];
  const hit = errors.find((e) => e.path === path);
  expect(hit, `${path} in ${JSON.stringify(errors)}`).toBeDefined();
  expect(hit!.message).toMatch(BAD_TEXT);
}

const venue = (over: Record<string, unknown> = {}) => ({
  name: `Arena ${uniq()}`,
  address: "2 Quay",
  city: "Oslo",
  country: "NO",
  timezone: "Europe/Oslo",
  region: "weur",
  ...over,
});

describe("user-facing text fields", () => {
  it("refuses NUL, bidi overrides and lone surrogates in venue fields with the field path", async () => {
    const org = await createUser({ role: "organizer" });
    await refusedAt(await call("POST", "/v1/admin/venues", { token: org.token, body: venue({ name: NUL }) }), "name");
    await refusedAt(await call("POST", "/v1/admin/venues", { token: org.token, body: venue({ city: BIDI }) }), "city");
    const bad = venue({ address: LONE });
    await refusedAt(await call("POST", "/v1/admin/venues", { token: org.token, body: bad }), "address");
  });

  it("stores names NFC-normalized", async () => {
    const org = await createUser({ role: "organizer" });
    const res = await call("POST", "/v1/admin/venues", { token: org.token, body: venue({ name: "Cafe\u0301 Hall" }) });
    expect((await expectJson(res, 201)).name).toBe("Caf\u00e9 Hall");
  });

  it("refuses bad text in event names, descriptions and performers; a description keeps its newlines", async () => {
    const admin = await createUser({ role: "admin" });
    const event = await seedEvent();
    const patch = (body: unknown) => call("PATCH", `/v1/admin/events/${event.id}`, { token: admin.token, body });
    await refusedAt(await patch({ name: BIDI }), "name");
    await refusedAt(await patch({ description: "About\u0000" }), "description");
    await refusedAt(await patch({ performers: ["Band", "\u2066Other"] }), "performers.1");
    const ok = await expectJson(await patch({ description: "Line one\nLine two\twith a tab" }), 200);
    expect(ok.description).toBe("Line one\nLine two\twith a tab");
  });

  it("refuses bad text in organizer, layout and tier names", async () => {
    const admin = await createUser({ role: "admin" });
    const org = await call("POST", "/v1/admin/organizers", {
      token: admin.token,
      body: { name: NUL, slug: `org-${uniq()}` },
    });
    await refusedAt(org, "name");
    const event = await seedEvent();
    const tiers = await call("PUT", `/v1/admin/events/${event.id}/tiers`, {
      token: admin.token,
      body: { tiers: [{ key: "std", name: LONE, amount: 1000, appliesTo: {} }] },
    });
    await refusedAt(tiers, "tiers.0.name");
    const layout = await call("POST", `/v1/admin/venues/${event.venueId}/layouts`, {
      token: admin.token,
      body: { name: BIDI, generate: { sections: [{ id: "A", name: "Stalls", rows: 2, seatsPerRow: 2 }] } },
    });
    await refusedAt(layout, "name");
  });

  it("refuses bad text in the account name at sign-up and in the profile", async () => {
    const signup = await call("POST", "/v1/auth/signup", {
      headers: { "CF-Connecting-IP": `10.77.${Math.floor(Math.random() * 250)}.1` },
      body: { email: `t-${uniq()}@example.test`, password: "a long enough password", name: NUL },
    });
    await refusedAt(signup, "name");
    const fan = await createUser();
    await refusedAt(await call("PATCH", "/v1/me", { token: fan.token, body: { name: BIDI } }), "name");
  });
});
