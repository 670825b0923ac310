import { describe, expect, it } from "vitest";
import { NOTIFICATION_KINDS } from "../../src/db/schema/constants";
import { escapeHtml, formatMoney, smsText } from "../../src/notifications/format";
import { render, type TemplateData } from "../../src/notifications/templates";

const data: TemplateData = {
  baseUrl: "http://127.0.0.1:8787",
  name: `<script>alert("x")</script>`,
  event: {
    id: "evt_1",
    name: `Rock & "Roll" <b>Night</b> with a very long name that goes on and on and on`,
    startsAt: Date.UTC(2030, 5, 1, 18, 30),
    timeZone: "Europe/Paris",
    venueName: "L'Olympia",
  },
  order: { id: "ord_1", amount: 12345, currency: "EUR" },
  tickets: [
    { id: "tkt_1", label: "Seat A-1-4" },
    { id: "tkt_2", label: "Seat A-1-5" },
  ],
  refundAmount: 5000,
};

describe("notification templates", () => {
  it("escapes user-controlled names in every HTML body", () => {
    for (const kind of NOTIFICATION_KINDS) {
      const { html } = render(kind, data);
      expect(html).not.toContain("<script>");
      expect(html).not.toContain("<b>Night</b>");
      expect(html).toContain("&lt;script&gt;alert(&quot;x&quot;)&lt;/script&gt;");
    }
  });

  it("confirms a booking with date in the venue's zone, seats, total and QR links", () => {
    const r = render("booking_confirmed", data);
    expect(r.text).toContain("20:30"); // 18:30 UTC is 20:30 in Paris in June
    expect(r.text).toContain("Seat A-1-4, Seat A-1-5");
    expect(r.text).toContain("€123.45");
    expect(r.html).toContain(`href="http://127.0.0.1:8787/orders/ord_1#ticket-tkt_1"`);
    expect(r.html).toContain(`href="http://127.0.0.1:8787/orders/ord_1"`);
  });

  it("keeps every SMS within 160 characters with its link intact", () => {
    for (const kind of NOTIFICATION_KINDS) {
      const { sms } = render(kind, data);
      expect(sms.length).toBeLessThanOrEqual(160);
      expect(sms.endsWith("http://127.0.0.1:8787/orders/ord_1")).toBe(true);
    }
    expect(render("refund_issued", data).sms).toContain("€50.00");
  });

  it("formats money in the currency's minor units", () => {
    expect(formatMoney(5000, "EUR")).toBe("€50.00");
    expect(formatMoney(5000, "JPY")).toBe("JP¥5,000");
    expect(formatMoney(199, "usd")).toBe("US$1.99");
  });

  it("helpers escape quotes and shorten without cutting the link", () => {
    expect(escapeHtml(`'"&<>`)).toBe("&#39;&quot;&amp;&lt;&gt;");
    const s = smsText("x".repeat(300), "https://e.test/o/1");
    expect(s).toHaveLength(160);
    expect(s.endsWith("… https://e.test/o/1")).toBe(true);
  });
});
