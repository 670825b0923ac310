import type { Layout } from "../domain/layout";
import type { AppliesTo } from "../domain/pricing";

/** Expected failures are returned, never thrown: custom error classes do not survive RPC. */
export type InventoryErrorCode =
  | "seats_unavailable"
  | "limit_exceeded"
  | "not_found"
  | "not_owner"
  | "invalid_state"
  | "in_use"
  | "unknown_seats"
  | "sold_out"
  | "not_on_sale"
  | "admission_required"
  | "admission_revoked"
  | "rate_limited"
  | "problem";

/**
 * `problem`: an order-side refusal that already knows its API answer (an `ErrorCode` of
 * src/errors.ts with its extra fields), so the Worker renders it as is.
 */
export type InventoryFailure = {
  ok: false;
  code: InventoryErrorCode;
  detail: string;
  conflicts?: string[];
  problem?: { code: string; extra?: ProblemExtra };
};

/** Extra problem fields an object may send back (RPC-serializable values only). */
export type ProblemExtra = Record<string, string | number | boolean | null | string[]>;
export type Result<T> = ({ ok: true } & T) | InventoryFailure;

export type SeatStatus = "available" | "held" | "sold" | "blocked";
/** Compact seat state in snapshots: available, held, sold, blocked. */
export type SeatCode = "a" | "h" | "s" | "b";
export type HoldStatus = "active" | "checking_out" | "confirmed" | "released" | "expired";
export type HoldKind = "seats" | "area";

export type InventoryTier = { key: string; name: string; amount: number; currency: string; appliesTo: AppliesTo };

/**
 * What the object must know to decide alone whether a hold may happen: the event's status and
 * sales window and whether its waiting room is on (set at publish, updated by organizer actions).
 */
export type SaleWindow = {
  status: string;
  salesStartAt: number | null;
  salesEndAt: number | null;
  endsAt: number;
  queueEnabled: boolean;
};

export type InventoryConfigInput = {
  sale?: SaleWindow;
  holdSeconds: number;
  maxSeatsPerOrder: number;
  maxSeatsPerUser: number | null;
  currency: string;
  paymentWindowSeconds?: number;
};

export type InventoryConfig = {
  eventId: string;
  /** Absent on objects published before the object knew its sales window: treated as open. */
  sale?: SaleWindow;
  holdSeconds: number;
  paymentWindowSeconds: number;
  maxSeatsPerOrder: number;
  maxSeatsPerUser: number | null;
  currency: string;
};

export type InitializeInput = { eventId: string; layout: Layout; tiers: InventoryTier[]; config: InventoryConfigInput };
export type InitializeResult = Result<{
  seats: number;
  areas: number;
  unpricedSeats: string[];
  unpricedAreas: string[];
  version: number;
}>;

/** What re-pricing needs of a tier: the key seats and areas carry, its amount and what it covers. */
export type RepriceTier = Pick<InventoryTier, "key" | "amount" | "appliesTo">;
/** New tiers for a published event; `layout` is the event's snapshot, the one the object was loaded from. */
export type RepriceInput = { layout: Layout; tiers: RepriceTier[] };
/**
 * How many seats, areas and active holds took a new tier or price, and how many seats and areas
 * the tiers leave unpriced. `in_use` once anything has sold.
 */
export type RepriceResult = Result<{ seats: number; areas: number; holds: number; unpriced: number }>;

export type HoldRequest =
  | { seats: string[] }
  | { tier: string; quantity: number; accessible?: boolean; allowSplit?: boolean }
  | { area: string; quantity: number };

/**
 * `ipHash`: the salted hash of the client IP, recorded in the hold's audit entries for fraud review.
 * `admission`: the verified admission token's ticket and expiry (the object refuses revoked ones).
 * `orderId`: paying again for this order, which counts as admitted while the admission the order
 * was checked out under is still in its window. `admitted`: admitted without a ticket (tests).
 */
export type HoldInput = {
  userId: string;
  request: HoldRequest;
  admitted?: boolean;
  admission?: { ticket: string; expiresAt: number };
  orderId?: string;
  ipHash?: string | null;
};

export type HeldSeat = { id: string; tier: string; price: number };

export type HoldSuccess = {
  holdId: string;
  seats: HeldSeat[];
  area?: { id: string; quantity: number };
  amount: number;
  currency: string;
  expiresAt: number;
  version: number;
};
export type HoldResult = Result<HoldSuccess>;

/** What a hold buys, priced: one line per seat, or one line for a GA quantity. */
export type HoldLine = { seatId: string | null; areaId: string | null; tier: string; price: number; quantity: number };

export type HoldView = {
  id: string;
  userId: string;
  status: HoldStatus;
  kind: HoldKind;
  seats: string[];
  area?: { id: string; quantity: number };
  amount: number;
  currency: string;
  expiresAt: number;
  extended: boolean;
  orderId: string | null;
  createdAt: number;
  lines: HoldLine[];
};
export type GetHoldResult = Result<{ hold: HoldView }>;

export type HoldChangeResult = Result<{ holdId: string; status: HoldStatus; expiresAt: number; version: number }>;

export type ReacquireInput = { seats?: string[]; area?: { id: string; quantity: number } };
export type ReacquireResult = Result<{
  holdId: string;
  seats: HeldSeat[];
  area?: { id: string; quantity: number };
  amount: number;
  currency: string;
  version: number;
}>;

/** What a refund gives back: seat ids and/or GA places of one area. */
export type ReturnInput = {
  refundId: string;
  orderId: string;
  seats?: string[];
  area?: { id: string; quantity: number };
};
export type ReturnResult = Result<{ returned: string[]; areaPlaces: number; version: number }>;

export type BlockResult = Result<{ changed: string[]; version: number }>;

export type Snapshot = { version: number; seats: Record<string, SeatCode>; areas: Record<string, number> };

export type Change = { version: number; seats?: Record<string, SeatCode>; areas?: Record<string, number> };
export type ChangesResult = { resync: true; version: number } | { resync?: false; version: number; changes: Change[] };

export type InventoryCounts = {
  version: number;
  tiers: Record<string, { available: number; held: number; sold: number; blocked: number }>;
  areas: {
    id: string;
    tier: string | null;
    price: number;
    capacity: number;
    held: number;
    sold: number;
    remaining: number;
  }[];
};

// ---------------------------------------------------------------- orders

/** A checkout (or a new attempt) opened in the object: the attempt's provider key and any intent recorded for it. */
export type CheckoutOpen = Result<{
  order: import("../db/schema").OrderRow;
  attempt: number;
  key: string;
  reference: string | null;
  expiresAt: number;
}>;

/** The PaymentIntent facts a webhook or a provider read delivers. */
export type IntentFacts = {
  id: string;
  amount: number;
  currency: string;
  metadata: Record<string, string>;
  failure?: string;
};

/** What a payment outcome did, and whether a waiting room should hear of the purchase. */
export type OutcomeResult = { outcome: string; userId?: string; queueEnabled?: boolean; refunds: string[] };

/** A refund recorded in the object, to be sent to the provider. */
export type RefundRecorded = Result<{ refundId: string; amount: number }>;

/** What the provider needs to send one recorded refund; `status` says whether it still must go. */
export type RefundToSend = {
  id: string;
  /** Who took the money: only that provider can give it back. */
  provider: "stripe" | "simulated";
  status: "pending" | "succeeded" | "failed" | "canceled";
  reference: string | null;
  amount: number;
  idempotencyKey: string;
  reason: string | null;
  attempts: number;
};

/** A charge whose intent must be cancelled, and whether its order is still waiting on that very attempt. */
export type CancelTarget = {
  paymentId: string;
  reference: string | null;
  status: "pending" | "succeeded" | "failed" | "canceled";
  orderId: string;
};

export type CheckInResult = Result<{ ticket: import("../db/schema").TicketRow }>;

// The rest of the object's RPC surface is typed by the modules that own it.
export type { BatchScan, BatchScanResult, ScannerTicket } from "./inventory/check-in-batch";
export type { ClaimInObject, IdempotencyRecord, IdempotencySlot, StoredAnswer } from "./inventory/idempotency";
export type { OpenCheckoutInput, OpenRetryInput } from "./inventory/order-desk";
export type { OrderDetail } from "./inventory/order-rows";
export type { RefundInput } from "./inventory/refund-desk";
