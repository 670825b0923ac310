import type { QueueState } from "../../../live/queue-protocol";
import { countdown } from "../format";

/** The badge colours of the sales statuses, reused: blue waits, green shops, red is over for good. */
export const STATE_LOOK: Record<QueueState, string> = {
  waiting: "sales-upcoming",
  admitted: "sales-on_sale",
  sold_out: "sales-cancelled",
  left: "sales-ended",
  expired: "sales-ended",
};
export const STATE_TEXT: Record<QueueState, string> = {
  waiting: "Waiting in the queue",
  admitted: "Admitted: it is your turn to pick seats",
  sold_out: "Sold out",
  left: "You left the queue",
  expired: "Your shopping window expired",
};

/** "3 d 4 h", "1:02:05" or "2:05": a countdown that may be days long. */
export function longCountdown(ms: number): string {
  const s = Math.max(0, Math.ceil(ms / 1000));
  if (s >= 86_400) return `${Math.floor(s / 86_400)} d ${Math.floor((s % 86_400) / 3600)} h`;
  if (s < 3600) return countdown(ms);
  const mm = String(Math.floor((s % 3600) / 60)).padStart(2, "0");
  return `${Math.floor(s / 3600)}:${mm}:${String(s % 60).padStart(2, "0")}`;
}
// The server's estimate counts the rate only, not shoppers who have yet to finish: keep it coarse.
const aboutWait = (s: number) => (s < 60 ? "under a minute" : `about ${Math.round(s / 60)} min`);

/** The line under the place: what the fan can expect from here. */
export function waitingText(
  s: QueueState | null,
  position: number | null,
  ahead: number | null,
  wait: number | null,
): string {
  if (s === "sold_out")
    return "Every ticket has been sold. If some come back (a refund or a lapsed checkout), you keep your place.";
  if (s === null)
    return "Join to get your turn. No need to be first: everyone who joins before sales open is drawn at random.";
  if (position === null) return "Keep this page open; it updates by itself.";
  const who = ahead === 1 ? "1 fan" : `${ahead ?? 0} fans`;
  return `${who} ahead of you${wait !== null ? ` · estimated wait ${aboutWait(wait)}` : ""}. Keep this page open.`;
}
