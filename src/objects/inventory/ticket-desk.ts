import { createDb } from "../../db/client";
import { buildTickets, eventKeys, type NewTicket, type SigningKey } from "../../domain/ticket-issuer";
import { type LineSql, type OrderSql, lineOut, orderOut, ticketOut } from "./order-rows";
import { problem } from "./rows";
import type { InventoryStore } from "./store";
import type { CheckInResult, ProblemExtra } from "../inventory-types";

/**
 * Tickets in the event's object: signing (the event's Ed25519 key, read from D1 once per object
 * lifetime and kept in memory) and check-in, which marks a ticket used exactly once.
 */
export class TicketDesk {
  private key: SigningKey | null = null;

  constructor(private readonly s: InventoryStore) {}

  /**
   * Signs the tickets an order's sale will issue. Async (SubtleCrypto), so it runs before the
   * sale's transaction; ids are derived from order and place, so a replay signs the same ids.
   */
  async sign(order: OrderSql, lines: LineSql[], now: number): Promise<NewTicket[]> {
    // The one D1 read on the sale path, once per object lifetime (and after a key rotation).
    this.key ??= await eventKeys(createDb(this.s.env.DB), this.s.eventId());
    return buildTickets(orderOut(order, this.s.eventId()), lines.map(lineOut), this.key, now);
  }

  /** Ids of tickets that may still enter (valid) and that entered (used), for offline gates. */
  liveIds(): { valid: string[]; used: string[] } {
    const rows = this.s.sql
      .exec<{ id: string; status: string }>(
        `SELECT id, status FROM tickets WHERE status IN ('valid','used') ORDER BY id`,
      )
      .toArray();
    return {
      valid: rows.filter((r) => r.status === "valid").map((r) => r.id),
      used: rows.filter((r) => r.status === "used").map((r) => r.id),
    };
  }

  /** A rotated key signs from now on. */
  forgetKey(): void {
    this.key = null;
  }

  /**
   * Admits a ticket whose code the Worker verified: `valid` → `used` in one transaction, so of
   * any number of gates scanning one ticket exactly one admits it. Audited either way.
   */
  checkIn(ticketId: string, usedBy: string, now: number): CheckInResult {
    return this.s.tx((): CheckInResult => {
      const t = this.s.book.ticket(ticketId);
      const audit = (action: string, data: Record<string, unknown>) =>
        this.s.enqueue("audit", {
          id:
            action === "ticket.checked_in"
              ? `audit:checkin:${ticketId}`
              : `audit:checkin_refused:${ticketId}:${now}:${crypto.randomUUID()}`,
          action,
          actorId: usedBy.startsWith("usr_") ? usedBy : null,
          eventId: this.s.eventId(),
          entityType: "ticket",
          entityId: ticketId,
          data: { ...data, usedBy },
          at: now,
        });
      const refuse = (code: string, detail: string, extra?: ProblemExtra) => {
        audit("ticket.check_in_refused", { code, detail });
        return problem(code, detail, extra);
      };
      if (!t) return refuse("ticket_not_valid", "No such ticket");
      if (t.status === "used") {
        const usedAt = t.used_at == null ? null : new Date(t.used_at).toISOString();
        return refuse("ticket_already_used", `Ticket already used at ${usedAt}`, { usedAt, usedBy: t.used_by });
      }
      if (t.status === "refunded") return refuse("ticket_not_valid", "The ticket was refunded");
      if (t.status === "void") return refuse("ticket_not_valid", "The ticket is void");
      this.s.book.update("tickets", t.id, { status: "used", used_at: now, used_by: usedBy, updated_at: now });
      audit("ticket.checked_in", {});
      return { ok: true, ticket: ticketOut(this.s.book.ticket(t.id)!, this.s.eventId()) };
    });
  }
}
