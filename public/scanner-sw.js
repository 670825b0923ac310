// Service worker of the gate scanner, registered for /admin/ by src/ui/client/admin/scanner/pwa.ts
// so the scanner opens with no network. Network first for everything it touches, so an online
// visit never gets a stale page or bundle; the cache is only the offline fallback. API calls
// (/v1/) and other pages' navigations are left to the network untouched.
const CACHE = "edge-tickets-scanner-v1"; // Must match CACHE in pwa.ts.
const SHELL = [
  "/assets/app.js",
  "/assets/app.css",
  "/assets/scanner.css",
  "/assets/scanner-decoder.js",
  "/favicon.svg",
  "/scanner-icon.svg",
  "/scanner.webmanifest",
  "/admin/scanner",
];
const SCANNER_PAGE = /^\/admin\/(scanner|events\/[^/]+\/scanner)$/;
const STATIC = /^\/(assets\/|favicon\.svg$|scanner-icon\.svg$|scanner\.webmanifest$)/;
// A network that answers nothing (a packed stadium) must not hold the page: fall back after this.
const NETWORK_MS = 4000;

self.addEventListener("install", (event) => {
  event.waitUntil(
    caches
      .open(CACHE)
      .then((c) => c.addAll(SHELL))
      .then(() => self.skipWaiting()),
  );
});

self.addEventListener("activate", (event) => {
  event.waitUntil(
    caches
      .keys()
      .then((keys) => Promise.all(keys.filter((k) => k.startsWith("edge-tickets-scanner-") && k !== CACHE).map((k) => caches.delete(k))))
      .then(() => self.clients.claim()),
  );
});

async function networkFirst(request) {
  const cache = await caches.open(CACHE);
  try {
    const response = await Promise.race([
      fetch(request),
      new Promise((_, reject) => setTimeout(() => reject(new Error("network timeout")), NETWORK_MS)),
    ]);
    if (response.ok) await cache.put(request, response.clone());
    return response;
  } catch (err) {
    const cached = await cache.match(request, { ignoreSearch: true });
    if (cached) return cached;
    throw err;
  }
}

self.addEventListener("fetch", (event) => {
  const url = new URL(event.request.url);
  if (event.request.method !== "GET" || url.origin !== self.location.origin) return;
  const page = event.request.mode === "navigate" && SCANNER_PAGE.test(url.pathname);
  if (page || STATIC.test(url.pathname)) event.respondWith(networkFirst(event.request));
});
