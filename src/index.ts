import { createApp } from "./app";
import { runScheduled } from "./cron";
import { consumeAudit, consumeAuditDeadLetters } from "./queues/audit-consumer";
import { consumePaymentDeadLetters } from "./queues/dead-letters";
import { consumeNotificationDeadLetters, consumeNotifications } from "./queues/notifications-consumer";
import { consumePayments } from "./queues/payments-consumer";

export { EventInventory } from "./objects/event-inventory";

const app = createApp();

const consumers: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  payments: consumePayments,
  notifications: consumeNotifications,
  audit: consumeAudit,
  "payments-dlq": consumePaymentDeadLetters,
  "notifications-dlq": consumeNotificationDeadLetters,
  "audit-dlq": consumeAuditDeadLetters,
};

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const consume = consumers[batch.queue];
    if (!consume) throw new Error(`no consumer for queue "${batch.queue}"`); // the whole batch is retried
    await consume(batch, env);
  },
  async scheduled(_controller, env, ctx) {
    ctx.waitUntil(runScheduled(env));
  },
} satisfies ExportedHandler<Env>;
