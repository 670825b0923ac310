import { runInDurableObject } from "cloudflare:test";
import { env } from "cloudflare:workers";
import { expect } from "vitest";
import { CheckoutSchema } from "../../src/routes/order-schemas";
import { createUser, uniq } from "../helpers/fixtures";
import { call, expectJson } from "../helpers/http";
import { checkoutCall, paySimulated } from "../orders/helpers";

/**
 * A fan (with `email`, made unique per call) holds `request` on the event, checks out and, unless
 * told not to, pays on the simulated page. Returns the fan and the order id.
 */
export async function buy(
  eventId: string,
  request: { seats: string[] } | { area: string; quantity: number },
  opts: { email?: string; pay?: boolean } = {},
) {
  const fan = await createUser({ email: opts.email ?? `fan-${uniq()}@example.test` });
  const hold = await expectJson(
    await call("POST", `/v1/events/${eventId}/holds`, { token: fan.token, body: request }),
    201,
  );
  const co = CheckoutSchema.parse(await expectJson(await checkoutCall(fan.token, hold.holdId), 201));
  if (opts.pay !== false)
    expect(await paySimulated(co.payment.paymentUrl!)).toMatchObject({ webhook: { outcome: "paid" } });
  return { fan, orderId: co.orderId };
}

/** A ticket's signed code, from the order's object (the fan's views never show it as text). */
export function ticketCode(orderId: string, ticketId: string): Promise<string> {
  return runInDurableObject(
    env.EVENT_INVENTORY.getByName(orderId.split("~")[0]!),
    (_i, state) =>
      state.storage.sql.exec<{ code: string }>("SELECT code FROM tickets WHERE id = ?", ticketId).one().code,
  );
}
