import { createApp } from "./app";
import { runScheduled } from "./cron";
import { consumeAudit, consumeAuditDeadLetters } from "./queues/audit-consumer";
import { consumePaymentDeadLetters } from "./queues/dead-letters";
import { consumeLedger, consumeLedgerDeadLetters } from "./queues/ledger-consumer";
import { consumeNotificationDeadLetters, consumeNotifications } from "./queues/notifications-consumer";
import { consumePayments } from "./queues/payments-consumer";
import { consumeHealthProbes } from "./observability/deep-health";
import { log } from "./observability/log";
import { Meter } from "./observability/meter";
import { meteredEnv } from "./observability/metered-env";

export { EventInventory } from "./objects/event-inventory";
export { WaitingRoom } from "./objects/waiting-room";
export { SimulatedGateway } from "./payments/simulated-gateway";

const app = createApp();

const consumers: Record<string, (batch: MessageBatch<unknown>, env: Env) => Promise<void>> = {
  payments: consumePayments,
  notifications: consumeNotifications,
  audit: consumeAudit,
  ledger: consumeLedger,
  "payments-dlq": consumePaymentDeadLetters,
  "notifications-dlq": consumeNotificationDeadLetters,
  "audit-dlq": consumeAuditDeadLetters,
  "ledger-dlq": consumeLedgerDeadLetters,
  "health-probe": consumeHealthProbes,
};

/** Queue names carry the environment as a suffix outside production (`payments-staging`). */
const baseQueueName = (queue: string, environment: string) =>
  environment && queue.endsWith(`-${environment}`) ? queue.slice(0, -environment.length - 1) : queue;

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    const consume = consumers[baseQueueName(batch.queue, env.ENVIRONMENT)];
    if (!consume) throw new Error(`no consumer for queue "${batch.queue}"`); // the whole batch is retried
    const started = Date.now();
    // Counted per batch, like requests: the line says what the batch cost in D1 and object calls.
    const meter = new Meter(`queue ${baseQueueName(batch.queue, env.ENVIRONMENT)}`);
    try {
      await consume(batch, meteredEnv(env, meter));
      log("info", "queue batch", {
        queue: batch.queue,
        messages: batch.messages.length,
        durationMs: Date.now() - started,
        ...meter.fields(),
      });
    } catch (err) {
      log("error", "queue batch failed", {
        queue: batch.queue,
        messages: batch.messages.length,
        durationMs: Date.now() - started,
        ...meter.fields(),
        error: err,
      });
      throw err;
    }
  },
  async scheduled(_controller, env, ctx) {
    const started = Date.now();
    const meter = new Meter("cron");
    const run = runScheduled(meteredEnv(env, meter)).then(() =>
      log("info", "scheduled run", { durationMs: Date.now() - started, ...meter.fields() }),
    );
    ctx.waitUntil(run);
  },
} satisfies ExportedHandler<Env>;
