import { describe, expect, it } from "vitest";
import { createUser } from "../helpers/fixtures";
import { call, expectProblem } from "../helpers/http";

/** Every /v1/admin route; a new route missing here fails the OpenAPI cross-check below. */
const ROUTES: [string, string][] = [
  ["POST", "/v1/admin/organizers"],
  ["GET", "/v1/admin/organizers"],
  ["GET", "/v1/admin/audit"],
  ["GET", "/v1/admin/audit/verify"],
  ["GET", "/v1/admin/fraud"],
  ["GET", "/v1/admin/organizers/x1"],
  ["GET", "/v1/admin/organizers/x1/members"],
  ["POST", "/v1/admin/organizers/x1/members"],
  ["DELETE", "/v1/admin/organizers/x1/members/x2"],
  ["PATCH", "/v1/admin/organizers/x1/members/x2"],
  ["POST", "/v1/admin/organizers/x1/invitations"],
  ["GET", "/v1/admin/organizers/x1/invitations"],
  ["DELETE", "/v1/admin/organizers/x1/invitations/x2"],
  ["POST", "/v1/admin/venues"],
  ["GET", "/v1/admin/venues"],
  ["GET", "/v1/admin/venues/x1"],
  ["PATCH", "/v1/admin/venues/x1"],
  ["POST", "/v1/admin/venues/x1/layouts"],
  ["GET", "/v1/admin/venues/x1/layouts"],
  ["POST", "/v1/admin/layouts/generate"],
  ["GET", "/v1/admin/layouts/x1"],
  ["PUT", "/v1/admin/layouts/x1"],
  ["POST", "/v1/admin/events"],
  ["GET", "/v1/admin/events"],
  ["GET", "/v1/admin/events/x1"],
  ["PATCH", "/v1/admin/events/x1"],
  ["POST", "/v1/admin/events/x1/publish"],
  ["POST", "/v1/admin/events/x1/status"],
  ["GET", "/v1/admin/events/x1/tiers"],
  ["PUT", "/v1/admin/events/x1/tiers"],
  ["POST", "/v1/admin/events/x1/seats/block"],
  ["POST", "/v1/admin/events/x1/seats/unblock"],
  ["GET", "/v1/admin/events/x1/inventory"],
  ["GET", "/v1/admin/events/x1/queue"],
  ["PUT", "/v1/admin/events/x1/queue"],
  ["POST", "/v1/admin/events/x1/check-in"],
  ["GET", "/v1/admin/events/x1/check-in/key"],
  ["POST", "/v1/admin/events/x1/check-in/key/rotate"],
  ["POST", "/v1/admin/events/x1/check-in/batch"],
  ["GET", "/v1/admin/events/x1/check-in/scanner"],
  ["GET", "/v1/admin/events/x1/orders"],
  ["GET", "/v1/admin/events/x1/exports/attendees.csv"],
  ["GET", "/v1/admin/events/x1/exports/orders.csv"],
  ["GET", "/v1/admin/orders/x1"],
  ["POST", "/v1/admin/orders/x1/refund"],
  ["GET", "/v1/admin/notifications"],
  ["POST", "/v1/admin/notifications/x1/resend"],
  ["GET", "/v1/admin/metrics"], // operator token or admin JWT: a fan still gets 403
  ["GET", "/v1/admin/metrics/bindings"], // likewise
];

describe("admin route guard", () => {
  it.each(ROUTES)("%s %s answers 401 anonymously and 403 to a fan", async (method, path) => {
    const body = method === "GET" || method === "DELETE" ? undefined : {};
    await expectProblem(await call(method, path, { body }), 401, "unauthenticated");
    const fan = await createUser({ role: "fan" });
    await expectProblem(await call(method, path, { body, token: fan.token }), 403, "forbidden");
  });

  it("covers every admin path in the OpenAPI document", async () => {
    const doc = (await (await call("GET", "/v1/openapi.json")).json()) as {
      paths: Record<string, Record<string, unknown>>;
    };
    const documented = Object.entries(doc.paths)
      .filter(([p]) => p.startsWith("/v1/admin"))
      .flatMap(([p, ops]) => Object.keys(ops).map((m) => `${m.toUpperCase()} ${p.replace(/\{[^}]+\}/g, "x")}`));
    const tested = ROUTES.map(([m, p]) => `${m} ${p.replace(/x\d/g, "x")}`);
    expect(new Set(documented)).toEqual(new Set(tested));
  });

  it("gives 404, not 500, for unknown ids to an organizer", async () => {
    const org = await createUser({ role: "organizer" });
    for (const [method, path] of ROUTES.filter(([, p]) => p.includes("x1"))) {
      const res = await call(method, path, {
        token: org.token,
        body: method === "GET" || method === "DELETE" ? undefined : {},
      });
      expect([400, 404]).toContain(res.status);
    }
  });
});
