import { composeForOrder, loadOrderContexts, type OrderMessage } from "./compose";
import { recordAndClaim, send, settle, type Draft, type Extra, type Outcome, type SendDeps } from "./send";
import type { NotificationMessage } from "../queues/notification-messages";

/** A message of the batch that names notifications: a per-order message or a `resend`. */
export type Deliverable = OrderMessage | Extract<NotificationMessage, { type: "resend" }>;

/**
 * Delivers the notifications of a whole queue batch in three D1 round trips, however many
 * messages it holds: one batch reads every order's context, one records every draft and claims
 * every row (with `extra`, e.g. audit rows of malformed messages), and after the provider sends
 * one batch writes every result. Returns each message's outcomes, in `messages` order.
 *
 * Keys are deterministic, so a message delivered twice in one batch, or again later, sends once:
 * a row's outcome belongs to the first message that names it, and the others see `skipped`, as
 * they would had they lost the claim to another consumer.
 */
export async function deliverBatch(deps: SendDeps, messages: Deliverable[], extra: Extra[] = []): Promise<Outcome[][]> {
  const orderIds = messages.flatMap((m) => (m.type === "resend" ? [] : [m.orderId]));
  const contexts = orderIds.length ? await loadOrderContexts(deps.db, orderIds) : new Map();
  const now = deps.now();
  const drafts = new Map<string, Draft>();
  const idsOf = messages.map((m) => {
    if (m.type === "resend") return [m.notificationId];
    const composed = composeForOrder(contexts.get(m.orderId), deps.env.PUBLIC_BASE_URL, m, now);
    for (const d of composed) if (!drafts.has(d.id)) drafts.set(d.id, d);
    return composed.map((d) => d.id);
  });
  const resendIds = messages.flatMap((m) => (m.type === "resend" ? [m.notificationId] : []));
  const claimed = await recordAndClaim(deps, [...drafts.values()], resendIds, extra);
  // Channels and orders are independent: every claimed row is sent at once, none waits on another.
  const sent = await Promise.all(claimed.map(async (row) => ({ row, result: await send(deps, row) })));
  const outcomes = await settle(deps, sent);
  const owned = new Set<string>();
  return idsOf.map((ids) =>
    ids.map((id) => {
      const outcome = outcomes.get(id);
      if (!outcome || owned.has(id)) return "skipped";
      owned.add(id);
      return outcome;
    }),
  );
}
