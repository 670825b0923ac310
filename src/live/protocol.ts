import { z } from "zod";

/**
 * The live seat-map protocol, shared by the EventInventory object (server) and the fan site
 * (client bundle). Seat codes: a available, h held, s sold, b blocked; areas map to the places
 * left. Every state change is one `delta` carrying the new version; a client that sees a version
 * it did not expect sends `resync` with the version it has.
 *
 * Whose change it was: `hello` gives a signed-in socket its own tag for this event (`you`), and a
 * change made for one fan (a hold, a checkout, a sale) carries that fan's tag in `by`. The tag is
 * an HMAC of the user and the event, truncated: it tells "mine" from "someone else's" without
 * revealing who, and it differs per event. One serialization serves every socket.
 */
export type SeatCode = "a" | "h" | "s" | "b";
export type Change = {
  version: number;
  seats?: Record<string, SeatCode>;
  areas?: Record<string, number>;
  /** The tag of the fan this change was made for; absent for organizer actions, expiry and catch-up. */
  by?: string;
};

export type ServerMessage =
  /** First on every socket: the caller's tag for this event, or null when it is not signed in. */
  | { type: "hello"; you: string | null }
  | { type: "snapshot"; version: number; seats: Record<string, SeatCode>; areas: Record<string, number> }
  | { type: "delta"; version: number; changes: Change[] }
  | { type: "sold_out"; version: number }
  | {
      type: "hold";
      holdId: string;
      status: "active" | "checking_out" | "confirmed" | "released" | "expired";
      expiresAt: number;
      serverTime: number;
    }
  | { type: "error"; code: "malformed" | "unknown_type" | "not_found" | "forbidden"; message: string };

/** What a client may send. Text "ping" is answered "pong" by the runtime without waking the object. */
export const ClientMessageSchema = z.discriminatedUnion("type", [
  /** "I have `version`": answered with the deltas after it, or a fresh snapshot when the log no longer reaches. */
  z.object({ type: z.literal("resync"), version: z.number().int().min(0) }),
  /** Follow one of your own holds (its countdown, checkout extension, expiry). Needs a socket opened with a ticket. */
  z.object({ type: z.literal("watch_hold"), holdId: z.string().min(1).max(300) }),
]);
export type ClientMessage = z.infer<typeof ClientMessageSchema>;

export const PING = "ping";
export const PONG = "pong";
