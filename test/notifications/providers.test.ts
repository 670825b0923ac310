import { AwsV4Signer } from "aws4fetch";
import { http, HttpResponse } from "msw";
import { setupServer } from "msw/node";
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from "vitest";
import { paidOrder, rowsOf, run, testEnv } from "./helpers";

const REGION = "eu-central-1";
const SES_URL = `https://email.${REGION}.amazonaws.com/v2/email/outbound-emails`;
const SID = "AC0123456789abcdef0123456789abcdef";
const TWILIO_URL = `https://api.twilio.com/2010-04-01/Accounts/${SID}/Messages.json`;
const providerEnv = {
  EMAIL_PROVIDER: "ses",
  SES_REGION: REGION,
  EMAIL_FROM: "tickets@example.com",
  AWS_ACCESS_KEY_ID: "AKIDEXAMPLE",
  AWS_SECRET_ACCESS_KEY: "wJalrXUtnFEMI/K7MDENG+bPxRfiCYEXAMPLEKEY",
  SMS_PROVIDER: "twilio",
  TWILIO_FROM: "+15005550006",
  TWILIO_ACCOUNT_SID: SID,
  TWILIO_AUTH_TOKEN: "twilio-token",
};

type Seen = { url: string; headers: Headers; body: string };
const ses: Seen[] = [];
const twilio: Seen[] = [];
/** Scripted statuses, consumed in order; default: success. */
let sesScript: number[] = [];
let twilioScript: number[] = [];

const server = setupServer(
  http.post(SES_URL, async ({ request }) => {
    ses.push({ url: request.url, headers: request.headers, body: await request.text() });
    const status = sesScript.shift() ?? 200;
    if (status !== 200) return HttpResponse.json({ message: `scripted ${status}` }, { status });
    return HttpResponse.json({ MessageId: `ses-msg-${ses.length}` });
  }),
  http.post(TWILIO_URL, async ({ request }) => {
    twilio.push({ url: request.url, headers: request.headers, body: await request.text() });
    const status = twilioScript.shift() ?? 201;
    if (status !== 201) return HttpResponse.json({ code: 21211, message: `scripted ${status}` }, { status });
    return HttpResponse.json({ sid: `SM${twilio.length}`, status: "queued" }, { status: 201 });
  }),
);
beforeAll(() => server.listen({ onUnhandledRequest: "error" }));
beforeEach(() => {
  ses.length = 0;
  twilio.length = 0;
  sesScript = [];
  twilioScript = [];
});
afterEach(() => server.resetHandlers());
afterAll(() => server.close());

describe("Amazon SES v2 email", () => {
  it("posts a SigV4-signed SendEmail for the configured region and stores the MessageId", async () => {
    const { order, event } = await paidOrder();
    const result = await run([{ type: "order_paid", orderId: order.id }], testEnv(providerEnv).env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(ses).toHaveLength(1);
    const req = ses[0]!;
    expect(new URL(req.url).host).toBe(`email.${REGION}.amazonaws.com`);
    const amzDate = req.headers.get("x-amz-date")!;
    expect(amzDate).toMatch(/^\d{8}T\d{6}Z$/);
    const auth = req.headers.get("authorization")!;
    expect(auth).toMatch(
      new RegExp(
        `^AWS4-HMAC-SHA256 Credential=AKIDEXAMPLE/${amzDate.slice(0, 8)}/${REGION}/ses/aws4_request, ` +
          "SignedHeaders=([a-z0-9-;]+), Signature=[0-9a-f]{64}$",
      ),
    );
    const signed = auth.match(/SignedHeaders=([^,]+)/)![1]!.split(";");
    expect(signed).toEqual(["host", "x-amz-date"]);
    // Recompute the signature independently for the same instant: it must match byte for byte.
    const again = await new AwsV4Signer({
      method: "POST",
      url: req.url,
      headers: { "content-type": "application/json" },
      body: req.body,
      service: "ses",
      region: REGION,
      datetime: amzDate,
      accessKeyId: providerEnv.AWS_ACCESS_KEY_ID,
      secretAccessKey: providerEnv.AWS_SECRET_ACCESS_KEY,
    }).sign();
    expect(again.headers.get("authorization")).toBe(auth);
    const body = JSON.parse(req.body);
    expect(body).toMatchObject({
      FromEmailAddress: "tickets@example.com",
      Destination: { ToAddresses: [order.email] },
      Content: {
        Simple: {
          Subject: { Data: `Your tickets for ${event.name}`, Charset: "UTF-8" },
          Body: { Text: { Charset: "UTF-8" }, Html: { Charset: "UTF-8" } },
        },
      },
    });
    expect((await rowsOf(order.id))[0]).toMatchObject({
      status: "sent",
      provider: "ses",
      provider_message_id: "ses-msg-1",
      attempts: 1,
    });
  });

  it("sends once when the same message is delivered twice at the same time", async () => {
    const { order } = await paidOrder();
    const t = testEnv(providerEnv);
    const msg = { type: "order_paid", orderId: order.id };
    const [a, b] = await Promise.all([run([msg], t.env), run([msg], t.env)]);
    await run([msg], t.env);
    expect(ses).toHaveLength(1);
    expect(a.explicitAcks.length + b.explicitAcks.length).toBe(2);
    expect(await rowsOf(order.id)).toMatchObject([{ status: "sent", attempts: 1 }]);
  });

  it("retries a 500 with backoff and puts the row back to pending; the next delivery sends it", async () => {
    const { order } = await paidOrder();
    const t = testEnv(providerEnv);
    sesScript = [500];
    const first = await run([{ type: "order_paid", orderId: order.id }], t.env, { attempts: 3 });
    expect(first.explicitAcks).toHaveLength(0);
    expect(first.retryDelays).toEqual([8]);
    expect((await rowsOf(order.id))[0]).toMatchObject({
      status: "pending",
      attempts: 1,
      last_error: expect.stringContaining("HTTP 500"),
    });
    const second = await run([{ type: "order_paid", orderId: order.id }], t.env, { attempts: 4 });
    expect(second.explicitAcks).toHaveLength(1);
    expect((await rowsOf(order.id))[0]).toMatchObject({ status: "sent", attempts: 2, last_error: null });
    expect(ses).toHaveLength(2);
  });

  it("retries a 429 too", async () => {
    const { order } = await paidOrder();
    sesScript = [429];
    const result = await run([{ type: "order_paid", orderId: order.id }], testEnv(providerEnv).env);
    expect(result.retryDelays).toEqual([2]);
  });

  it("fails a 400 for good: not retried, audited as notification.failed", async () => {
    const { order } = await paidOrder();
    const t = testEnv(providerEnv);
    sesScript = [400];
    const result = await run([{ type: "order_paid", orderId: order.id }], t.env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(result.retryMessages).toHaveLength(0);
    const id = `booking_confirmed:order:${order.id}:email`;
    expect((await rowsOf(order.id))[0]).toMatchObject({
      id,
      status: "failed",
      last_error: expect.stringContaining("HTTP 400"),
    });
    expect(t.audited).toMatchObject([
      {
        id: `audit:notification.failed:${id}:1`,
        action: "notification.failed",
        orderId: order.id,
        data: { notificationId: id, channel: "email" },
      },
    ]);
    await run([{ type: "order_paid", orderId: order.id }], t.env);
    expect(ses).toHaveLength(1);
  });

  it("fails as misconfigured when SES is chosen without credentials, never silently", async () => {
    const { order } = await paidOrder();
    const t = testEnv({ ...providerEnv, AWS_ACCESS_KEY_ID: undefined, AWS_SECRET_ACCESS_KEY: undefined });
    const result = await run([{ type: "order_paid", orderId: order.id }], t.env);
    expect(result.explicitAcks).toHaveLength(1);
    expect((await rowsOf(order.id))[0]).toMatchObject({
      status: "failed",
      last_error: expect.stringContaining("configuration error"),
    });
    expect(t.audited.map((a) => a.action)).toEqual(["notification.failed"]);
    expect(ses).toHaveLength(0);
  });
});

describe("Twilio SMS", () => {
  it("form-posts To, From and Body with Basic auth and stores the sid", async () => {
    const { order } = await paidOrder({ sms: true, email: false, phone: "+33612345678" });
    const result = await run([{ type: "order_paid", orderId: order.id }], testEnv(providerEnv).env);
    expect(result.explicitAcks).toHaveLength(1);
    expect(twilio).toHaveLength(1);
    const req = twilio[0]!;
    expect(req.url).toBe(TWILIO_URL);
    expect(req.headers.get("authorization")).toBe(`Basic ${btoa(`${SID}:twilio-token`)}`);
    expect(req.headers.get("content-type")).toContain("application/x-www-form-urlencoded");
    const form = new URLSearchParams(req.body);
    expect(form.get("To")).toBe("+33612345678");
    expect(form.get("From")).toBe("+15005550006");
    expect(form.get("Body")).toContain("Booked:");
    expect(form.get("Body")!.length).toBeLessThanOrEqual(160);
    expect((await rowsOf(order.id))[0]).toMatchObject({
      channel: "sms",
      status: "sent",
      provider: "twilio",
      provider_message_id: "SM1",
    });
  });

  it("treats a 400 (bad number) as permanent and a 503 as retryable", async () => {
    const bad = await paidOrder({ sms: true, email: false, phone: "+000" });
    const busy = await paidOrder({ sms: true, email: false, phone: "+33699999999" });
    twilioScript = [400];
    const r1 = await run([{ type: "order_paid", orderId: bad.order.id }], testEnv(providerEnv).env);
    twilioScript = [503];
    const r2 = await run([{ type: "order_paid", orderId: busy.order.id }], testEnv(providerEnv).env);
    expect(r1.explicitAcks).toHaveLength(1);
    expect((await rowsOf(bad.order.id))[0]).toMatchObject({ status: "failed" });
    expect(r2.retryMessages).toHaveLength(1);
    expect((await rowsOf(busy.order.id))[0]).toMatchObject({ status: "pending" });
  });
});
