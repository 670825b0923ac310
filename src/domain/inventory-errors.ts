import { AppError, type ErrorCode } from "../errors";
import type { InventoryFailure } from "../objects/inventory-types";
import { HOLD_ATTEMPTS } from "./attempt-window";

/**
 * Turns an EventInventory failure into the problem the API answers with.
 * - seats_unavailable → 409 with `conflicts` (the seat ids someone else holds, bought or that are blocked)
 * - sold_out → 409; in_use → 409 `inventory_in_use`; invalid_state → 409 `hold_not_active`
 * - rate_limited → 429 with `Retry-After` (hold attempts over the fan's budget on this event)
 * - limit_exceeded → 422: the request itself asks for more than the event allows, retrying will not help
 * - unknown_seats → 422 with `seats` (the ids not in the event)
 * - not_found and not_owner → 404: another user's hold is indistinguishable from a missing one
 */
export function inventoryError(f: InventoryFailure, what = "Hold"): AppError {
  switch (f.code) {
    case "seats_unavailable":
      return new AppError("seats_unavailable", f.detail, { extra: { conflicts: f.conflicts ?? [] } });
    case "sold_out":
      return new AppError("sold_out", f.detail);
    case "limit_exceeded":
      return new AppError("limit_exceeded", f.detail);
    case "not_found":
    case "not_owner":
      return new AppError("not_found", `${what} was not found`);
    case "invalid_state":
      return new AppError("hold_not_active", f.detail);
    case "unknown_seats":
      return new AppError("unknown_seats", f.detail, { extra: { seats: f.conflicts ?? [] } });
    case "in_use":
      return new AppError("inventory_in_use", f.detail);
    case "not_on_sale":
      return new AppError("not_on_sale", f.detail);
    case "admission_required":
      return new AppError("admission_required", f.detail);
    case "admission_revoked":
      return new AppError("admission_invalid", f.detail, { extra: { reason: "revoked" } });
    case "rate_limited":
      // The window is HOLD_ATTEMPTS.periodMs long; a whole window is the safe wait.
      return new AppError("rate_limited", f.detail, {
        headers: { "Retry-After": String(HOLD_ATTEMPTS.periodMs / 1000) },
      });
    case "problem":
      return new AppError((f.problem?.code ?? "conflict") as ErrorCode, f.detail, {
        ...(f.problem?.extra ? { extra: f.problem.extra } : {}),
      });
  }
}
