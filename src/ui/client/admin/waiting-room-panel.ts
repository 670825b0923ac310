import { api, ApiError } from "../api";
import { field, h } from "../dom";
import { dateTime } from "../format";
import { errorText } from "./common";

type QueueStats = {
  eventId: string;
  enabled: boolean;
  ratePerMinute: number;
  maxShopping: number;
  tokenSeconds: number;
  onSaleAt: string | null;
  length: number;
  admitted: number;
  shopping: number;
  admittedLastMinute: number;
  estimatedDrainSeconds: number | null;
  soldOut: boolean;
  stock: { available: number; held: number; at: string } | null;
  commitment: string;
  shuffledAt: string | null;
};
type Fairness = { commitment: string; revealed: boolean; onSaleAt: string | null; seed?: string };
type Settings = "enabled" | "ratePerMinute" | "maxShopping" | "tokenSeconds";
const REFRESH_MS = 3000;

/** "2 min 30 s" from seconds; a dash when nobody is waiting or no rate is set. */
function drainText(seconds: number | null): string {
  if (!seconds || seconds <= 0) return "—";
  const hours = Math.floor(seconds / 3600);
  const min = Math.floor((seconds % 3600) / 60);
  const sec = seconds % 60;
  if (hours) return min ? `${hours} h ${min} min` : `${hours} h`;
  if (min) return sec ? `${min} min ${sec} s` : `${min} min`;
  return `${sec} s`;
}

/**
 * The organizer's switch for the flash-sale waiting room: on/off, rate and cap (the room applies a
 * new rate from its next tick, so saving while on changes admissions live), and its figures,
 * polled while the page is visible.
 */
export function waitingRoomPanel(event: { id: string; queueRatePerMinute?: number; queueMaxShopping?: number }) {
  const eventId = event.id;
  const path = `/v1/admin/events/${encodeURIComponent(eventId)}/queue`;
  const fairnessPath = `/v1/events/${encodeURIComponent(eventId)}/queue/fairness`;

  const enabled = h("input", { type: "checkbox", name: "enabled" });
  const num = (name: Settings, min: number, max: number) =>
    h("input", { type: "number", name, min, max, step: 1, inputmode: "numeric", required: name !== "tokenSeconds" });
  const inputs = {
    enabled,
    ratePerMinute: num("ratePerMinute", 1, 1_000_000),
    maxShopping: num("maxShopping", 1, 1_000_000),
    tokenSeconds: num("tokenSeconds", 30, 3600),
  } satisfies Record<Settings, HTMLInputElement>;
  const fieldErrors = {} as Record<Settings, HTMLElement>;
  const withError = (name: Settings, wrap: HTMLElement) => {
    const id = `room-error-${name}`;
    fieldErrors[name] = h("small", { class: "field-error", id, hidden: true });
    wrap.append(fieldErrors[name]);
    return wrap;
  };
  const formError = h("pre", { class: "form-error", role: "alert", hidden: true });
  const status = h("p", { class: "small", role: "status" });
  const save = h("button", { type: "submit", class: "btn primary" }, "Save waiting room");

  // One value node per figure, with its label in the normal text colour (the muted grey sits too
  // close to the contrast limit for figures someone watches during a sale).
  const figure = (label: string, testid: string) => {
    const value = h("span", { class: "stat-value", "data-testid": testid }, "…");
    return { value, el: h("div", { class: "stat" }, value, h("span", { class: "small" }, label)) };
  };
  const figs = {
    length: figure("Waiting in queue", "room-length"),
    admitted: figure("Admitted so far", "room-admitted"),
    shopping: figure("Shopping now", "room-shopping"),
    rate: figure("Admitted in the last minute", "room-rate"),
    drain: figure("Time to drain the queue", "room-drain"),
    soldOut: figure("Sold out", "room-sold-out"),
  };
  const commitment = h("code", { "data-testid": "room-commitment" }, "…");
  const onSale = h("span", { "data-testid": "room-on-sale" }, "—");
  const seedRow = h("div", { hidden: true }, h("dt", {}, "Revealed seed"), h("dd", {}, h("code", {})));
  const updated = h("span", { class: "small" });

  function clearErrors() {
    formError.hidden = true;
    for (const name of Object.keys(fieldErrors) as Settings[]) {
      fieldErrors[name].hidden = true;
      inputs[name].removeAttribute("aria-invalid");
      inputs[name].removeAttribute("aria-describedby");
    }
  }

  function showError(err: unknown) {
    const unplaced: string[] = [];
    const problems = err instanceof ApiError ? (err.problem.errors ?? []) : [];
    for (const p of problems) {
      const name = p.path.split(".").pop() as Settings;
      const box = fieldErrors[name];
      if (!box) {
        unplaced.push(`${p.path || "body"}: ${p.message}`);
        continue;
      }
      box.hidden = false;
      box.textContent = p.message;
      inputs[name].setAttribute("aria-invalid", "true");
      inputs[name].setAttribute("aria-describedby", box.id);
    }
    formError.hidden = false;
    formError.textContent = err instanceof ApiError ? [err.message, ...unplaced].join("\n") : errorText(err);
  }

  // A room never switched on reports 0 for both; the event's stored settings (D1 defaults) are a
  // starting point the organizer can save as they are.
  function fill(s: QueueStats) {
    enabled.checked = s.enabled;
    inputs.ratePerMinute.value = String(s.ratePerMinute || (event.queueRatePerMinute ?? ""));
    inputs.maxShopping.value = String(s.maxShopping || (event.queueMaxShopping ?? ""));
    inputs.tokenSeconds.value = String(s.tokenSeconds);
  }

  let seed: string | null = null;
  async function show(s: QueueStats) {
    figs.length.value.textContent = String(s.length);
    figs.admitted.value.textContent = String(s.admitted);
    figs.shopping.value.textContent = String(s.shopping);
    figs.rate.value.textContent = String(s.admittedLastMinute);
    figs.drain.value.textContent = drainText(s.estimatedDrainSeconds);
    figs.soldOut.value.textContent = s.soldOut ? "Yes" : "No";
    commitment.textContent = s.commitment;
    onSale.textContent = dateTime(s.onSaleAt);
    // The seed never changes once revealed, so the public fairness answer is fetched only once; a
    // failed fetch is retried on the next poll rather than reported as a failed save.
    if (s.shuffledAt && seed === null) {
      const f = await api<Fairness>("GET", fairnessPath).catch(() => null);
      if (f?.revealed && f.seed) seed = f.seed;
    }
    if (seed !== null) {
      seedRow.hidden = false;
      const code = seedRow.querySelector("code")!;
      code.textContent = seed;
      code.setAttribute("data-testid", "room-seed");
    }
    updated.textContent = `Updated ${new Date().toLocaleTimeString()}`;
  }

  // The settings stay disabled until the room first answers (so nobody saves over values not yet
  // known); after that inputs change only on a save, so a poll never overwrites what is typed.
  const settings = h("fieldset", { class: "room-settings", disabled: true });
  let filled = false;
  async function refresh() {
    try {
      const s = await api<QueueStats>("GET", path);
      if (!filled) fill(s);
      filled = true;
      await show(s);
    } catch (x) {
      updated.textContent = errorText(x);
    } finally {
      settings.disabled = false;
    }
  }

  const form = h(
    "form",
    {
      novalidate: true,
      // The API's field errors are the ones shown, so out-of-range values are sent rather than
      // stopped by the browser's own (differently worded) validation bubbles.
      onsubmit: async (ev: Event) => {
        ev.preventDefault();
        clearErrors();
        status.textContent = "";
        const n = (i: HTMLInputElement) => (i.value.trim() === "" ? Number.NaN : Number(i.value));
        const tokenSeconds = n(inputs.tokenSeconds);
        const body = {
          enabled: enabled.checked,
          ratePerMinute: n(inputs.ratePerMinute),
          maxShopping: n(inputs.maxShopping),
          ...(Number.isNaN(tokenSeconds) ? {} : { tokenSeconds }),
        };
        save.disabled = true;
        try {
          const s = await api<QueueStats>("PUT", path, body);
          fill(s);
          await show(s);
          status.textContent = s.enabled
            ? `Saved: the waiting room is on, ${s.ratePerMinute} fans a minute, ${s.maxShopping} shopping at once.`
            : "Saved: the waiting room is off; fans hold seats directly.";
        } catch (x) {
          showError(x);
        } finally {
          save.disabled = false;
        }
      },
    },
    settings,
    formError,
    status,
  );
  settings.append(
    h("label", { class: "check" }, enabled, " Waiting room on"),
    h(
      "div",
      { class: "room-fields" },
      withError("ratePerMinute", field("Fans admitted per minute", inputs.ratePerMinute)),
      withError("maxShopping", field("Shoppers at once", inputs.maxShopping)),
      withError(
        "tokenSeconds",
        field("Admission window (seconds)", inputs.tokenSeconds, "How long an admitted fan may shop (30–3600)"),
      ),
    ),
    withError("enabled", h("div", {})),
    h("div", { class: "actions" }, save),
  );

  const panel = h(
    "section",
    { class: "panel", "aria-labelledby": "room-title", "data-testid": "waiting-room" },
    h("div", { class: "row-between" }, h("h2", { id: "room-title" }, "Waiting room"), updated),
    form,
    h(
      "div",
      { class: "stat-row" },
      Object.values(figs).map((f) => f.el),
    ),
    h(
      "dl",
      { class: "room-proof" },
      h("div", {}, h("dt", {}, "Fairness commitment"), h("dd", {}, commitment)),
      h("div", {}, h("dt", {}, "On-sale time"), h("dd", {}, onSale)),
      seedRow,
    ),
  );

  void refresh();
  const timer = setInterval(() => {
    // mount() replaces the page's content wholesale; a panel no longer on the page stops polling.
    if (!panel.isConnected) clearInterval(timer);
    else if (document.visibilityState === "visible") void refresh();
  }, REFRESH_MS);
  return panel;
}
