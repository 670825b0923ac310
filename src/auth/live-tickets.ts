import { createHmac } from "node:crypto";
import { sign, verify } from "hono/jwt";
import { z } from "zod";
import type { AppEnv } from "../env";
import { AppError } from "../errors";
import { jwtSecret } from "./config";

/** How long a socket ticket may wait before it is used: enough to open a socket, too short to leak usefully. */
export const LIVE_TICKET_SECONDS = 60;

/** Tickets are HS256 JWTs for their own audience, so neither an access token nor a ticket passes for the other. */
const audience = (env: AppEnv["Bindings"]) => `${env.JWT_AUDIENCE}:live`;

const TicketClaims = z.object({
  sub: z.string().min(1),
  ev: z.string().min(1),
  jti: z.string().min(1),
  exp: z.number(),
});

export type LiveTicket = { ticket: string; id: string; expiresAt: number };

/**
 * Signs a single-use ticket that opens the event's live socket as `userId`. The socket URL carries
 * the ticket, never the access token: a URL lands in logs and histories, and a ticket found there
 * is already spent or expired.
 */
export async function signLiveTicket(
  userId: string,
  eventId: string,
  env: AppEnv["Bindings"],
  now = Date.now(),
): Promise<LiveTicket> {
  const iat = Math.floor(now / 1000);
  const exp = iat + LIVE_TICKET_SECONDS;
  const id = crypto.randomUUID();
  const ticket = await sign(
    { sub: userId, ev: eventId, jti: id, iss: env.JWT_ISSUER, aud: audience(env), iat, nbf: iat, exp },
    jwtSecret(env),
    "HS256",
  );
  return { ticket, id, expiresAt: exp * 1000 };
}

/**
 * Checks a ticket's signature, expiry and event (401 otherwise). Single use is the event object's
 * part: it remembers the ticket ids it has redeemed until they expire.
 */
export async function verifyLiveTicket(
  ticket: string,
  eventId: string,
  env: AppEnv["Bindings"],
): Promise<{ userId: string; id: string; expiresAt: number }> {
  let payload: unknown;
  try {
    payload = await verify(ticket, jwtSecret(env), { alg: "HS256", iss: env.JWT_ISSUER, aud: audience(env) });
  } catch (err) {
    if (err instanceof AppError) throw err;
    throw new AppError("unauthenticated", "The live ticket is invalid or expired; ask for a new one", { cause: err });
  }
  const claims = TicketClaims.safeParse(payload);
  if (!claims.success || claims.data.ev !== eventId)
    throw new AppError("unauthenticated", "The live ticket is not for this event");
  return { userId: claims.data.sub, id: claims.data.jti, expiresAt: claims.data.exp * 1000 };
}

/**
 * The opaque tag a fan has on one event's live socket: an HMAC of the user and the event (`scope`),
 * truncated to 96 bits. Sockets of the same fan share it, so every tab tells its own changes from
 * others'; it reveals no user id and differs per event, so it cannot follow a fan across events.
 * Synchronous (node:crypto), because the object tags deltas while it flushes them.
 */
export function liveTag(secret: string, scope: string, userId: string): string {
  return createHmac("sha256", secret).update(`live-tag\u0000${scope}\u0000${userId}`).digest("base64url").slice(0, 16);
}
