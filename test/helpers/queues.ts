import { createExecutionContext, createMessageBatch, getQueueResult } from "cloudflare:test";

let seq = 0;

/**
 * Runs a queue consumer on message bodies (each with `attempts`) and returns the queue result,
 * the message ids and the delay each retried message asked for (getQueueResult reports which
 * messages were retried, not with what delay).
 */
export async function runConsumer(
  queue: string,
  consume: (batch: MessageBatch<unknown>, env: Env) => Promise<void>,
  bodies: unknown[],
  e: Env,
  attempts = 1,
) {
  const batch = createMessageBatch(
    queue,
    bodies.map((body) => ({ id: `${queue}-${++seq}-${crypto.randomUUID()}`, timestamp: new Date(), attempts, body })),
  );
  const delays: Record<string, number | undefined> = {};
  for (const m of batch.messages) {
    const retry = m.retry.bind(m);
    Object.defineProperty(m, "retry", {
      value: (o?: QueueRetryOptions) => {
        delays[m.id] = o?.delaySeconds;
        return retry(o);
      },
    });
  }
  const ctx = createExecutionContext();
  await consume(batch, e);
  const result = await getQueueResult(batch, ctx);
  return {
    ...result,
    ids: batch.messages.map((m) => m.id),
    retryDelays: result.retryMessages.map((r) => delays[r.msgId]),
  };
}
