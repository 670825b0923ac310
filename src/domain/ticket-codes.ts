import { z } from "zod";

/**
 * Ticket codes: `T1.<base64url(JSON claims)>.<base64url(Ed25519 signature)>`.
 *
 * Each event has its own Ed25519 key pair. The server signs with the private key; a gate scanner
 * holds only the event's public key and verifies codes offline, so entry keeps working when the
 * venue's network does not. The code says nothing about whether the ticket was refunded or already
 * scanned: that is the gate's (or the server's) job, keyed by `tid`.
 */

/**
 * ticket id, event id, seat id or GA place label, issued-at in seconds, and the id of the event
 * key that signed it (absent on codes from before key rotation: those are key "k1"). Short keys
 * keep the QR small.
 */
export type TicketClaims = { tid: string; eid: string; seat: string; iat: number; kid?: string };

/** The key id codes without `kid` were signed with. */
export const FIRST_KID = "k1";

/** publicKey: base64url of the raw 32-byte key; privateKey: base64url of PKCS#8. */
export type EventKeyPair = { publicKey: string; privateKey: string };

const VERSION = "T1";
const ALGORITHM = "Ed25519";
const SIGNATURE_BYTES = 64;
const PUBLIC_KEY_BYTES = 32;

const claimsShape = {
  tid: z.string().min(1).max(128),
  eid: z.string().min(1).max(128),
  seat: z.string().min(1).max(128),
  iat: z.number().int().nonnegative(),
  kid: z
    .string()
    .regex(/^k[0-9]{1,6}$/)
    .optional(),
};
// Signing strips extra fields (callers may pass a whole row); a code carrying unknown fields is
// not one we issued under T1, so parsing rejects it. New fields mean a new version prefix.
const claimsToSign = z.object(claimsShape);
const claimsInCode = z.strictObject(claimsShape);

/** A fresh key pair for one event. Both halves are strings so they can sit in D1 or a secret. */
export async function generateEventKeyPair(): Promise<EventKeyPair> {
  const pair = (await crypto.subtle.generateKey(ALGORITHM, true, ["sign", "verify"])) as CryptoKeyPair;
  const raw = (await crypto.subtle.exportKey("raw", pair.publicKey)) as ArrayBuffer;
  const pkcs8 = (await crypto.subtle.exportKey("pkcs8", pair.privateKey)) as ArrayBuffer;
  return { publicKey: toBase64Url(new Uint8Array(raw)), privateKey: toBase64Url(new Uint8Array(pkcs8)) };
}

/**
 * Imported keys by their encoded form: importing costs more than signing, and an event signs
 * every ticket of a sale with one key. A bounded cache of non-extractable keys, per isolate.
 */
const keys = new Map<string, Promise<CryptoKey>>();
const KEYS_MAX = 256;

function importedKey(encoded: string, use: "sign" | "verify"): Promise<CryptoKey> {
  const id = `${use}:${encoded}`;
  let key = keys.get(id);
  if (!key) {
    const bytes = fromBase64Url(encoded);
    if (!bytes) return Promise.reject(new Error(`ticket ${use} key is not base64url`));
    key = crypto.subtle.importKey(use === "sign" ? "pkcs8" : "raw", bytes, ALGORITHM, false, [use]);
    // A key that fails to import is not kept, so a fixed key works on the next call.
    key.catch(() => keys.delete(id));
    if (keys.size >= KEYS_MAX) keys.delete(keys.keys().next().value!);
    keys.set(id, key);
  }
  return key;
}

/** Signs `claims` into a ticket code. Throws if the claims or the key are invalid (a server bug). */
export async function signTicketCode(privateKey: string, claims: TicketClaims): Promise<string> {
  const c = claimsToSign.parse(claims);
  // Fixed key order and no extra fields, so the same ticket always yields the same payload.
  const json = JSON.stringify(
    c.kid
      ? { tid: c.tid, eid: c.eid, seat: c.seat, iat: c.iat, kid: c.kid }
      : { tid: c.tid, eid: c.eid, seat: c.seat, iat: c.iat },
  );
  const signed = `${VERSION}.${toBase64Url(new TextEncoder().encode(json))}`;
  const key = await importedKey(privateKey, "sign");
  // The version prefix is inside the signed bytes so a signature can never be replayed under
  // another format: a future "T2" with different claim semantics cannot reuse a T1 signature
  // by swapping the prefix, nor the reverse.
  const signature = await crypto.subtle.sign(ALGORITHM, key, new TextEncoder().encode(signed));
  return `${signed}.${toBase64Url(new Uint8Array(signature))}`;
}

/**
 * The claims of `code` if it was signed by the private half of `publicKey`, else null: tampered,
 * signed by another key, malformed, or a bad public key. Never throws, so a gate can feed it
 * whatever the camera read.
 */
export async function verifyTicketCode(publicKey: string, code: string): Promise<TicketClaims | null> {
  try {
    const parts = splitCode(code);
    if (!parts) return null;
    const signature = fromBase64Url(parts.signature);
    const raw = fromBase64Url(publicKey);
    if (signature?.length !== SIGNATURE_BYTES || raw?.length !== PUBLIC_KEY_BYTES) return null;
    const key = await importedKey(publicKey, "verify");
    const ok = await crypto.subtle.verify(ALGORITHM, key, signature, new TextEncoder().encode(parts.signed));
    return ok ? parts.claims : null;
  } catch {
    return null;
  }
}

/**
 * The claims `code` carries, WITHOUT checking the signature: only for finding which event (and so
 * which public key) to verify against. Null if the code is malformed. Never trust the result alone.
 */
export function ticketCodeClaims(code: string): TicketClaims | null {
  return splitCode(code)?.claims ?? null;
}

/** Splits and parses a code; null unless it has the T1 shape and valid claims. */
function splitCode(code: string): { signed: string; signature: string; claims: TicketClaims } | null {
  if (typeof code !== "string") return null;
  const parts = code.split(".");
  if (parts.length !== 3 || parts[0] !== VERSION) return null;
  const [, payload, signature] = parts as [string, string, string];
  const bytes = fromBase64Url(payload);
  if (!bytes || signature.length === 0) return null;
  let json: unknown;
  try {
    json = JSON.parse(new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes));
  } catch {
    return null;
  }
  const parsed = claimsInCode.safeParse(json);
  return parsed.success ? { signed: `${VERSION}.${payload}`, signature, claims: parsed.data } : null;
}

function toBase64Url(bytes: Uint8Array): string {
  let binary = "";
  for (const b of bytes) binary += String.fromCharCode(b);
  return btoa(binary).replaceAll("+", "-").replaceAll("/", "_").replace(/=+$/, "");
}

/**
 * Strict base64url decoding: null on any character outside the alphabet or a non-canonical
 * encoding. Canonical-only means one signature has exactly one spelling, so two different code
 * strings never verify as the same ticket (gates should still de-duplicate by `tid`).
 */
function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]*$/.test(text) || text.length % 4 === 1) return null;
  const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
  const bytes = Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  return toBase64Url(bytes) === text ? bytes : null;
}
