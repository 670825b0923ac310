/** What a gate keeps per event (see store.ts); types only, so pure code and tests can use them. */
export type PackTicket = {
  id: string;
  place: string;
  tier: string;
  state: "valid" | "used";
  usedAt: string | null;
  usedBy: string | null;
};
export type ScannerPack = {
  eventId: string;
  name: string;
  startsAt: string;
  keys: { kid: string; publicKey: string; status: "active" | "retired" }[];
  tickets: PackTicket[];
  generatedAt: string;
};
/** A scan admitted offline, waiting for the batch upload. */
export type QueuedScan = { scanId: string; code: string; scannedAt: string; ticketId: string };
/** Tickets this gate admitted, by ticket id: when and by which gate (offline or online). */
export type LocalUse = Record<string, { at: string; by: string }>;
/** The words on the ticket: place id → "Stalls · Row J · Seat 4" (from the layout), tier key → name. */
export type Labels = { places: Map<string, string>; tiers: Map<string, string> };
