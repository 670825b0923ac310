-- Full-text search over published events (SQLite FTS5). Rows are written by the catalog code
-- whenever an event, its venue or its status changes; event_id links back to events.id.
CREATE VIRTUAL TABLE `events_fts` USING fts5(
  `event_id` UNINDEXED,
  `name`,
  `description`,
  `performers`,
  `venue`,
  `city`,
  tokenize = 'unicode61 remove_diacritics 2'
);
