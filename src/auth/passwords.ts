import { randomBytes, scrypt, timingSafeEqual } from "node:crypto";

// workerd caps WebCrypto PBKDF2 at 100k iterations, so passwords use scrypt from node:crypto.
const N = 16384;
const R = 8;
const P = 5;
const KEY_BYTES = 32;
const SALT_BYTES = 16;
// 128 * N * r bytes are needed; leave headroom above Node's 32 MiB default.
const MAXMEM = 64 * 1024 * 1024;

function derive(password: string, salt: Buffer, n: number, r: number, p: number, keyLen: number): Promise<Buffer> {
  return new Promise((resolve, reject) => {
    scrypt(password.normalize("NFKC"), salt, keyLen, { N: n, r, p, maxmem: MAXMEM }, (err, key) =>
      err ? reject(err) : resolve(key),
    );
  });
}

/** Hashes a password as `scrypt$N$r$p$saltB64$hashB64` with a fresh random salt. */
export async function hashPassword(password: string): Promise<string> {
  const salt = randomBytes(SALT_BYTES);
  const key = await derive(password, salt, N, R, P, KEY_BYTES);
  return `scrypt$${N}$${R}$${P}$${salt.toString("base64")}$${key.toString("base64")}`;
}

/**
 * Checks a password against a stored hash in constant time. The parameters come from the stored
 * string so hashes made with older settings keep working; anything malformed is simply "no".
 */
export async function verifyPassword(password: string, stored: string): Promise<boolean> {
  const parts = stored.split("$");
  if (parts.length !== 6 || parts[0] !== "scrypt") return false;
  const [n, r, p] = [Number(parts[1]), Number(parts[2]), Number(parts[3])];
  if (![n, r, p].every((x) => Number.isInteger(x) && x > 0)) return false;
  const salt = Buffer.from(parts[4]!, "base64");
  const expected = Buffer.from(parts[5]!, "base64");
  if (expected.length === 0) return false;
  const actual = await derive(password, salt, n, r, p, expected.length);
  return timingSafeEqual(actual, expected);
}

// A real hash of a random string, so a login for an unknown email costs the same as a wrong password.
let dummyHash: Promise<string> | undefined;

/** Burns one scrypt verification so missing users are not distinguishable by timing. */
export async function dummyVerify(password: string): Promise<void> {
  dummyHash ??= hashPassword(crypto.randomUUID());
  await verifyPassword(password, await dummyHash);
}
