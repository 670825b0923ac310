import { env } from "cloudflare:workers";
import type { OrganizerRole, Role } from "../../src/db/schema/constants";
import { newId } from "../../src/lib/ids";
import { signAccessToken } from "../../src/auth/tokens";

/** A unique suffix so tests that share a file's storage never collide. */
export const uniq = () => crypto.randomUUID().slice(0, 8);

/** Inserts an organizer straight into D1. */
export async function createOrganizer(name = `Org ${uniq()}`) {
  const id = newId("org");
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO organizers (id, name, slug, contact_email, created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?)",
  )
    .bind(id, name, `org-${id.slice(-10)}`, `contact-${uniq()}@example.test`, now, now)
    .run();
  return { id, name };
}

/**
 * Inserts a user straight into D1 (no password) and mints an access token for it, so tests of
 * other features do not pay for a sign-up. Organizer users get a fresh organizer unless given one.
 * Test fixture only: an organizer user is attached directly (as `owner` unless `organizerRole`
 * says otherwise), skipping the invitation the API requires (test/admin/memberships.test.ts).
 */
export async function createUser(
  opts: { role?: Role; organizerId?: string; organizerRole?: OrganizerRole; email?: string; phone?: string } = {},
) {
  const role = opts.role ?? "fan";
  const organizerId = role === "organizer" ? (opts.organizerId ?? (await createOrganizer()).id) : null;
  const organizerRole = organizerId ? (opts.organizerRole ?? "owner") : null;
  const id = newId("usr");
  const email = opts.email ?? `${role}-${uniq()}@example.test`;
  const now = Date.now();
  await env.DB.prepare(
    "INSERT INTO users (id, email, role, organizer_id, organizer_role, phone, notify_email, notify_sms, " +
      "created_at, updated_at) VALUES (?, ?, ?, ?, ?, ?, 1, 0, ?, ?)",
  )
    .bind(id, email, role, organizerId, organizerRole, opts.phone ?? null, now, now)
    .run();
  const token = await signAccessToken({ userId: id, email, role, organizerId }, env);
  return { id, email, role, organizerId, organizerRole, token };
}
