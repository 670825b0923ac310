import { AwsClient } from "aws4fetch";
import { httpFailure, networkFailure, PROVIDER_TIMEOUT_MS, type NotifyEnv, type Provider } from "./providers";

/** The SES v2 SendEmail endpoint of a region. */
export const sesEndpoint = (region: string) => `https://email.${region}.amazonaws.com/v2/email/outbound-emails`;

/**
 * Amazon SES v2 over HTTPS, SigV4-signed by aws4fetch. Its own retries are off (`retries: 0`):
 * the queue owns retrying, with backoff and a dead-letter queue, so a 5xx is not retried twice.
 */
export function sesProvider(env: NotifyEnv): Provider {
  const region = env.SES_REGION;
  const aws = new AwsClient({
    accessKeyId: env.AWS_ACCESS_KEY_ID!,
    secretAccessKey: env.AWS_SECRET_ACCESS_KEY!,
    service: "ses",
    region,
    retries: 0,
  });
  return {
    name: "ses",
    async send(m) {
      const body = {
        FromEmailAddress: env.EMAIL_FROM,
        Destination: { ToAddresses: [m.recipient] },
        Content: {
          Simple: {
            Subject: { Data: m.subject, Charset: "UTF-8" },
            Body: {
              Text: { Data: m.text, Charset: "UTF-8" },
              ...(m.html ? { Html: { Data: m.html, Charset: "UTF-8" } } : {}),
            },
          },
        },
      };
      let res: Response;
      try {
        res = await aws.fetch(sesEndpoint(region), {
          method: "POST",
          headers: { "Content-Type": "application/json" },
          body: JSON.stringify(body),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
      } catch (err) {
        return networkFailure(err);
      }
      const text = await res.text();
      if (!res.ok) return httpFailure(res.status, text);
      const messageId = (safeJson(text) as { MessageId?: string } | null)?.MessageId;
      return messageId
        ? { ok: true, messageId }
        : { ok: false, retryable: false, error: `SES answered ${res.status} without a MessageId` };
    },
  };
}

function safeJson(text: string): unknown {
  try {
    return JSON.parse(text);
  } catch {
    return null;
  }
}
