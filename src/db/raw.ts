/**
 * A drizzle query as a raw D1 statement, so it can share one `D1Database.batch` (one transaction)
 * with hand-written SQL that drizzle's own batch cannot express (INSERT … SELECT with sums).
 */
export function toD1(d1: D1Database, query: { toSQL(): { sql: string; params: unknown[] } }): D1PreparedStatement {
  const { sql, params } = query.toSQL();
  return d1.prepare(sql).bind(...params);
}
