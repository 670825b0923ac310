import { sqliteTable, text, integer, uniqueIndex } from "drizzle-orm/sqlite-core";

export const organizers = sqliteTable(
  "organizers",
  {
    id: text("id").primaryKey(),
    name: text("name").notNull(),
    slug: text("slug").notNull(),
    contactEmail: text("contact_email"),
    createdAt: integer("created_at").notNull(),
    updatedAt: integer("updated_at").notNull(),
  },
  (t) => [uniqueIndex("organizers_slug_unique").on(t.slug)],
);

export type OrganizerRow = typeof organizers.$inferSelect;
