/**
 * Ticket codes checked in the browser, so a gate admits without the network. The format is the
 * server's (src/domain/ticket-codes.ts): `T1.<base64url JSON claims>.<base64url Ed25519 signature
 * over "T1.<claims>">`. Kept apart from that module because it pulls zod, too heavy for the bundle.
 */
export type CodeClaims = { tid: string; eid: string; seat: string; iat: number; kid?: string };
export type PackKey = { kid: string; publicKey: string };

/** Codes signed before key rotation carry no `kid`: they are the first key's. */
const FIRST_KID = "k1";

function fromBase64Url(text: string): Uint8Array | null {
  if (!/^[A-Za-z0-9_-]+$/.test(text) || text.length % 4 === 1) return null;
  try {
    const binary = atob(text.replaceAll("-", "+").replaceAll("_", "/") + "=".repeat((4 - (text.length % 4)) % 4));
    return Uint8Array.from(binary, (ch) => ch.charCodeAt(0));
  } catch {
    return null;
  }
}

/** The claims a code carries, unverified: only to pick the event and key. Null if not a T1 code. */
export function readClaims(code: string): CodeClaims | null {
  const parts = code.split(".");
  if (parts.length !== 3 || parts[0] !== "T1") return null;
  const bytes = fromBase64Url(parts[1]!);
  if (!bytes) return null;
  try {
    const c = JSON.parse(
      new TextDecoder("utf-8", { fatal: true, ignoreBOM: true }).decode(bytes),
    ) as Partial<CodeClaims>;
    if (typeof c.tid !== "string" || typeof c.eid !== "string" || typeof c.seat !== "string") return null;
    if (typeof c.iat !== "number" || (c.kid !== undefined && typeof c.kid !== "string")) return null;
    return c as CodeClaims;
  } catch {
    return null;
  }
}

const imported = new Map<string, Promise<CryptoKey>>();
function verifyKey(publicKey: string): Promise<CryptoKey> {
  let key = imported.get(publicKey);
  if (!key) {
    const raw = fromBase64Url(publicKey);
    key = raw
      ? crypto.subtle.importKey("raw", raw as BufferSource, "Ed25519", false, ["verify"])
      : Promise.reject(new Error("bad public key"));
    key.catch(() => imported.delete(publicKey));
    imported.set(publicKey, key);
  }
  return key;
}

/**
 * True when the key the code names (one of `keys`) signed `code`, false when not; null when this
 * browser has no Ed25519 in WebCrypto (Chrome before 113, Safari before 17) and cannot tell.
 */
export async function signatureValid(code: string, claims: CodeClaims, keys: PackKey[]): Promise<boolean | null> {
  const key = keys.find((k) => k.kid === (claims.kid ?? FIRST_KID));
  const [version, payload, sig] = code.split(".");
  const signature = sig ? fromBase64Url(sig) : null;
  if (!key || signature?.length !== 64) return false;
  let imported: CryptoKey;
  try {
    imported = await verifyKey(key.publicKey);
  } catch (err) {
    return err instanceof DOMException && err.name === "NotSupportedError" ? null : false;
  }
  try {
    const data = new TextEncoder().encode(`${version}.${payload}`);
    return await crypto.subtle.verify("Ed25519", imported, signature as BufferSource, data);
  } catch {
    return false;
  }
}
