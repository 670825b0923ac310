import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { signAccessToken } from "../../src/auth/tokens";
import { waitForRows } from "../audit/helpers";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson, expectProblem } from "../helpers/http";

type Account = Awaited<ReturnType<typeof createUser>>;

const invite = (org: Account, email: string, role?: "owner" | "staff", token = org.token) =>
  call("POST", `/v1/admin/organizers/${org.organizerId}/invitations`, { token, body: { email, role } });
const accept = (who: Account, id: string) => call("POST", `/v1/me/invitations/${id}/accept`, { token: who.token });
const decline = (who: Account, id: string) => call("POST", `/v1/me/invitations/${id}/decline`, { token: who.token });
const membership = (id: string) =>
  env.DB.prepare("SELECT role, organizer_id, organizer_role FROM users WHERE id = ?").bind(id).first();

describe("memberships need the invited account's consent", () => {
  it("an invitation attaches nothing until the invited fan accepts", async () => {
    const owner = await createUser({ role: "organizer" });
    const fan = await createUser();
    const inv = await expectJson(await invite(owner, fan.email.toUpperCase()), 201);
    expect(inv).toMatchObject({ email: fan.email, role: "staff", status: "pending", organizerId: owner.organizerId });
    expect(Date.parse(inv.expiresAt) - Date.now()).toBeGreaterThan(6 * 86_400_000);
    expect(await membership(fan.id)).toEqual({ role: "fan", organizer_id: null, organizer_role: null });

    const listed = await expectJson(
      await call("GET", `/v1/admin/organizers/${owner.organizerId}/invitations`, { token: owner.token }),
      200,
    );
    expect(listed.items.map((i: { id: string }) => i.id)).toEqual([inv.id]);
    const mine = await expectJson(await call("GET", "/v1/me/invitations", { token: fan.token }), 200);
    expect(mine.items).toEqual([expect.objectContaining({ id: inv.id, organizerName: expect.any(String) })]);

    const joined = await expectJson(await accept(fan, inv.id), 200);
    expect(joined).toMatchObject({
      invitation: { status: "accepted" },
      member: { id: fan.id, organizerRole: "staff" },
    });
    expect(await membership(fan.id)).toEqual({
      role: "organizer",
      organizer_id: owner.organizerId,
      organizer_role: "staff",
    });
    // Single use: a second accept (even after leaving) never re-attaches.
    await expectProblem(await accept(fan, inv.id), 409, "conflict");
    expect((await expectJson(await call("GET", "/v1/me/invitations", { token: fan.token }), 200)).items).toEqual([]);
  });

  it("the legacy members route invites (202) instead of attaching", async () => {
    const owner = await createUser({ role: "organizer" });
    const fan = await createUser();
    const res = await call("POST", `/v1/admin/organizers/${owner.organizerId}/members`, {
      token: owner.token,
      body: { email: fan.email },
    });
    expect(await expectJson(res, 202)).toMatchObject({ email: fan.email, status: "pending" });
    expect(await membership(fan.id)).toMatchObject({ role: "fan", organizer_id: null });
  });

  it("only the invited email may accept or decline; others see 404", async () => {
    const owner = await createUser({ role: "organizer" });
    const fan = await createUser();
    const stranger = await createUser();
    const inv = await expectJson(await invite(owner, fan.email), 201);
    await expectProblem(await accept(stranger, inv.id), 404, "not_found");
    await expectProblem(await decline(stranger, inv.id), 404, "not_found");
    expect(await membership(stranger.id)).toMatchObject({ organizer_id: null });
    expect(await expectJson(await decline(fan, inv.id), 200)).toMatchObject({ status: "declined" });
    await expectProblem(await accept(fan, inv.id), 409, "conflict");
    expect(await membership(fan.id)).toMatchObject({ organizer_id: null });
  });

  it("an expired or revoked invitation cannot be accepted", async () => {
    const owner = await createUser({ role: "organizer" });
    const fan = await createUser();
    const old = await expectJson(await invite(owner, fan.email), 201);
    await env.DB.prepare("UPDATE organizer_invitations SET expires_at = ? WHERE id = ?")
      .bind(Date.now() - 1, old.id)
      .run();
    const expired = await expectProblem(await accept(fan, old.id), 409, "conflict");
    expect(expired.detail).toMatch(/expired/);
    // A lapsed invitation does not block a new one.
    const again = await expectJson(await invite(owner, fan.email), 201);
    await expectProblem(await invite(owner, fan.email), 409, "conflict");
    const revoke = await call("DELETE", `/v1/admin/organizers/${owner.organizerId}/invitations/${again.id}`, {
      token: owner.token,
    });
    expect(revoke.status).toBe(204);
    await expectProblem(await accept(fan, again.id), 409, "conflict");
    expect(await membership(fan.id)).toMatchObject({ organizer_id: null });
  });

  it("an account of another organizer cannot be invited or join a second one", async () => {
    const owner = await createUser({ role: "organizer" });
    const other = await createUser({ role: "organizer" });
    await expectProblem(await invite(owner, other.email), 409, "conflict");
    await expectProblem(await invite(owner, owner.email), 409, "conflict");
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(await invite(stranger, "x@example.test", "staff", owner.token), 404, "not_found");
  });
});

describe("owners and staff", () => {
  const team = async () => {
    const owner = await createUser({ role: "organizer" });
    const staff = await createUser({ role: "organizer", organizerId: owner.organizerId!, organizerRole: "staff" });
    return { owner, staff };
  };

  it("staff cannot invite, list invitations, remove or change members", async () => {
    const { owner, staff } = await team();
    const fan = await createUser();
    const orgPath = `/v1/admin/organizers/${owner.organizerId}`;
    await expectProblem(await invite(owner, fan.email, "staff", staff.token), 403, "forbidden");
    await expectProblem(
      await call("POST", `${orgPath}/members`, { token: staff.token, body: { email: fan.email } }),
      403,
      "forbidden",
    );
    await expectProblem(await call("GET", `${orgPath}/invitations`, { token: staff.token }), 403, "forbidden");
    await expectProblem(
      await call("DELETE", `${orgPath}/members/${owner.id}`, { token: staff.token }),
      403,
      "forbidden",
    );
    await expectProblem(
      await call("PATCH", `${orgPath}/members/${staff.id}`, { token: staff.token, body: { role: "owner" } }),
      403,
      "forbidden",
    );
    expect(await membership(owner.id)).toMatchObject({ organizer_id: owner.organizerId, organizer_role: "owner" });
    // Staff still see who is on the team.
    const members = await expectJson(await call("GET", `${orgPath}/members`, { token: staff.token }), 200);
    expect(members.items).toEqual(
      expect.arrayContaining([
        expect.objectContaining({ id: owner.id, organizerRole: "owner" }),
        expect.objectContaining({ id: staff.id, organizerRole: "staff" }),
      ]),
    );
  });

  it("a member demoted a minute ago cannot manage members on a still-valid token", async () => {
    const { owner } = await team();
    await env.DB.prepare("UPDATE users SET organizer_role = 'staff' WHERE id = ?").bind(owner.id).run();
    await expectProblem(await invite(owner, `x-${uniq()}@example.test`), 403, "forbidden");
  });

  it("owners change roles and remove members, but the last owner stays", async () => {
    const { owner, staff } = await team();
    const orgPath = `/v1/admin/organizers/${owner.organizerId}`;
    const patch = (who: string, role: string) =>
      call("PATCH", `${orgPath}/members/${who}`, { token: owner.token, body: { role } });
    await expectProblem(await patch(owner.id, "staff"), 409, "conflict");
    await expectProblem(
      await call("DELETE", `${orgPath}/members/${owner.id}`, { token: owner.token }),
      409,
      "conflict",
    );
    expect(await expectJson(await patch(staff.id, "owner"), 200)).toMatchObject({ organizerRole: "owner" });
    // With a second owner the first may step down.
    expect(await expectJson(await patch(owner.id, "staff"), 200)).toMatchObject({ organizerRole: "staff" });
    await expectProblem(await patch(staff.id, "nobody"), 400, "validation_failed");
    const del = await call("DELETE", `${orgPath}/members/${owner.id}`, { token: staff.token });
    expect(del.status).toBe(204);
    expect(await membership(owner.id)).toEqual({ role: "fan", organizer_id: null, organizer_role: null });
    await expectProblem(
      await call("DELETE", `${orgPath}/members/${staff.id}`, { token: staff.token }),
      409,
      "conflict",
    );
  });
});

describe("admin accounts stay out of organizers", () => {
  it("refuses to invite an admin's email (422) and an admin's accept", async () => {
    const owner = await createUser({ role: "organizer" });
    const admin = await createUser({ role: "admin" });
    const problem = await expectProblem(await invite(owner, admin.email), 422, "unprocessable");
    expect(problem.detail).toMatch(/admin/i);
    // An invitation made before the account became admin is refused at accept time.
    const email = `later-admin-${uniq()}@example.test`;
    const inv = await expectJson(await invite(owner, email), 201);
    const promoted = await createUser({ role: "admin", email });
    await expectProblem(await accept(promoted, inv.id), 422, "unprocessable");
    expect(await membership(promoted.id)).toMatchObject({ role: "admin", organizer_id: null });
  });

  it("admins may invite an organizer's first owner", async () => {
    const admin = await createUser({ role: "admin" });
    const org = await expectJson(
      await call("POST", "/v1/admin/organizers", { token: admin.token, body: { name: "New" } }),
      201,
    );
    const fan = await createUser();
    const adminAsOrg = { ...admin, organizerId: org.id };
    const inv = await expectJson(await invite(adminAsOrg, fan.email, "owner"), 201);
    expect((await expectJson(await accept(fan, inv.id), 200)).member).toMatchObject({ organizerRole: "owner" });
    // The new owner's next token carries the organizer; with it they manage the team.
    const token = await signAccessToken(
      { userId: fan.id, email: fan.email, role: "organizer", organizerId: org.id },
      env,
    );
    const other = await createUser();
    await expectJson(await invite({ ...fan, organizerId: org.id }, other.email, "staff", token), 201);
  });
});

describe("membership changes are audited", () => {
  it("records invited, accepted, declined, revoked, role changed and removed", async () => {
    const owner = await createUser({ role: "organizer" });
    const [a, b, c] = [await createUser(), await createUser(), await createUser()];
    const orgPath = `/v1/admin/organizers/${owner.organizerId}`;
    const ia = await expectJson(await invite(owner, a.email), 201);
    const ib = await expectJson(await invite(owner, b.email), 201);
    const ic = await expectJson(await invite(owner, c.email), 201);
    await expectJson(await accept(a, ia.id), 200);
    await expectJson(await decline(b, ib.id), 200);
    expect((await call("DELETE", `${orgPath}/invitations/${ic.id}`, { token: owner.token })).status).toBe(204);
    await expectJson(
      await call("PATCH", `${orgPath}/members/${a.id}`, { token: owner.token, body: { role: "owner" } }),
      200,
    );
    expect((await call("DELETE", `${orgPath}/members/${a.id}`, { token: owner.token })).status).toBe(204);

    const rows = await waitForRows("organizer_id = ? AND action LIKE 'organizer.%'", [owner.organizerId], 8);
    const seen = rows.map((r) => [r.action, r.actor_id, r.entity_id]);
    expect(seen).toEqual(
      expect.arrayContaining([
        ["organizer.member_invited", owner.id, ia.id],
        ["organizer.member_invited", owner.id, ib.id],
        ["organizer.member_invited", owner.id, ic.id],
        ["organizer.invitation_accepted", a.id, ia.id],
        ["organizer.invitation_declined", b.id, ib.id],
        ["organizer.invitation_revoked", owner.id, ic.id],
        ["organizer.member_role_changed", owner.id, a.id],
        ["organizer.member_removed", owner.id, a.id],
      ]),
    );
    const accepted = rows.find((r) => r.action === "organizer.invitation_accepted")!;
    expect(JSON.parse(accepted.data!)).toMatchObject({ email: a.email, userId: a.id, role: "staff" });
  });
});
