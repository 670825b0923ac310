import { api, ApiError } from "../api";
import { h } from "../dom";
import type { Checkout, PaymentHandle } from "../types";

/**
 * Picking up a purchase where the fan left it, in any tab or on any device: the fan's live holds
 * come from the server (`GET /v1/holds?mine=true&event=…`), a pending order's payment from its
 * checkout (repeating a checkout finds the same order and the same payment), and "Try another
 * card" pays a failed order again on the same seats (`POST /v1/orders/{id}/pay`).
 */

/** GET /v1/holds?mine=true&event=… */
export type LiveHold = {
  holdId: string;
  eventId: string;
  status: "active" | "checking_out";
  kind: "seats" | "area";
  seats: { id: string; label: string; tier: string; price: number }[];
  area?: { id: string; quantity: number; label: string };
  amount: number;
  currency: string;
  expiresAt: string;
  createdAt: string;
  orderId: string | null;
};

export const myLiveHolds = (eventId: string) =>
  api<{ items: LiveHold[] }>("GET", `/v1/holds?mine=true&event=${encodeURIComponent(eventId)}`).then((r) => r.items);

const payKey = (orderId: string) => `pay:${orderId}`;

export function keptPayment(orderId: string): PaymentHandle | null {
  return JSON.parse(sessionStorage.getItem(payKey(orderId)) ?? "null") as PaymentHandle | null;
}

export function keepPayment(orderId: string, handle: PaymentHandle) {
  sessionStorage.setItem(payKey(orderId), JSON.stringify(handle));
}

/**
 * The payment of an order awaiting it: the one this tab kept, else the checkout again (from
 * another tab or device), which answers the same order and the same payment.
 */
export async function resumePayment(order: { id: string; holdId: string }): Promise<PaymentHandle> {
  const kept = keptPayment(order.id);
  if (kept) return kept;
  const r = await api<Checkout>("POST", `/v1/holds/${encodeURIComponent(order.holdId)}/checkout`, undefined, {
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  keepPayment(order.id, r.payment);
  return r.payment;
}

/** "Try another card": a failed order paid again on the same seats; one key per click. */
export async function payAgain(orderId: string): Promise<Checkout> {
  const r = await api<Checkout>("POST", `/v1/orders/${encodeURIComponent(orderId)}/pay`, undefined, {
    headers: { "Idempotency-Key": crypto.randomUUID() },
  });
  keepPayment(orderId, r.payment);
  return r;
}

/**
 * The "Try another card" button: pays the order again on the same seats (one key per click),
 * then `done`; a refusal re-enables it and goes to `fail` in words a fan can read.
 */
export function tryAnotherCard(
  orderId: string,
  opts: { cls: string; testId: string; done: () => unknown; fail: (message: string) => void },
): HTMLButtonElement {
  const retry = h("button", { type: "button", class: opts.cls, "data-testid": opts.testId }, "Try another card");
  retry.addEventListener("click", async () => {
    retry.disabled = true;
    try {
      await payAgain(orderId);
      await opts.done();
    } catch (err) {
      retry.disabled = false;
      opts.fail(err instanceof ApiError ? err.describe() : String(err));
    }
  });
  return retry;
}

/** Seats picked while signed out, kept for the event page to select again after sign-in. */
const pickKey = (eventId: string) => `pick:${eventId}`;
export function keepPicked(eventId: string, seats: string[]) {
  sessionStorage.setItem(pickKey(eventId), JSON.stringify(seats));
}
export function takePicked(eventId: string): string[] {
  const raw = sessionStorage.getItem(pickKey(eventId));
  sessionStorage.removeItem(pickKey(eventId));
  const v = JSON.parse(raw ?? "[]") as unknown;
  return Array.isArray(v) ? v.filter((s): s is string => typeof s === "string") : [];
}

/**
 * Why the sign-in page appeared ("Sign in to hold Stalls · Row B · Seat 3"), for the page it
 * returns to. Kept in this tab's storage rather than the URL, so a link cannot put words there.
 */
const WHY = "signin:why";
export function keepSignInReason(next: string, text: string) {
  sessionStorage.setItem(WHY, JSON.stringify({ next, text }));
}
export function signInReason(next: string | null): string | null {
  const v = JSON.parse(sessionStorage.getItem(WHY) ?? "null") as { next?: string; text?: string } | null;
  return v && next && v.next === next && typeof v.text === "string" ? v.text : null;
}
export const clearSignInReason = () => sessionStorage.removeItem(WHY);
