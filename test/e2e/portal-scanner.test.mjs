// Browser test of the gate scanner (/admin/events/{id}/scanner): a fan buys three standing tickets
// through the API; the organizer's phone reads the first one's QR code from a fake camera (a canvas
// stream the QR image is drawn on, decoded by jsQR since BarcodeDetector is removed), then goes
// offline, admits the other two from the cached pack, refuses a repeat and a forged code, and on
// reconnecting uploads the queue: the ticket another gate admitted online meanwhile comes back as a
// duplicate naming that gate and its time. Last, what makes it installable: the manifest, its icon,
// the service worker's scope, and the start page. Screenshots go to screenshots/ and docs/screenshots/.
import { AxeBuilder } from "@axe-core/playwright";
import assert from "node:assert/strict";
import { join } from "node:path";
import { test } from "node:test";
import { DEMO_ACCOUNTS, DEMO_PASSWORD, eventIdByName, newPage, ROOT, serverForFile, shot, signIn } from "./harness.mjs";

const env = serverForFile();

async function api(method, path, body, token, headers = {}) {
  const res = await fetch(env.base + path, {
    method,
    headers: {
      "content-type": "application/json",
      "x-forwarded-for": "127.0.0.1",
      ...(token ? { authorization: `Bearer ${token}` } : {}),
      ...headers,
    },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  const text = await res.text();
  if (!res.ok) throw new Error(`${method} ${path} → ${res.status}: ${text}`);
  return res.headers.get("content-type")?.includes("json") ? JSON.parse(text) : text;
}

const login = async (email) => (await api("POST", "/v1/auth/login", { email, password: DEMO_PASSWORD })).accessToken;

/** The fan holds `quantity` floor places, pays with the simulated card; the paid order's tickets. */
async function buy(eventId, token, quantity) {
  const hold = await api("POST", `/v1/events/${eventId}/holds`, { area: "FLOOR", quantity }, token);
  const checkout = await api("POST", `/v1/holds/${encodeURIComponent(hold.holdId)}/checkout`, undefined, token, {
    "Idempotency-Key": crypto.randomUUID(),
  });
  const paid = await api("POST", checkout.payment.paymentUrl, { card: "4242 4242 4242 4242" }, token);
  assert.equal(paid.result, "succeeded");
  return order(checkout.orderId ?? paid.orderId, token, (o) => o.tickets.length === quantity);
}

/** The order once `ready(order)` holds (tickets are issued, and the ledger follows, a moment late). */
async function order(orderId, token, ready) {
  let o;
  for (let i = 0; i < 40; i++) {
    o = await api("GET", `/v1/orders/${encodeURIComponent(orderId)}`, undefined, token);
    if (ready(o)) return o;
    await new Promise((r) => setTimeout(r, 250));
  }
  throw new Error(`order ${orderId} never got there: ${JSON.stringify(o?.tickets)}`);
}

/**
 * A camera that films a canvas: getUserMedia answers the canvas's stream, `__showQr(svg)` draws a
 * QR image on it. BarcodeDetector is removed so the page must decode with its JavaScript decoder.
 */
function fakeCamera() {
  delete globalThis.BarcodeDetector;
  const canvas = document.createElement("canvas");
  canvas.width = 640;
  canvas.height = 480;
  const ctx = canvas.getContext("2d");
  let image = null;
  const paint = () => {
    ctx.fillStyle = "#fff";
    ctx.fillRect(0, 0, 640, 480);
    if (image) ctx.drawImage(image, 170, 90, 300, 300);
  };
  // A canvas stream only sends a frame when the canvas is drawn on.
  setInterval(paint, 100);
  globalThis.__showQr = async (svg) => {
    const img = new Image();
    img.src = URL.createObjectURL(new Blob([svg], { type: "image/svg+xml" }));
    await img.decode();
    image = img;
    paint();
  };
  const getUserMedia = async () => canvas.captureStream(10);
  if (navigator.mediaDevices) navigator.mediaDevices.getUserMedia = getUserMedia;
  else Object.defineProperty(navigator, "mediaDevices", { value: { getUserMedia } });
}

const state = {};

test("the scanner reads a ticket's QR code from the camera (jsQR path) and admits it with its place", {
  timeout: 90_000,
}, async () => {
  const eventId = await eventIdByName(env.base, "Techno Nacht");
  const fanToken = await login(DEMO_ACCOUNTS.fan);
  const o = await buy(eventId, fanToken, 3);
  const [first] = o.tickets;
  const svg = await api("GET", first.qrUrl, undefined, fanToken);
  Object.assign(state, { eventId, fanToken, orderId: o.id, tickets: o.tickets, firstSvg: svg });
  assert.match(svg, /^<svg/);

  const page = await newPage(env.browser, env.base, { phone: true });
  state.page = page;
  await page.context().addInitScript(fakeCamera);
  await signIn(page, DEMO_ACCOUNTS.organizer);
  await page.goto(`/admin/events/${eventId}`);
  await Promise.all([page.waitForURL(/\/scanner$/), page.getByTestId("scanner-link").click()]);
  await page.locator("[data-testid=scanner-camera][data-decoder]").waitFor({ state: "attached" });
  assert.equal(await page.getByTestId("scanner-camera").getAttribute("data-decoder"), "jsqr");
  await page.getByTestId("scanner-gate-name").fill("North gate");
  await page.getByTestId("scanner-gate-name").dispatchEvent("change");

  await page.evaluate((s) => globalThis.__showQr(s), svg);
  const result = page.locator("[data-testid=scan-result][data-kind=admitted]");
  await result.waitFor();
  const n = first.place.split("#")[2];
  assert.equal(await result.getByTestId("scan-place").textContent(), `Dance floor (standing) · place ${n} · Floor`);
  assert.match(await page.getByTestId("scan-tally").textContent(), /^1 admitted · 0 already scanned · 0 refused$/);
  await shot(page, "sc1-scanner-camera-admitted");
  // Online, the server admitted it at once.
  const after = await order(o.id, fanToken, (x) => x.tickets.find((t) => t.id === first.id)?.status === "used");
  assert.equal(after.tickets.find((t) => t.id === first.id).status, "used");
});

test("offline: scans are judged from the cached pack and queued; the sync reports another gate's earlier scan", {
  timeout: 90_000,
}, async () => {
  const { page, eventId, fanToken, orderId, tickets } = state;
  assert.ok(page, "the camera test ran first");
  const [, b, c] = tickets;
  const context = page.context();
  // The page is already open online: its pack (with b and c valid) and its files are cached.
  await page.evaluate(() => navigator.serviceWorker.ready.then(() => true));
  await context.setOffline(true);
  await page.getByTestId("scanner-network").filter({ hasText: "Offline" }).waitFor();

  // Meanwhile another gate admits c online, before this phone scans it.
  const orgToken = await login(DEMO_ACCOUNTS.organizer);
  const south = await api(
    "POST",
    `/v1/admin/events/${eventId}/check-in`,
    { code: c.code, gate: "South gate" },
    orgToken,
  );
  assert.equal(south.result, "admitted");
  await new Promise((r) => setTimeout(r, 1100));

  const result = page.getByTestId("scan-result");
  const scanCode = async (code, kind) => {
    const seq = Number(await result.getAttribute("data-seq"));
    await page.getByTestId("scanner-code").fill(code);
    await page.getByTestId("scanner-code").press("Enter");
    await page.locator(`[data-testid=scan-result][data-seq="${seq + 1}"]`).waitFor();
    assert.equal(await result.getAttribute("data-kind"), kind, await result.textContent());
  };
  await scanCode(b.code, "admitted");
  await scanCode(c.code, "admitted");
  await scanCode(b.code, "used");
  assert.match(await result.textContent(), /Already used.*by this gate/);
  // A forged code: b's claims with one character of its signature changed.
  const [v, claims, sig] = b.code.split(".");
  const forged = `${v}.${claims}.${sig.slice(0, 10)}${sig[10] === "A" ? "B" : "A"}${sig.slice(11)}`;
  await scanCode(forged, "invalid_signature");
  assert.equal(await page.getByTestId("scan-tally").textContent(), "3 admitted · 1 already scanned · 1 refused");
  assert.equal(await page.getByTestId("scanner-queue").textContent(), "2 scans waiting to sync");

  // The page opens with no network (the service worker's cache), queue and all.
  await page.reload();
  await page.getByTestId("scanner-queue").filter({ hasText: "2 scans waiting to sync" }).waitFor();
  assert.equal(await page.getByTestId("scanner-network").textContent(), "Offline");
  await shot(page, "sc2-scanner-offline-queued");

  // Back online: the queue goes up on its own, first scan first.
  await context.setOffline(false);
  const report = page.getByTestId("sync-report");
  await report.locator("h2", { hasText: "Synced 2 scans: 1 admitted, 1 duplicate" }).waitFor();
  const dupe = report.locator(`[data-testid=sync-duplicate][data-ticket="${c.id}"]`);
  const southAt = await page.evaluate(
    (iso) => new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }),
    south.ticket.usedAt,
  );
  assert.match(await dupe.textContent(), new RegExp(`already scanned at ${southAt} at South gate`));
  assert.equal(await report.getByTestId("sync-duplicate").count(), 1);
  // The status line follows once the fresh pack is in.
  await page.getByTestId("scanner-queue").filter({ hasText: "Nothing waiting to sync" }).waitFor();
  await page.getByTestId("scanner-network").filter({ hasText: "Online" }).waitFor();

  // The first ticket held to the camera again: already used, by this gate (North gate, online).
  await page.evaluate((svg) => globalThis.__showQr(svg), state.firstSvg);
  await page.locator("[data-testid=scan-result][data-kind=used]").waitFor();
  assert.match(await result.textContent(), /Already usedChecked in at .* by this gate/);
  await page.screenshot({ path: join(ROOT, "docs/screenshots/portal-scanner.png"), fullPage: true });
  await shot(page, "sc3-scanner-synced");
  const axe = await new AxeBuilder({ page })
    .withTags(["wcag2a", "wcag2aa", "wcag21a", "wcag21aa"])
    .include("main")
    .analyze();
  const bad = axe.violations.filter((v) => v.impact === "serious" || v.impact === "critical");
  assert.deepEqual(
    bad.map((v) => `${v.id}: ${v.nodes.map((n) => n.target).join(" ")}`),
    [],
  );

  // The server has both used; c keeps the South gate's (earlier) check-in time.
  const settled = await order(orderId, fanToken, (x) => x.tickets.every((t) => t.status === "used"));
  assert.deepEqual(
    settled.tickets.map((t) => t.status),
    ["used", "used", "used"],
  );
  const ticketC = await api("GET", `/v1/tickets/${encodeURIComponent(c.id)}`, undefined, fanToken);
  assert.equal(ticketC.usedAt, south.ticket.usedAt);
  await context.close();
});

test("the scanner installs as an app: manifest, icon, service worker, and a start page that opens the last event", {
  timeout: 60_000,
}, async () => {
  const page = await newPage(env.browser, env.base, { phone: true });
  try {
    await signIn(page, DEMO_ACCOUNTS.organizer);
    await page.goto(`/admin/events/${state.eventId}/scanner`);
    await page.getByTestId("scanner-pack").filter({ hasText: "3 tickets on this phone" }).waitFor();
    const href = await page.locator("link[rel=manifest]").getAttribute("href");
    const res = await fetch(new URL(href, env.base));
    assert.equal(res.status, 200);
    const manifest = await res.json();
    assert.equal(manifest.display, "standalone");
    assert.equal(manifest.start_url, "/admin/scanner");
    const icon = await fetch(new URL(manifest.icons[0].src, env.base));
    assert.equal(icon.status, 200);
    assert.match(icon.headers.get("content-type") ?? "", /^image\/svg\+xml/);
    const worker = await page.evaluate(async () => {
      const reg = await navigator.serviceWorker.ready;
      return { scope: reg.scope, script: reg.active?.scriptURL };
    });
    assert.equal(worker.scope, `${env.base}/admin/`);
    assert.equal(worker.script, `${env.base}/scanner-sw.js`);
    // Other portal pages are not served from the worker's cache: no manifest, fresh from the server.
    await page.goto("/admin");
    assert.equal(await page.locator("link[rel=manifest]").count(), 0);

    await page.goto("/admin/scanner");
    await Promise.all([
      page.waitForURL(/\/scanner$/),
      page.getByRole("link", { name: "Open the last scanner" }).click(),
    ]);
    assert.equal(new URL(page.url()).pathname, `/admin/events/${state.eventId}/scanner`);
  } finally {
    await page.context().close();
  }
});
