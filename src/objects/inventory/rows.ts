/**
 * The inventory's row shapes and the small pieces every module of the object shares: failures,
 * the pending change set of one transaction, and the sale-window rule.
 */
import type { AuditMessage } from "../../queues/audit-messages";
import type { LedgerMessage } from "../../queues/ledger-messages";
import type { PaymentMessage } from "../../queues/payment-messages";
import type { HoldNotice } from "./live-channel";
import type {
  HoldKind,
  HoldStatus,
  InventoryConfig,
  InventoryErrorCode,
  InventoryFailure,
  ProblemExtra,
  SeatCode,
  SeatStatus,
} from "../inventory-types";

export type SeatRow = {
  id: string;
  section: string;
  row_label: string;
  row_index: number;
  pos: number;
  tier: string | null;
  price: number;
  accessible: number;
  aisle_after: number;
  status: SeatStatus;
  hold_id: string | null;
};
export type AreaRow = { id: string; tier: string | null; price: number; capacity: number; held: number; sold: number };
export type HoldRow = {
  id: string;
  user_id: string;
  status: HoldStatus;
  kind: HoldKind;
  area_id: string | null;
  quantity: number;
  amount: number;
  currency: string;
  deadline: number;
  extended: number;
  order_id: string | null;
  created_at: number;
  returned: number;
  ip_hash: string | null;
  admission_ticket: string | null;
  admission_exp: number | null;
  /** A seat hold's seat ids, a JSON array (null for a GA hold). */
  seat_ids: string | null;
};
/** Why a hold ended without a sale. */
export type EndedBy = "owner" | "payment" | "expiry";
/** The queues the object's outbox feeds. */
export type OutboxQueue = "payments" | "audit" | "ledger";
export type OutboxBody = { payments: PaymentMessage; audit: AuditMessage; ledger: LedgerMessage };

export const CODE: Record<SeatStatus, SeatCode> = { available: "a", held: "h", sold: "s", blocked: "b" };
export const LIVE = `('active','checking_out')`;
/** Why a hold may not happen now (sales closed, or the waiting room wants an admission), or null. */
export function saleProblem(config: InventoryConfig, admitted: boolean, now: number): InventoryFailure | null {
  const s = config.sale;
  if (!s) return null;
  const open =
    s.status === "on_sale" &&
    (s.salesStartAt == null || now >= s.salesStartAt) &&
    (s.salesEndAt == null || now < s.salesEndAt) &&
    now < s.endsAt;
  if (!open) return fail("not_on_sale", "The event is not on sale");
  if (s.queueEnabled && !admitted) {
    return fail(
      "admission_required",
      "This event sells through its waiting room: join with POST /v1/events/{id}/queue " +
        "and send the admission token as X-Admission-Token",
    );
  }
  return null;
}

/** Audited hold actions and the status a fan following that hold is told about. */
export const HOLD_STATUS_OF: Record<string, HoldNotice["status"]> = {
  "hold.created": "active",
  "hold.checkout": "checking_out",
  "hold.confirmed": "confirmed",
  "hold.reacquired": "confirmed",
  "hold.released": "released",
  "hold.expired": "expired",
};

/** Bound parameters per statement stay at or under this. */
export const MAX_PARAMS = 100;

export function fail(code: InventoryErrorCode, detail: string, conflicts?: string[]): InventoryFailure {
  return conflicts ? { ok: false, code, detail, conflicts } : { ok: false, code, detail };
}

/** An order-side refusal with its API answer: an `ErrorCode` and any extra fields. */
export function problem(code: string, detail: string, extra?: ProblemExtra): InventoryFailure {
  return { ok: false, code: "problem", detail, problem: extra ? { code, extra } : { code } };
}

export function chunks<T>(items: T[], size: number): T[][] {
  const out: T[][] = [];
  for (let i = 0; i < items.length; i += size) out.push(items.slice(i, i + size));
  return out;
}

/** Seat and area changes collected during one transaction, written as one change entry. */
export class Pending {
  seats: Record<string, SeatCode> = {};
  areas: Record<string, number> = {};
  seat(id: string, status: SeatStatus) {
    this.seats[id] = CODE[status];
  }
  get empty() {
    return Object.keys(this.seats).length === 0 && Object.keys(this.areas).length === 0;
  }
}
