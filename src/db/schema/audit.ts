import { sqliteTable, text, integer, index, uniqueIndex } from "drizzle-orm/sqlite-core";

/**
 * Append-only, hash-chained audit trail: `hash = SHA-256(prev_hash ‖ canonical JSON of the entry)`
 * in `seq` order. The code has no update or delete path for this table; `GET /v1/admin/audit/verify`
 * recomputes the chain and names the first row that does not match.
 */
export const auditLog = sqliteTable(
  "audit_log",
  {
    seq: integer("seq").primaryKey(),
    /** The producer's id for the entry; a redelivered message is recognised by it. */
    entryId: text("entry_id").notNull(),
    at: integer("at").notNull(),
    action: text("action").notNull(),
    actorId: text("actor_id"),
    /** SHA-256 of the client IP with a server-side salt: lets fraud review group by IP without storing it. */
    ipHash: text("ip_hash"),
    entityType: text("entity_type"),
    entityId: text("entity_id"),
    organizerId: text("organizer_id"),
    eventId: text("event_id"),
    orderId: text("order_id"),
    data: text("data", { mode: "json" }).$type<Record<string, unknown>>(),
    prevHash: text("prev_hash").notNull(),
    hash: text("hash").notNull(),
  },
  (t) => [
    uniqueIndex("audit_entry_unique").on(t.entryId),
    index("audit_action_at_idx").on(t.action, t.at),
    index("audit_actor_at_idx").on(t.actorId, t.at),
    index("audit_entity_idx").on(t.entityType, t.entityId),
    index("audit_org_at_idx").on(t.organizerId, t.at),
    index("audit_event_idx").on(t.eventId, t.at),
  ],
);

export type AuditRow = typeof auditLog.$inferSelect;
