import type { Provider } from "./providers";

/**
 * The local provider: the notification row in D1 is the delivery. It is marked sent with
 * provider id `outbox-<id>` and shown on /mailbox and GET /v1/admin/notifications.
 */
export function outboxProvider(): Provider {
  return { name: "outbox", send: async (m) => ({ ok: true, messageId: `outbox-${m.id}` }) };
}
