/**
 * Waiting-room admission: the signed token the hold route checks (without calling the room), and
 * the fairness shuffle of the pre-queue, re-runnable by anyone from the revealed seed.
 *
 * Tokens are HS256 JWTs with their own audience ("edge-tickets-admission"), so an access token can
 * never pass as an admission token nor the other way round, even though both use the JWT key.
 */

export const ADMISSION_AUDIENCE = "edge-tickets-admission";

export type AdmissionClaims = {
  /** The admitted user. */
  sub: string;
  /** The event the admission is for. */
  evt: string;
  /** The queue ticket that was admitted. */
  tkt: string;
  aud: typeof ADMISSION_AUDIENCE;
  iat: number;
  /** Seconds since the epoch. */
  exp: number;
};

export type AdmissionCheck =
  | { ok: true; claims: AdmissionClaims }
  | { ok: false; reason: "malformed" | "signature" | "expired" | "wrong_user" | "wrong_event" };

const enc = new TextEncoder();
const b64url = (bytes: Uint8Array) =>
  btoa(String.fromCharCode(...bytes))
    .replaceAll("+", "-")
    .replaceAll("/", "_")
    .replace(/=+$/, "");
const b64urlJson = (v: unknown) => b64url(enc.encode(JSON.stringify(v)));

function fromB64url(s: string): Uint8Array {
  const bin = atob(s.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (s.length % 4)) % 4));
  return Uint8Array.from(bin, (ch) => ch.charCodeAt(0));
}

function hmacKey(secret: string, usage: "sign" | "verify"): Promise<CryptoKey> {
  return crypto.subtle.importKey("raw", enc.encode(secret), { name: "HMAC", hash: "SHA-256" }, false, [usage]);
}

const HEADER = b64urlJson({ alg: "HS256", typ: "JWT" });

/** Signs an admission token; deterministic for the same claims, so re-reading a ticket shows the same token. */
export async function signAdmission(claims: Omit<AdmissionClaims, "aud">, secret: string): Promise<string> {
  const body = `${HEADER}.${b64urlJson({ ...claims, aud: ADMISSION_AUDIENCE })}`;
  const sig = await crypto.subtle.sign("HMAC", await hmacKey(secret, "sign"), enc.encode(body));
  return `${body}.${b64url(new Uint8Array(sig))}`;
}

/**
 * Verifies an admission token for `userId` and `eventId` at `now` (ms). The algorithm is pinned:
 * only our exact HS256 header is accepted, so `alg: none` or a public-key confusion cannot pass.
 * The signature is checked with `crypto.subtle.verify` (constant time).
 */
export async function verifyAdmission(
  token: string,
  secret: string,
  userId: string,
  eventId: string,
  now = Date.now(),
): Promise<AdmissionCheck> {
  const parts = token.split(".");
  if (parts.length !== 3 || parts[0] !== HEADER) return { ok: false, reason: "malformed" };
  let sig: Uint8Array;
  let claims: AdmissionClaims;
  try {
    sig = fromB64url(parts[2]!);
    claims = JSON.parse(new TextDecoder().decode(fromB64url(parts[1]!))) as AdmissionClaims;
  } catch {
    return { ok: false, reason: "malformed" };
  }
  const good = await crypto.subtle.verify(
    "HMAC",
    await hmacKey(secret, "verify"),
    sig,
    enc.encode(`${parts[0]}.${parts[1]}`),
  );
  if (!good) return { ok: false, reason: "signature" };
  if (
    claims.aud !== ADMISSION_AUDIENCE ||
    typeof claims.exp !== "number" ||
    typeof claims.sub !== "string" ||
    typeof claims.evt !== "string"
  )
    return { ok: false, reason: "malformed" };
  if (claims.exp * 1000 <= now) return { ok: false, reason: "expired" };
  if (claims.evt !== eventId) return { ok: false, reason: "wrong_event" };
  if (claims.sub !== userId) return { ok: false, reason: "wrong_user" };
  return { ok: true, claims };
}

// ------------------------------------------------------------------ fairness

export const FAIRNESS_ALGORITHM =
  "order = pre-queue ticket ids sorted ascending by " +
  "hex(HMAC-SHA256(key = hex-decoded seed, message = UTF-8 ticket id)), ties by ticket id; " +
  "commitment = hex(SHA-256(hex-decoded seed))";

const hex = (buf: ArrayBuffer | Uint8Array) =>
  [...new Uint8Array(buf)].map((b) => b.toString(16).padStart(2, "0")).join("");
const unhex = (s: string) => Uint8Array.from(s.match(/../g) ?? [], (h) => parseInt(h, 16));

/** A fresh secret seed (32 random bytes, hex). */
export function newSeed(): string {
  return hex(crypto.getRandomValues(new Uint8Array(32)));
}

/** What is published before the sale: SHA-256 of the seed's bytes, hex. */
export async function commitmentOf(seed: string): Promise<string> {
  return hex(await crypto.subtle.digest("SHA-256", unhex(seed)));
}

/**
 * The pre-queue's admission order: each ticket id's HMAC-SHA256 under the seed, ascending. The
 * input order does not matter (a sort), so a verifier needs only the seed and the set of ids.
 */
export async function fairOrder(seed: string, ticketIds: string[]): Promise<string[]> {
  const key = await crypto.subtle.importKey("raw", unhex(seed), { name: "HMAC", hash: "SHA-256" }, false, ["sign"]);
  const keyed = await Promise.all(
    ticketIds.map(async (id) => ({ id, k: hex(await crypto.subtle.sign("HMAC", key, enc.encode(id))) })),
  );
  keyed.sort((a, b) => (a.k < b.k ? -1 : a.k > b.k ? 1 : a.id < b.id ? -1 : a.id > b.id ? 1 : 0));
  return keyed.map((x) => x.id);
}
