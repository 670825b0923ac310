import type { Context } from "hono";
import type { AppEnv } from "../env";
import { isDevelopment } from "../lib/environment";
import { newId, sha256Hex } from "../lib/ids";
import type { AuditMessage } from "../queues/audit-messages";
import { log } from "../observability/log";

/**
 * Salt for IP hashes in development when AUDIT_IP_SALT is unset. Public on purpose: it only keeps
 * local runs and tests working. Any other environment without the secret records no IP hash at
 * all (a public salt would make the hashes reversible by trying every address).
 */
export const DEV_IP_SALT = "edge-tickets-dev-ip-salt";

/** What the caller of `audit` says; the request supplies the rest. */
export type AuditInput = {
  action: string;
  entityType?: string;
  entityId?: string;
  organizerId?: string | null;
  eventId?: string | null;
  orderId?: string | null;
  data?: Record<string, unknown>;
  /** Overrides the authenticated caller (sign-up: the new account; failed login: null). */
  actorId?: string | null;
};

/** Facts about the request an entry is stamped with. */
export type RequestFacts = { actorId: string | null; ipHash: string | null; requestId: string | null };

/**
 * The hashes this isolate made lately, for one salt: a fan's hold, checkout and payment come from
 * one address within seconds, and each hash is a WebCrypto call (about 1% of the thread on the
 * hold path under load). Emptied when full, so it stays small whatever the traffic.
 */
const IP_HASHES_KEPT = 4096;
let ipHashes: { salt: string; byIp: Map<string, string> } | undefined;

/** Salted SHA-256 of an IP, hex; null without an IP, or outside development without a salt. */
export async function hashIp(
  env: Pick<AppEnv["Bindings"], "AUDIT_IP_SALT" | "ENVIRONMENT">,
  ip: string | null | undefined,
): Promise<string | null> {
  if (!ip) return null;
  const salt = env.AUDIT_IP_SALT || (isDevelopment(env) ? DEV_IP_SALT : null);
  if (!salt) return null;
  if (ipHashes?.salt !== salt) ipHashes = { salt, byIp: new Map() };
  const byIp = ipHashes.byIp;
  const kept = byIp.get(ip);
  if (kept) return kept;
  const hash = await sha256Hex(salt + ip);
  if (byIp.size >= IP_HASHES_KEPT) byIp.clear();
  byIp.set(ip, hash);
  return hash;
}

/** The salted hash of the caller's `CF-Connecting-IP`, for entries written elsewhere (holds). */
export function requestIpHash(c: Context<AppEnv>): Promise<string | null> {
  return hashIp(c.env, c.req.header("CF-Connecting-IP")?.trim());
}

/** Builds the queue message for an entry: exported so tests can feed the consumer exactly this. */
export function buildAuditMessage(input: AuditInput, facts: RequestFacts, now = Date.now()): AuditMessage {
  const { actorId, ...rest } = input;
  const msg: AuditMessage = {
    id: newId("aud", now),
    at: now,
    ...rest,
    actorId: actorId === undefined ? facts.actorId : actorId,
  };
  if (facts.ipHash) msg.ipHash = facts.ipHash;
  if (facts.requestId) msg.requestId = facts.requestId;
  return msg;
}

/** The request facts of `c`. */
export async function requestFacts(c: Context<AppEnv>): Promise<RequestFacts> {
  return {
    actorId: c.get("auth")?.userId ?? null,
    ipHash: await requestIpHash(c),
    requestId: c.get("requestId") ?? null,
  };
}

/**
 * Audits a state change of this request. The message is built and sent in `waitUntil`, so the
 * response is not delayed; a failed send is logged at error level with the full entry, so even
 * then it is not lost silently.
 */
export function audit(c: Context<AppEnv>, input: AuditInput): void {
  const send = async () => {
    let msg: AuditMessage | undefined;
    try {
      msg = buildAuditMessage(input, await requestFacts(c));
      await c.env.AUDIT.send(msg, { contentType: "json" });
    } catch (err) {
      log("error", "audit send failed", { entry: msg ?? input, error: String(err) });
    }
  };
  const p = send();
  try {
    c.executionCtx.waitUntil(p);
  } catch {
    // No execution context (e.g. a unit test calling the handler directly): the promise still runs.
  }
}
