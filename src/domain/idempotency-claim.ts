import type { ClaimInObject, IdempotencyRecord, StoredAnswer } from "../objects/inventory/idempotency";

/**
 * An Idempotency-Key the middleware leaves to the route's own object calls (checkout): the first
 * write takes it in its transaction and the last stores the answer with its own, so the key costs
 * no calls of its own. The route notes here how far it got, and the middleware does the rest:
 * - `open`: nothing taken yet (the route refused the request before its first write);
 * - `claimed`: taken, answer not stored (the middleware stores or releases it);
 * - `taken`: another request holds the key (`holder`); the middleware answers from it;
 * - `answered`: taken and answered in the object; nothing is left to do.
 */
export type DeferredClaim = ClaimInObject & {
  state: "open" | "claimed" | "taken" | "answered";
  holder?: IdempotencyRecord;
};

/** A JSON answer to store under the claim's key, as `c.json(body, status)` sends it. */
export function jsonAnswer(claim: DeferredClaim, status: number, body: unknown): StoredAnswer {
  return {
    slot: claim.slot,
    status,
    headers: JSON.stringify({ "Content-Type": "application/json" }),
    body: JSON.stringify(body),
  };
}
