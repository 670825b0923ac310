import { and, asc, eq, inArray } from "drizzle-orm";
import type { Db } from "../db/client";
import { tickets, type TicketRow } from "../db/schema";
import { AppError } from "../errors";
import { outboxInsert, outboxItem } from "../queues/outbox";
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
 * Admits the ticket behind `code` at `eventId`, exactly once, and returns the updated row.
 * Throws `ticket_wrong_event` (422) for another event's code, `ticket_not_valid` (409) for a
 * malformed or forged code or a refunded/void ticket, `ticket_already_used` (409) for a second scan.
 */
export async function checkIn(db: Db, input: CheckInInput): Promise<TicketRow> {
  const now = input.now ?? Date.now();
  let ticketId: string | null = null;
  try {
    const row = await admit(db, { ...input, now }, (id) => (ticketId = id));
    await auditCheckIn(db, input, now, "ticket.checked_in", row.id, {});
    return row;
  } catch (err) {
    if (err instanceof AppError)
      await auditCheckIn(db, input, now, "ticket.check_in_refused", ticketId, { code: err.code, detail: err.message });
    throw err;
  }
}

/**
 * Audits a scan through the D1 outbox (shipped by the cron within a minute): this module has no
 * queue binding. `usedBy` is the gate name or the scanning user's id.
 */
async function auditCheckIn(
  db: Db,
  input: CheckInInput,
  now: number,
  action: string,
  ticketId: string | null,
  data: Record<string, unknown>,
) {
  const id =
    action === "ticket.checked_in"
      ? `checkin:${ticketId}`
      : `checkin_refused:${input.eventId}:${ticketId ?? "none"}:${now}:${crypto.randomUUID()}`;
  const actorId = input.usedBy.startsWith("usr_") ? input.usedBy : null;
  const item = outboxItem("audit", id, {
    action,
    actorId,
    eventId: input.eventId,
    entityType: "ticket",
    entityId: ticketId,
    data: { ...data, usedBy: input.usedBy },
    at: now,
  });
  try {
    await outboxInsert(db, [item], now);
  } catch (err) {
    log("error", "check-in audit write failed", { entry: item, error: String(err) });
  }
}

async function admit(
  db: Db,
  input: CheckInInput & { now: number },
  seen: (ticketId: string) => void,
): Promise<TicketRow> {
  const { eventId, code, usedBy, now } = input;
  // Unverified on purpose: the claimed event only picks the key; the signature decides below.
  const claimed = ticketCodeClaims(code);
  if (!claimed) throw notValid("The code is not a ticket code");
  // Says "another event" without naming it: a scanner at one show learns nothing about the rest.
  if (claimed.eid !== eventId) throw new AppError("ticket_wrong_event", "This ticket is for another event");
  // The code names the key that signed it; codes from before rotation carry none and are "k1".
  const kid = claimed.kid ?? FIRST_KID;
  const key = (await verificationKeys(db, eventId)).find((k) => k.kid === kid);
  if (!key) throw notValid("No key of this event signed this code");
  const claims = await verifyTicketCode(key.publicKey, code);
  if (!claims) throw notValid("The ticket's signature does not verify");
  seen(claims.tid);

  // The conditional UPDATE is the whole check-and-write: D1 runs it as one statement, so of any
  // number of scanners racing on one ticket exactly one sees a returned row. Reading the status
  // first and writing after would let two gates both admit the same ticket.
  const [admitted] = await db
    .update(tickets)
    .set({ status: "used", usedAt: now, usedBy, updatedAt: now })
    .where(and(eq(tickets.id, claims.tid), eq(tickets.eventId, eventId), eq(tickets.status, "valid")))
    .returning();
  if (admitted) return admitted;
  throw await refusal(db, claims.tid, eventId);
}

/** Why a signed ticket was not admitted, read after the UPDATE lost. */
async function refusal(db: Db, ticketId: string, eventId: string): Promise<AppError> {
  const row = await db
    .select()
    .from(tickets)
    .where(and(eq(tickets.id, ticketId), eq(tickets.eventId, eventId)))
    .get();
  if (!row) return notValid("No such ticket");
  switch (row.status) {
    case "used": {
      const usedAt = row.usedAt == null ? null : new Date(row.usedAt).toISOString();
      return new AppError("ticket_already_used", `Ticket already used at ${usedAt}`, {
        extra: { usedAt, usedBy: row.usedBy },
      });
    }
    case "refunded":
      return notValid("The ticket was refunded");
    case "void":
      return notValid("The ticket is void");
    case "valid":
      // Statuses never move back to valid, so this means the row changed under us mid-scan.
      return new AppError("conflict", "The ticket changed during the scan; scan it again");
  }
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
export async function scannerManifest(db: Db, eventId: string): Promise<ScannerManifest> {
  const current = await eventKeys(db, eventId);
  const keys = await verificationKeys(db, eventId);
  const rows = await db
    .select({ id: tickets.id, status: tickets.status })
    .from(tickets)
    .where(and(eq(tickets.eventId, eventId), inArray(tickets.status, ["valid", "used"])))
    .orderBy(asc(tickets.id));
  return {
    publicKey: current.publicKey,
    kid: current.kid,
    keys,
    validTicketIds: rows.filter((r) => r.status === "valid").map((r) => r.id),
    usedTicketIds: rows.filter((r) => r.status === "used").map((r) => r.id),
  };
}
