import { describe, expect, it } from "vitest";
import { eventIcs, icsFold, icsText } from "../../src/domain/ics";
import { call, expectJson, expectProblem } from "../helpers/http";
import { setupEvent } from "../inventory/helpers";

const encoder = new TextEncoder();

/** Content lines of an iCalendar body: CRLF-separated, continuation lines (leading space) unfolded. */
function unfold(body: string): string[] {
  expect(body.endsWith("\r\n")).toBe(true);
  const physical = body.slice(0, -2).split("\r\n");
  for (const line of physical) {
    expect(line).not.toMatch(/[\r\n]/); // no bare CR or LF anywhere
    expect(encoder.encode(line).length, line).toBeLessThanOrEqual(75);
  }
  const lines: string[] = [];
  for (const line of physical) {
    if (line.startsWith(" ")) lines[lines.length - 1] += line.slice(1);
    else lines.push(line);
  }
  return lines;
}

/** name → raw value for the properties of the one VEVENT (parameters ignored). */
function vevent(lines: string[]): Record<string, string> {
  const start = lines.indexOf("BEGIN:VEVENT");
  const end = lines.indexOf("END:VEVENT");
  expect(start).toBeGreaterThan(0);
  expect(end).toBeGreaterThan(start);
  return Object.fromEntries(
    lines.slice(start + 1, end).map((l) => {
      const colon = l.indexOf(":");
      return [l.slice(0, colon).split(";")[0], l.slice(colon + 1)];
    }),
  );
}

const icsUnescape = (v: string) => v.replace(/\\([\\;,nN])/g, (_m, c: string) => (c.toLowerCase() === "n" ? "\n" : c));

describe("GET /v1/events/:id/calendar.ics", () => {
  it("answers a valid RFC 5545 calendar with the event's name, place and UTC times", async () => {
    const { org, event, venue } = await setupEvent();
    const name = `Gig, live; back\\slash ${event.id.slice(-6)}`;
    const description = `${"A long evening of music ".repeat(6)}\nDoors at 18:30 — bring ID, please.`;
    await expectJson(
      await call("PATCH", `/v1/admin/events/${event.id}`, { token: org.token, body: { name, description } }),
      200,
    );
    const res = await call("GET", `/v1/events/${event.id}/calendar.ics`);
    expect(res.status).toBe(200);
    expect(res.headers.get("content-type")).toBe("text/calendar; charset=utf-8");
    expect(res.headers.get("content-disposition")).toMatch(/^attachment; filename=".+\.ics"$/);
    const lines = unfold(await res.text());
    expect(lines.slice(0, 2)).toEqual(["BEGIN:VCALENDAR", "VERSION:2.0"]);
    expect(lines.at(-1)).toBe("END:VCALENDAR");
    expect(lines.some((l) => l.startsWith("PRODID:"))).toBe(true);
    const v = vevent(lines);
    expect(v.UID).toBe(`${event.id}@edge-tickets`);
    expect(v.DTSTAMP).toMatch(/^\d{8}T\d{6}Z$/);
    expect(v.DTSTART).toBe("20300601T190000Z");
    expect(v.DTEND).toBe("20300601T230000Z");
    expect(v.SUMMARY).toBe(`Gig\\, live\\; back\\\\slash ${event.id.slice(-6)}`);
    expect(icsUnescape(v.SUMMARY!)).toBe(name);
    expect(icsUnescape(v.LOCATION!)).toBe(`${venue.name}, 2 Quay, Oslo, NO`);
    expect(icsUnescape(v.DESCRIPTION!)).toBe(description);
    expect(v.URL).toMatch(new RegExp(`/events/${event.id}$`));
  });

  it("answers 404 for a draft, like an unknown id", async () => {
    const { event } = await setupEvent({ publish: false });
    await expectProblem(await call("GET", `/v1/events/${event.id}/calendar.ics`), 404, "not_found");
    await expectProblem(await call("GET", "/v1/events/evt_nope/calendar.ics"), 404, "not_found");
  });
});

describe("iCalendar text", () => {
  it("escapes backslash, semicolon, comma and line breaks", () => {
    expect(icsText("a\\b;c,d\r\ne\nf")).toBe("a\\\\b\\;c\\,d\\ne\\nf");
  });

  it("folds at 75 octets without splitting a multi-byte character", () => {
    const line = `SUMMARY:${"é".repeat(100)}`; // 8 + 200 octets
    const folded = icsFold(line).split("\r\n");
    expect(folded.length).toBeGreaterThan(2);
    folded.forEach((l, i) => {
      expect(encoder.encode(l).length).toBeLessThanOrEqual(75);
      if (i > 0) expect(l.startsWith(" ")).toBe(true);
    });
    expect(folded.map((l, i) => (i ? l.slice(1) : l)).join("")).toBe(line);
    expect(icsFold("SHORT:x")).toBe("SHORT:x");
  });

  it("leaves out DESCRIPTION when there is none", () => {
    const ics = eventIcs({
      uid: "u@x",
      name: "n",
      description: "",
      location: "l",
      startsAt: 0,
      endsAt: 1000,
      updatedAt: 0,
      url: "https://x/events/e",
    });
    expect(ics).not.toContain("DESCRIPTION");
    expect(ics).toContain("\r\nDTSTART:19700101T000000Z\r\nDTEND:19700101T000001Z\r\n");
  });
});
