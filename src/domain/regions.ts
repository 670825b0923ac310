import type { REGIONS } from "../db/schema/constants";

export type Region = (typeof REGIONS)[number];

/** What a person reads for each placement region; the codes are Cloudflare's location hints. */
export const REGION_NAMES: Record<Region, string> = {
  wnam: "Western North America",
  enam: "Eastern North America",
  sam: "South America",
  weur: "Western Europe",
  eeur: "Eastern Europe",
  apac: "Asia-Pacific",
  oc: "Oceania",
  afr: "Africa",
  me: "Middle East",
};

/** The human name of a region code; an unknown code is shown as given rather than hidden. */
export function regionName(code: string): string {
  return (REGION_NAMES as Record<string, string>)[code] ?? code;
}
