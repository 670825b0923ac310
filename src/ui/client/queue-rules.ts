/**
 * The queue page's rules that need no DOM (so the Worker-side tests run them as they are): when a
 * place is worth saying aloud, and the browser's own check of the published shuffle.
 */
import type { QueueFairness } from "./types";

/** Places at which a move is worth interrupting for, whatever the time since the last one. */
const MARKS = [100, 50, 10, 5, 1];
const QUIET_MS = 30_000;

/**
 * Whether a screen reader should hear a new place: the first one, one that crosses a mark, or
 * any change after 30 s of quiet. A queue moving every second would otherwise talk over the fan
 * the whole time. Pure, for tests.
 */
export function worthSaying(last: number | null, next: number, lastAt: number, now: number): boolean {
  if (last === next) return false;
  if (last === null) return true;
  if (MARKS.some((m) => last > m && next <= m)) return true;
  return now - lastAt >= QUIET_MS;
}

const hex = (buf: ArrayBuffer) => [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (x) => parseInt(x, 16));

/**
 * Re-runs the published shuffle here, written from the algorithm text rather than shared with the
 * server, so a fan's browser checks the server's claim instead of repeating its code: the seed
 * hashes to the commitment, and sorting the ids by HMAC-SHA256(seed, id) gives the order.
 */
export async function verifyShuffle(f: QueueFairness): Promise<{ commitment: boolean; order: boolean }> {
  if (!f.seed || !f.order) return { commitment: false, order: false };
  const seed = unhex(f.seed);
  const commitment = hex(await crypto.subtle.digest("SHA-256", seed)) === f.commitment;
  const key = await crypto.subtle.importKey("raw", seed, { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const enc = new TextEncoder();
  const keyed = await Promise.all(
    f.order.map(async (id) => ({ id, k: hex(await crypto.subtle.sign("HMAC", key, enc.encode(id))) })),
  );
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return { commitment, order: keyed.every((x, i) => x.id === f.order![i]) };
}
