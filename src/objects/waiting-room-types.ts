import type { QueueState } from "../live/queue-protocol";

/** What the organizer sets (PUT /v1/admin/events/{id}/queue), plus the event facts the room needs. */
export type RoomSettingsInput = {
  eventId: string;
  enabled: boolean;
  ratePerMinute: number;
  maxShopping: number;
  /** The on-sale instant (ms): fans who join before it are shuffled at it. Null: FIFO from the start. */
  onSaleAt: number | null;
  /** Lifetime of an admission token, seconds. */
  tokenSeconds?: number;
};

export type RoomSettings = Required<RoomSettingsInput>;

export type TicketView = {
  ticket: string;
  eventId: string;
  state: QueueState;
  /** 1-based place among waiting fans; null before the on-sale shuffle or when not waiting. */
  position: number | null;
  ahead: number | null;
  estimatedWaitSeconds: number | null;
  joinedAt: number;
  /** Present while admitted and unexpired. */
  admission?: { token: string; expiresAt: number };
};

export type JoinResult =
  | { ok: true; created: boolean; view: TicketView }
  | { ok: false; code: "queue_not_active"; detail: string };
export type ViewResult = { ok: true; view: TicketView } | { ok: false; code: "not_found"; detail: string };

export type RoomStats = {
  eventId: string;
  enabled: boolean;
  ratePerMinute: number;
  maxShopping: number;
  tokenSeconds: number;
  onSaleAt: number | null;
  /** Fans waiting. */
  length: number;
  /** Fans ever admitted. */
  admitted: number;
  /** Admitted fans whose token is still valid and who have not left. */
  shopping: number;
  /** Admissions in the last 60 s. */
  admittedLastMinute: number;
  estimatedDrainSeconds: number | null;
  soldOut: boolean;
  /** Sellable places at the last tick: available seats + GA places left, and places held. */
  stock: { available: number; held: number; at: number } | null;
  commitment: string;
  shuffledAt: number | null;
};

export type Fairness =
  | { commitment: string; algorithm: string; revealed: false; onSaleAt: number | null }
  | { commitment: string; algorithm: string; revealed: true; onSaleAt: number | null; seed: string; order: string[] };

export type TickResult = {
  admitted: number;
  expired: number;
  shuffled: number;
  soldOut: boolean;
  shopping: number;
  waiting: number;
};
