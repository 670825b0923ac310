import { inventoryStub } from "./event-lifecycle";
import { inventoryError } from "./inventory-errors";
import type { Db } from "../db/client";
import type { TicketRow } from "../db/schema";
import { AppError } from "../errors";
import { FIRST_KID, ticketCodeClaims, verifyTicketCode } from "./ticket-codes";
import { eventKeys, verificationKeys } from "./ticket-issuer";
import { log } from "../observability/log";

export type CheckInInput = {
  eventId: string;
  /** What the scanner read from the QR code. */
  code: string;
  /** Recorded as `used_by`: the gate name, or the scanning user's id. */
  usedBy: string;
  now?: number;
};

const notValid = (detail: string) => new AppError("ticket_not_valid", detail);

/**
 * Admits the ticket behind `code` at `eventId`, exactly once, and returns the updated row. The
 * Worker checks the code's signature (the event's public keys: one D1 read, the only one on this
 * path); the event's object then marks the ticket used in one transaction, so of any number of
 * gates racing on one ticket exactly one admits it. No D1 write.
 * Throws `ticket_wrong_event` (422) for another event's code, `ticket_not_valid` (409) for a
 * malformed or forged code or a refunded/void ticket, `ticket_already_used` (409) for a second scan.
 */
export async function checkIn(env: Env, db: Db, input: CheckInInput): Promise<TicketRow> {
  const now = input.now ?? Date.now();
  let tid: string;
  try {
    tid = await verifiedTicketId(db, input);
  } catch (err) {
    // Refused before the object: audited straight onto the audit queue (no D1 write).
    if (err instanceof AppError) await auditRefusal(env, input, now, err);
    throw err;
  }
  const r = await inventoryStub(env.EVENT_INVENTORY, input.eventId).checkIn(tid, input.usedBy, now);
  if (!r.ok) throw inventoryError(r, "Ticket");
  return r.ticket;
}

export async function auditRefusal(env: Env, input: CheckInInput, now: number, err: AppError): Promise<void> {
  try {
    await env.AUDIT.send(
      {
        id: `audit:checkin_refused:${input.eventId}:none:${now}:${crypto.randomUUID()}`,
        action: "ticket.check_in_refused",
        actorId: input.usedBy.startsWith("usr_") ? input.usedBy : null,
        eventId: input.eventId,
        entityType: "ticket",
        entityId: null,
        data: { code: err.code, detail: err.message, usedBy: input.usedBy },
        at: now,
      },
      { contentType: "json" },
    );
  } catch (e) {
    log("error", "check-in audit send failed", { eventId: input.eventId, error: String(e) });
  }
}

/** The ticket id inside a code whose signature verifies with a key of this event. */
function verifiedTicketId(db: Db, input: CheckInInput): Promise<string> {
  return ticketIdOf(() => verificationKeys(db, input.eventId), input.eventId, input.code);
}

type VerificationKeys = () => Promise<{ kid: string; publicKey: string }[]>;

/**
 * The ticket id `code` carries if a key of `eventId` signed it. Throws `ticket_wrong_event` or
 * `ticket_not_valid`. Keys are loaded only for a code that names this event; a batch passes one
 * memoized loader for all its codes.
 */
export async function ticketIdOf(keys: VerificationKeys, eventId: string, code: string): Promise<string> {
  // Unverified on purpose: the claimed event only picks the key; the signature decides below.
  const claimed = ticketCodeClaims(code);
  if (!claimed) throw notValid("The code is not a ticket code");
  // Says "another event" without naming it: a scanner at one show learns nothing about the rest.
  if (claimed.eid !== eventId) throw new AppError("ticket_wrong_event", "This ticket is for another event");
  // The code names the key that signed it; codes from before rotation carry none and are "k1".
  const kid = claimed.kid ?? FIRST_KID;
  const key = (await keys()).find((k) => k.kid === kid);
  if (!key) throw notValid("No key of this event signed this code");
  const claims = await verifyTicketCode(key.publicKey, code);
  if (!claims) throw notValid("The ticket's signature does not verify");
  return claims.tid;
}

export type ScannerManifest = {
  publicKey: string;
  kid: string;
  /** Every key a valid ticket may carry: the active one and those rotated out. */
  keys: { kid: string; publicKey: string; status: "active" | "retired" }[];
  validTicketIds: string[];
  usedTicketIds: string[];
};

/**
 * What an offline gate needs: the event's public key (created now if no ticket was issued yet,
 * so scanners can be provisioned before sales) and the ids of live tickets. Refunded and void
 * tickets are in neither list, so a gate refuses them even though their codes still verify.
 */
export async function scannerManifest(env: Env, db: Db, eventId: string): Promise<ScannerManifest> {
  const current = await eventKeys(db, eventId);
  const keys = await verificationKeys(db, eventId);
  // The ticket lists come from the event's object, not the ledger: a gate is provisioned with
  // every ticket sold or scanned up to this moment.
  const live = await inventoryStub(env.EVENT_INVENTORY, eventId).liveTicketIds();
  return { publicKey: current.publicKey, kid: current.kid, keys, validTicketIds: live.valid, usedTicketIds: live.used };
}
