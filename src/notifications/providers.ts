import type { NotificationChannel } from "../db/schema/constants";
import type { Secrets } from "../env";
import { outboxProvider } from "./outbox";
import { sesProvider } from "./ses";
import { twilioProvider } from "./twilio";
import { log } from "../observability/log";

/** What a provider is handed: a recorded notification row's content. */
export type Outgoing = { id: string; recipient: string; subject: string; text: string; html: string | null };

/**
 * A provider's answer. `retryable` failures (5xx, 429, network errors, timeouts) go back to the
 * queue with backoff; any other failure is permanent (a bad address will not get better).
 */
export type SendResult = { ok: true; messageId: string } | { ok: false; retryable: boolean; error: string };

export type Provider = { name: string; send(message: Outgoing): Promise<SendResult> };

export type NotifyEnv = Env & Secrets;

/** Outbound provider calls give up after this long; the queue retries. */
export const PROVIDER_TIMEOUT_MS = 15_000;

/** Maps an HTTP failure status to a result: 429 and 5xx may pass, other 4xx will not. */
export function httpFailure(status: number, detail: string): SendResult {
  return { ok: false, retryable: status === 429 || status >= 500, error: `HTTP ${status}: ${detail.slice(0, 500)}` };
}

/** A thrown fetch (DNS, reset, timeout) is always worth retrying. */
export function networkFailure(err: unknown): SendResult {
  return {
    ok: false,
    retryable: true,
    error: `network: ${err instanceof Error ? `${err.name}: ${err.message}` : String(err)}`,
  };
}

/**
 * Stands in for a provider that is chosen but not configured: every send fails permanently with
 * a configuration error, so the row is marked failed and visible, never silently dropped.
 */
function misconfigured(name: string, missing: string[]): Provider {
  const verb = missing.length > 1 ? "are" : "is";
  const error = `configuration error: ${name} is selected but ${missing.join(", ")} ${verb} not set`;
  return {
    name,
    async send() {
      log("error", "notification provider misconfigured", { provider: name, missing });
      return { ok: false, retryable: false, error };
    },
  };
}

const missingOf = (env: NotifyEnv, keys: (keyof NotifyEnv)[]) => keys.filter((k) => !env[k]) as string[];

/** The provider for a channel, from EMAIL_PROVIDER / SMS_PROVIDER (default and fallback: outbox). */
export function providerFor(env: NotifyEnv, channel: NotificationChannel): Provider {
  if (channel === "email") {
    if (env.EMAIL_PROVIDER !== "ses") return outboxProvider();
    const missing = missingOf(env, ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY", "SES_REGION", "EMAIL_FROM"]);
    return missing.length ? misconfigured("ses", missing) : sesProvider(env);
  }
  if (env.SMS_PROVIDER !== "twilio") return outboxProvider();
  const missing = missingOf(env, ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN", "TWILIO_FROM"]);
  return missing.length ? misconfigured("twilio", missing) : twilioProvider(env);
}

/** The provider name a new row is recorded with. */
export function providerName(env: NotifyEnv, channel: NotificationChannel): string {
  return channel === "email"
    ? env.EMAIL_PROVIDER === "ses"
      ? "ses"
      : "outbox"
    : env.SMS_PROVIDER === "twilio"
      ? "twilio"
      : "outbox";
}

/** In production, the outbox stores messages without delivering them: worth a warning. */
export function outboxInProduction(env: NotifyEnv): boolean {
  return (
    env.ENVIRONMENT === "production" &&
    (providerName(env, "email") === "outbox" || providerName(env, "sms") === "outbox")
  );
}
