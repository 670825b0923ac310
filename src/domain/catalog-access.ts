import type { AuthContext } from "../env";
import { AppError, notFound } from "../errors";

/**
 * Whether the caller may see a row owned by `organizerId`. Other organizers' rows are reported
 * as missing (404) rather than forbidden so ids cannot be probed across tenants.
 */
export function canSee(auth: AuthContext, organizerId: string): boolean {
  return (
    auth.role === "admin" ||
    (auth.role === "organizer" && auth.organizerId !== null && auth.organizerId === organizerId)
  );
}

/** Returns the row when the caller may see it, else throws 404 naming `what`. */
export function visibleOr404<T extends { organizerId: string }>(
  auth: AuthContext,
  row: T | undefined,
  what: string,
): T {
  if (!row || !canSee(auth, row.organizerId)) throw notFound(what);
  return row;
}

/** The organizer a list is restricted to: null means all (admins). */
export function listScope(auth: AuthContext): string | null {
  if (auth.role === "admin") return null;
  // An organizer account without an organizer sees nothing, never everything.
  return auth.organizerId ?? "\u0000none";
}

/**
 * The organizer that owns a new row. Organizers always create for their own organizer; admins
 * act for someone, so they must say whom.
 */
export function ownerForCreate(auth: AuthContext, requested: string | undefined): string {
  if (auth.role === "admin") {
    if (!requested)
      throw new AppError("validation_failed", "Admins must give organizerId", {
        extra: { errors: [{ path: "organizerId", message: "required for admins" }] },
      });
    return requested;
  }
  if (!auth.organizerId) throw new AppError("forbidden", "This account is not attached to an organizer");
  if (requested && requested !== auth.organizerId) throw notFound("Organizer");
  return auth.organizerId;
}
