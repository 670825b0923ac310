import { h, mount } from "../../dom";
import { dateTime } from "../../format";
import { errorText, staff } from "../common";
import { startCamera } from "./camera";
import { type Gate, openGate, refreshPack, scan, unreachable } from "./gate";
import type { Verdict } from "./judge";
import { installScannerApp } from "./pwa";
import { loadQueue, saveUses } from "./store";
import { type Settled, uploadQueue } from "./sync";
import { clock, placeText, verdictView } from "./verdict-view";

const GATE_KEY = "edge-tickets.scanner.gate";
const enc = encodeURIComponent;
const RETRY_MS = 5000;

/** The gate name scans are recorded under; asked once per phone, a made-up one until then. */
function gateName(): string {
  let name = localStorage.getItem(GATE_KEY);
  if (!name) {
    name = `Gate ${Math.floor(Math.random() * 900 + 100)}`;
    localStorage.setItem(GATE_KEY, name);
  }
  return name;
}

/**
 * The gate scanner: camera (or a typed code) in, a big admitted / refused out. Works from the
 * cached pack when the phone is offline and uploads the queued scans when it is back.
 */
export async function adminScanner(eventId: string) {
  if (!staff()) return;
  installScannerApp();
  localStorage.setItem("edge-tickets.scanner.last", location.pathname);
  const gate = await openGate(eventId);
  const gateInput = h("input", {
    name: "gate",
    "data-testid": "scanner-gate-name",
    value: gateName(),
    autocomplete: "off",
    maxlength: 100,
  });
  gateInput.addEventListener("change", () => localStorage.setItem(GATE_KEY, gateInput.value.trim() || gateName()));
  const device = () => gateInput.value.trim() || gateName();

  const network = h("span", { class: "badge", "data-testid": "scanner-network" });
  const packInfo = h("span", { class: "muted", "data-testid": "scanner-pack" });
  const queued = h("span", { "data-testid": "scanner-queue" });
  const syncBtn = h("button", { type: "button", class: "btn small", "data-testid": "scanner-sync" }, "Sync now");
  const result = h(
    "div",
    { class: "scan-result", role: "status", "aria-live": "assertive", "data-testid": "scan-result" },
    h("strong", {}, "Ready"),
    h("span", {}, "Scan a ticket"),
  );
  const tally = h("p", { class: "scan-tally", "data-testid": "scan-tally" });
  const report = h("section", { class: "sync-report", "data-testid": "sync-report", "aria-live": "polite" });
  const video = h("video", { class: "scanner-video", "aria-label": "Camera view" });
  const cameraNote = h("p", { class: "muted small" }, "Starting the camera…");
  const camera = h("div", { class: "scanner-camera", "data-testid": "scanner-camera" }, video, cameraNote);
  const code = h("input", {
    name: "code",
    "data-testid": "scanner-code",
    autocomplete: "off",
    spellcheck: "false",
    placeholder: "T1.…",
  });
  const manual = h(
    "form",
    { class: "scanner-manual", "data-testid": "scanner-manual" },
    h("label", {}, "Ticket code ", code),
    h("button", { class: "btn", type: "submit" }, "Check"),
  );
  const counts = { admitted: 0, used: 0, refused: 0 };

  const showStatus = async () => {
    const online = navigator.onLine && gate.reachable;
    network.textContent = online ? "Online" : "Offline";
    network.className = `badge ${online ? "ok" : "warn"}`;
    const p = gate.pack;
    packInfo.textContent = p
      ? `${p.tickets.length} tickets on this phone, updated ${clock(p.generatedAt)}`
      : "No ticket list on this phone yet";
    const n = (await loadQueue(eventId)).length;
    queued.textContent = n ? `${n} scan${n === 1 ? "" : "s"} waiting to sync` : "Nothing waiting to sync";
    showTally();
  };
  const showTally = () => {
    tally.textContent = `${counts.admitted} admitted · ${counts.used} already scanned · ${counts.refused} refused`;
  };

  let seq = 0;
  const show = (v: Verdict) => {
    const [kind, parts] = verdictView(v, gate.labels, device());
    result.className = `scan-result ${kind}`;
    result.dataset.kind = v.kind;
    // Counts the answers, so a steward (and a test) can tell a new one from the same word again.
    result.dataset.seq = String(++seq);
    result.replaceChildren(...parts);
    if (v.kind === "admitted") counts.admitted++;
    else if (v.kind === "used") counts.used++;
    else counts.refused++;
    // With the answer, not after the queue is read back: the tally never lags the verdict shown.
    showTally();
    navigator.vibrate?.(v.kind === "admitted" ? 80 : [60, 60, 60]);
  };

  // One scan at a time, so two codes read in one breath cannot both take the same ticket.
  let chain: Promise<unknown> = Promise.resolve();
  const onCode = (text: string) => {
    chain = chain.then(async () => {
      try {
        show(await scan(gate, text.trim(), device()));
      } catch (err) {
        result.className = "scan-result bad";
        result.dataset.kind = "error";
        result.dataset.seq = String(++seq);
        result.replaceChildren(h("strong", {}, "Could not check"), h("span", {}, errorText(err)));
      }
      await showStatus();
    });
    return chain;
  };

  let syncing = false;
  const sync = async () => {
    if (syncing || !navigator.onLine) return;
    syncing = true;
    syncBtn.disabled = true;
    try {
      const settled = await uploadQueue(eventId, device());
      if (settled.length) {
        gate.reachable = true;
        await showReport(gate, settled);
        await refreshPack(gate);
      }
    } catch (err) {
      if (unreachable(err)) gate.reachable = false;
      else report.replaceChildren(h("p", { class: "error" }, `Sync failed, the scans stay queued: ${errorText(err)}`));
    } finally {
      syncing = false;
      syncBtn.disabled = false;
      await showStatus();
    }
  };

  async function showReport(g: Gate, settled: Settled[]) {
    const dupes = settled.filter((r) => r.result === "duplicate");
    for (const d of dupes)
      if (d.ticketId && d.first) g.uses[d.ticketId] = { at: d.first.scannedAt, by: d.first.device };
    await saveUses(eventId, g.uses);
    const accepted = settled.filter((r) => r.result === "accepted").length;
    const other = settled.length - accepted - dupes.length;
    report.replaceChildren(
      h(
        "h2",
        {},
        `Synced ${settled.length} scan${settled.length === 1 ? "" : "s"}: ${accepted} admitted, ` +
          `${dupes.length} duplicate${dupes.length === 1 ? "" : "s"}${other ? `, ${other} refused` : ""}`,
      ),
      dupes.length
        ? h(
            "ul",
            { class: "sync-duplicates" },
            dupes.map((d) =>
              h(
                "li",
                { "data-testid": "sync-duplicate", "data-ticket": d.ticketId ?? "" },
                h("strong", {}, placeText(d.place ?? "", d.tier ?? "", g.labels)),
                ` — already scanned at ${clock(d.first?.scannedAt ?? "")} at ${d.first?.device ?? "another gate"}`,
                h("small", {}, ` (this gate scanned it at ${clock(d.scannedAt)})`),
              ),
            ),
          )
        : null,
    );
  }

  manual.addEventListener("submit", async (e) => {
    e.preventDefault();
    const text = code.value;
    code.value = "";
    if (text.trim()) await onCode(text);
    code.focus();
  });
  syncBtn.addEventListener("click", () => void sync());
  addEventListener("online", () => {
    gate.reachable = true;
    void showStatus().then(sync);
  });
  addEventListener("offline", () => {
    gate.reachable = false;
    void showStatus();
  });
  // The 'online' event is not to be relied on (a wifi that answers nothing never sends it):
  // every few seconds, upload what is queued, or look whether the server answers again.
  setInterval(async () => {
    if (syncing || !navigator.onLine) return;
    if ((await loadQueue(eventId)).length) await sync();
    else if (!gate.reachable) await refreshPack(gate).then(showStatus);
  }, RETRY_MS);

  const name = gate.pack?.name ?? "Event";
  mount(
    h(
      "div",
      { class: "panel scanner" },
      h("h1", {}, `Scanner · ${name}`),
      gate.pack ? h("p", { class: "muted" }, dateTime(gate.pack.startsAt)) : null,
      h("p", { class: "scanner-status" }, network, " ", queued, " ", syncBtn),
      h("p", {}, packInfo),
      camera,
      result,
      tally,
      manual,
      h("label", { class: "scanner-gate" }, "Gate name ", gateInput),
      report,
      h("p", {}, h("a", { href: `/admin/check-in?event=${enc(eventId)}` }, "Check-in by pasting a code")),
    ),
  );
  await showStatus();
  void sync();
  try {
    const cam = await startCamera(video, (text) => void onCode(text));
    camera.dataset.decoder = cam.path;
    cameraNote.textContent = "Hold a ticket's QR code in front of the camera";
  } catch (err) {
    camera.dataset.decoder = "none";
    cameraNote.textContent = `No camera (${err instanceof Error ? err.message : String(err)}): type the code below`;
  }
}
