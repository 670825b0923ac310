import { httpFailure, networkFailure, PROVIDER_TIMEOUT_MS, type NotifyEnv, type Provider } from "./providers";

/** Twilio's Messages endpoint for an account. */
export const twilioEndpoint = (sid: string) =>
  `https://api.twilio.com/2010-04-01/Accounts/${encodeURIComponent(sid)}/Messages.json`;

/** SMS through Twilio's REST API: a form post with Basic auth (account SID : auth token). */
export function twilioProvider(env: NotifyEnv): Provider {
  const sid = env.TWILIO_ACCOUNT_SID!;
  const auth = `Basic ${btoa(`${sid}:${env.TWILIO_AUTH_TOKEN!}`)}`;
  return {
    name: "twilio",
    async send(m) {
      let res: Response;
      try {
        res = await fetch(twilioEndpoint(sid), {
          method: "POST",
          headers: { Authorization: auth, "Content-Type": "application/x-www-form-urlencoded" },
          body: new URLSearchParams({ To: m.recipient, From: env.TWILIO_FROM, Body: m.text }).toString(),
          signal: AbortSignal.timeout(PROVIDER_TIMEOUT_MS),
        });
      } catch (err) {
        return networkFailure(err);
      }
      const text = await res.text();
      if (!res.ok) return httpFailure(res.status, text);
      let messageSid: string | undefined;
      try {
        messageSid = (JSON.parse(text) as { sid?: string }).sid;
      } catch {
        messageSid = undefined;
      }
      return messageSid
        ? { ok: true, messageId: messageSid }
        : { ok: false, retryable: false, error: `Twilio answered ${res.status} without a sid` };
    },
  };
}
