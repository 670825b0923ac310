/**
 * Makes the scanner an installable app that opens without the network: registers the service
 * worker (public/scanner-sw.js, scoped to the portal) and puts this page's HTML in its cache, since
 * the first visit is served before the worker controls the page.
 */
// Must match CACHE in public/scanner-sw.js.
const CACHE = "edge-tickets-scanner-v1";

export function installScannerApp() {
  if (!("serviceWorker" in navigator)) return;
  navigator.serviceWorker.register("/scanner-sw.js", { scope: "/admin/" }).catch((err: unknown) => {
    console.warn("scanner: service worker not registered", err);
  });
  if (navigator.onLine && "caches" in globalThis)
    void caches
      .open(CACHE)
      .then((c) => c.add(location.pathname))
      .catch(() => {});
}
