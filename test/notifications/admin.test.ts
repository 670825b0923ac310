import { env } from "cloudflare:workers";
import { describe, expect, it } from "vitest";
import { z } from "zod";
import { NotificationSchema } from "../../src/routes/admin/notifications";
import { createUser } from "../helpers/fixtures";
import { expectJson, expectProblem } from "../helpers/http";
import { callWith, paidOrder, run, testEnv } from "./helpers";

const List = z.object({ items: z.array(NotificationSchema) });

describe("GET /v1/admin/notifications", () => {
  it("shows an organizer only the rows of its own events; admins see all", async () => {
    const mine = await paidOrder();
    const theirs = await paidOrder();
    const t = testEnv();
    await run(
      [mine, theirs].map((o) => ({ type: "order_paid", orderId: o.order.id })),
      t.env,
    );
    const orgId = (await env.DB.prepare("SELECT organizer_id FROM events WHERE id = ?")
      .bind(mine.event.id)
      .first<{ organizer_id: string }>())!.organizer_id;
    const organizer = await createUser({ role: "organizer", organizerId: orgId });
    const own = List.parse(
      await expectJson(await callWith(t.env, "GET", "/v1/admin/notifications?limit=200", organizer.token), 200),
    );
    expect(own.items.map((n) => n.orderId)).toEqual([mine.order.id]);
    const admin = await createUser({ role: "admin" });
    const all = List.parse(
      await expectJson(
        await callWith(
          t.env,
          "GET",
          `/v1/admin/notifications?orderId=${theirs.order.id}&channel=email&status=sent`,
          admin.token,
        ),
        200,
      ),
    );
    expect(all.items).toHaveLength(1);
    expect(all.items[0]).toMatchObject({ kind: "booking_confirmed", status: "sent", provider: "outbox" });
  });

  it("rejects an unknown status filter with 400", async () => {
    const admin = await createUser({ role: "admin" });
    await expectProblem(
      await callWith(testEnv().env, "GET", "/v1/admin/notifications?status=lost", admin.token),
      400,
      "validation_failed",
    );
  });
});

describe("POST /v1/admin/notifications/{id}/resend", () => {
  it("puts a failed row back to pending, queues a resend and answers 202", async () => {
    const { order, event } = await paidOrder();
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    const id = `booking_confirmed:order:${order.id}:email`;
    await env.DB.prepare(
      "UPDATE notifications SET status = 'failed', last_error = 'dead-lettered after 7 deliveries' WHERE id = ?",
    )
      .bind(id)
      .run();
    const orgId = (await env.DB.prepare("SELECT organizer_id FROM events WHERE id = ?")
      .bind(event.id)
      .first<{ organizer_id: string }>())!.organizer_id;
    const stranger = await createUser({ role: "organizer" });
    await expectProblem(
      await callWith(t.env, "POST", `/v1/admin/notifications/${encodeURIComponent(id)}/resend`, stranger.token),
      404,
      "not_found",
    );
    const owner = await createUser({ role: "organizer", organizerId: orgId });
    const body = NotificationSchema.parse(
      await expectJson(
        await callWith(t.env, "POST", `/v1/admin/notifications/${encodeURIComponent(id)}/resend`, owner.token),
        202,
      ),
    );
    expect(body).toMatchObject({ id, status: "pending" });
    expect(t.queued).toEqual([{ type: "resend", notificationId: id }]);
    // The queued resend sends it again.
    await run(t.queued, t.env);
    expect(await env.DB.prepare("SELECT status, attempts FROM notifications WHERE id = ?").bind(id).first()).toEqual({
      status: "sent",
      attempts: 2,
    });
  });

  it("answers 409 while the row is being sent", async () => {
    const { order } = await paidOrder();
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    const id = `booking_confirmed:order:${order.id}:email`;
    await env.DB.prepare("UPDATE notifications SET status = 'sending' WHERE id = ?").bind(id).run();
    const admin = await createUser({ role: "admin" });
    await expectProblem(
      await callWith(t.env, "POST", `/v1/admin/notifications/${encodeURIComponent(id)}/resend`, admin.token),
      409,
      "conflict",
    );
    expect(t.queued).toEqual([]);
  });
});

describe("GET /mailbox", () => {
  it("lists the booking confirmation email and SMS, with the email HTML sandboxed", async () => {
    const { order, event } = await paidOrder({
      sms: true,
      phone: "+33612121212",
      name: `<img src=x onerror=alert(1)>`,
    });
    const t = testEnv();
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    const res = await callWith(t.env, "GET", "/mailbox");
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toContain("text/html");
    const html = await res.text();
    expect(html).toContain(order.email);
    expect(html).toContain("+33612121212");
    expect(html).toContain(`Your tickets for ${event.name}`);
    expect(html).toContain(`<iframe sandbox="" srcdoc="`);
    expect(html).not.toContain("<img src=x");
    const json = (await (await callWith(t.env, "GET", "/mailbox.json")).json()) as { items: { orderId: string }[] };
    expect(json.items.filter((n) => n.orderId === order.id)).toHaveLength(2);
  });

  it("does not exist in production", async () => {
    const prod = { ...testEnv().env, ENVIRONMENT: "production", JWT_SECRET: "x".repeat(64) } as Env;
    await expectProblem(await callWith(prod, "GET", "/mailbox"), 404, "not_found");
    await expectProblem(await callWith(prod, "GET", "/mailbox.json"), 404, "not_found");
  });
});
