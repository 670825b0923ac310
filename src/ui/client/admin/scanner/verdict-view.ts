import { h } from "../../dom";
import { placeLabel } from "../../../../domain/place-labels";
import type { Verdict } from "./judge";
import type { Labels } from "./pack";

/** "19:02:13" in the phone's zone: stewards compare scans minutes apart on the same night. */
export const clock = (iso: string) =>
  iso ? new Date(iso).toLocaleTimeString(undefined, { hour: "2-digit", minute: "2-digit", second: "2-digit" }) : "?";

/** "Stalls · Row J · Seat 4 · Standard": the place as printed on the ticket, then the tier. */
export const placeText = (place: string, tier: string, labels: Labels) =>
  [place ? placeLabel(place, labels.places) : "", labels.tiers.get(tier) ?? tier].filter(Boolean).join(" · ");

/** The big answer a steward reads at arm's length: a word, then the place or the reason. */
export function verdictView(v: Verdict, labels: Labels, device: string): [string, HTMLElement[]] {
  const where = (place: string, tier: string) => placeText(place, tier, labels);
  switch (v.kind) {
    case "admitted":
      return [
        "ok",
        [
          h("strong", {}, "Admitted"),
          h("span", { "data-testid": "scan-place" }, where(v.place, v.tier)),
          v.offline ? h("small", {}, "Saved on this phone; it is sent when the network is back") : null,
        ].filter((x) => x !== null),
      ];
    case "used": {
      const by = v.by === device ? "this gate" : v.by || "another gate";
      return [
        "used",
        [
          h("strong", {}, "Already used"),
          h("span", {}, `${v.here ? "Scanned" : "Checked in"} at ${clock(v.at)} by ${by}`),
          h("small", { "data-testid": "scan-place" }, where(v.place, v.tier)),
        ],
      ];
    }
    case "invalid_signature":
      return ["bad", [h("strong", {}, "Invalid ticket"), h("span", {}, v.detail)]];
    case "wrong_event":
      return ["bad", [h("strong", {}, "Not for this event"), h("span", {}, "This ticket is for another event")]];
    case "not_valid":
      return ["bad", [h("strong", {}, "Not admitted"), h("span", {}, v.detail)]];
  }
}
