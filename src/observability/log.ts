/**
 * The one way the Worker writes a log line: a single JSON object per call, redacted before it is
 * printed. Workers Logs (and Logpush to ELK) index these fields, so keep names stable.
 *
 * Redaction is by key and by value, so a secret is dropped even when it arrives inside an error
 * message or a queue body: keys that name credentials, card data or contact details are replaced,
 * and strings are scrubbed of bearer tokens, JWTs, card-like digit runs and email addresses.
 */
import { env } from "cloudflare:workers";

export type LogLevel = "debug" | "info" | "warn" | "error";
export type LogFields = Record<string, unknown>;

const REDACTED = "[redacted]";
/** Keys whose values never reach a log line (matched on the key, case-insensitive). */
const SECRET_KEY = new RegExp(
  "pass(word)?|secret|token|authorization|cookie|api[-_]?key|signature|card|cvc|cvv|" +
    "pan$|^email$|^phone$|recipient|^to$|^from$",
  "i",
);

const BEARER = /\b(Bearer|Basic)\s+[A-Za-z0-9._~+/=-]+/gi;
const JWT = /\beyJ[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]{5,}\.[A-Za-z0-9_-]*/g;
const STRIPE_KEY = /\b(sk|rk|whsec|pk)_(live|test)?_?[A-Za-z0-9]{8,}/g;
/** 13–19 digits, optionally grouped by spaces or dashes: the shape of a card number. */
const CARD = /\b\d(?:[ -]?\d){12,18}\b/g;
const EMAIL = /[A-Za-z0-9._%+-]+@[A-Za-z0-9.-]+\.[A-Za-z]{2,}/g;

/** Scrubs one string of tokens, keys, card numbers and email addresses. */
export function scrub(s: string): string {
  return s
    .replace(BEARER, "$1 [redacted]")
    .replace(JWT, "[jwt]")
    .replace(STRIPE_KEY, "[key]")
    .replace(CARD, "[card]")
    .replace(EMAIL, "[email]");
}

/** A deep copy of `value` safe to log: secret keys replaced, strings scrubbed, errors flattened. */
export function redact(value: unknown, depth = 0): unknown {
  if (typeof value === "string") return scrub(value);
  if (value === null || typeof value !== "object") return value;
  if (depth > 6) return "[depth]";
  if (value instanceof Error)
    return { name: value.name, message: scrub(value.message), stack: value.stack ? scrub(value.stack) : undefined };
  if (Array.isArray(value)) return value.slice(0, 50).map((v) => redact(v, depth + 1));
  const out: Record<string, unknown> = {};
  for (const [k, v] of Object.entries(value))
    out[k] = SECRET_KEY.test(k) && v != null && v !== "" ? REDACTED : redact(v, depth + 1);
  return out;
}

const RANK: Record<LogLevel, number> = { debug: 0, info: 1, warn: 2, error: 3 };

/** Whether a line of `level` is written: `LOG_LEVEL` (default info) is the lowest that is. */
export function logs(level: LogLevel): boolean {
  const floor = RANK[(env as { LOG_LEVEL?: string }).LOG_LEVEL as LogLevel] ?? RANK.info;
  return RANK[level] >= floor;
}

/** Writes one redacted JSON line: `{ts, level, msg, ...fields}`. Never throws. */
export function log(level: LogLevel, msg: string, fields: LogFields = {}): void {
  if (!logs(level)) return;
  let line: string;
  try {
    line = JSON.stringify({ ts: new Date().toISOString(), level, msg, ...(redact(fields) as LogFields) });
  } catch {
    line = JSON.stringify({ ts: new Date().toISOString(), level, msg, note: "fields not serializable" });
  }
  if (level === "error") console.error(line);
  else if (level === "warn") console.warn(line);
  else console.log(line);
}

/** A short, stable pseudonym for a user id (SHA-256, first 16 hex digits): joins log lines without naming the fan. */
export async function hashUserId(userId: string): Promise<string> {
  const known = pseudonyms.get(userId);
  if (known) return known;
  const digest = await crypto.subtle.digest("SHA-256", new TextEncoder().encode(`user:${userId}`));
  const hex = [...new Uint8Array(digest, 0, 8)].map((b) => b.toString(16).padStart(2, "0")).join("");
  if (pseudonyms.size >= PSEUDONYMS_MAX) pseudonyms.delete(pseudonyms.keys().next().value!);
  pseudonyms.set(userId, hex);
  return hex;
}

/** Recent users' pseudonyms: a fan's every request would otherwise hash the same id again. */
const pseudonyms = new Map<string, string>();
const PSEUDONYMS_MAX = 10_000;
