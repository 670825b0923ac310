import { createApp } from "./app";
import { createDb } from "./db/client";
import { purgeExpiredIdempotencyKeys } from "./middleware/idempotency";
import { shipOutbox } from "./queues/outbox";
import { consumePayments } from "./queues/payments-consumer";

export { EventInventory } from "./objects/event-inventory";

const app = createApp();

export default {
  fetch: app.fetch,
  async queue(batch, env) {
    if (batch.queue === "payments" || batch.queue.startsWith("payments")) return consumePayments(batch, env);
    // Other queues get their consumers with the notifications issue; retry so nothing is lost.
    batch.retryAll({ delaySeconds: 60 });
  },
  async scheduled(_controller, env) {
    const db = createDb(env.DB);
    await shipOutbox(db, env);
    await purgeExpiredIdempotencyKeys(env.DB);
  },
} satisfies ExportedHandler<Env>;
