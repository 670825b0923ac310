import { z } from "zod";

const optText = z.string().max(500).nullable().optional();

/**
 * Messages on the `audit` queue: who did what to which entity, and when. Producers: the emit
 * helper (src/audit/emit.ts), the D1 outbox (src/queues/outbox.ts) and EventInventory's outbox.
 */
export const AuditMessageSchema = z.object({
  /** The producer's id for this entry; redeliveries carry the same id and are appended once. */
  id: z.string().min(1).max(200).optional(),
  action: z.string().min(1).max(100),
  actorId: z.string().max(200).nullable(),
  eventId: optText,
  orderId: optText,
  data: z.record(z.string(), z.unknown()).optional(),
  at: z.number().int(),
  /** What kind of thing changed (`event`, `hold`, `ticket`, `user`...) and its id. */
  entityType: optText,
  entityId: optText,
  /** The organizer the entry belongs to, so organizers can read their own trail. */
  organizerId: optText,
  /** Salted SHA-256 of the client IP (never the IP itself). */
  ipHash: optText,
  /** The HTTP request that caused the entry, to join with the logs. */
  requestId: optText,
});
export type AuditMessage = z.infer<typeof AuditMessageSchema>;
