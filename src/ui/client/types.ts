/** Response shapes of the /v1 API the pages read (see GET /v1/openapi.json). */
export type Money = { amount: number; currency: string };
export type Tier = { key: string; name: string; amount: number; currency: string };
export type EventSummary = {
  id: string;
  name: string;
  category: string;
  performers: string[];
  startsAt: string;
  endsAt: string;
  status: string;
  salesStatus: "draft" | "upcoming" | "on_sale" | "ended" | "cancelled";
  venue: { id: string; name: string; city: string; country: string; timezone: string };
  priceFrom: Money | null;
};
export type EventDetail = Omit<EventSummary, "priceFrom" | "venue"> & {
  description: string;
  holdSeconds: number;
  maxSeatsPerOrder: number;
  currency: string;
  salesStartAt: string | null;
  salesEndAt: string | null;
  /** The waiting room is on: join the queue, then hold with the admission token. */
  waitingRoom: boolean;
  venue: EventSummary["venue"] & { address: string; timezone: string };
  tiers: Tier[];
  refundPolicy: { kind: "none" | "full_until"; hoursBeforeStart: number | null; refundsUntil: string | null };
};
export type Hold = {
  holdId: string;
  seats: { id: string; tier: string; price: number }[];
  area?: { id: string; quantity: number };
  amount: number;
  currency: string;
  expiresAt: string;
};
export type PaymentHandle = {
  provider: "stripe" | "simulated";
  reference: string;
  clientSecret: string;
  publishableKey: string | null;
  paymentUrl: string | null;
};
export type Checkout = {
  orderId: string;
  status: string;
  amount: number;
  currency: string;
  expiresAt: string;
  payment: PaymentHandle;
};
export type OrderSummary = {
  id: string;
  eventId: string;
  status: string;
  amount: number;
  currency: string;
  refundedAmount: number;
  createdAt: string;
  paidAt: string | null;
};
export type Order = OrderSummary & {
  /** DELETE /v1/holds/{holdId} cancels the order while it is unpaid. */
  holdId: string;
  lines: { seatId: string | null; areaId: string | null; tier: string; price: number; quantity: number }[];
  tickets: { id: string; place: string; tier: string; price: number; status: string; code: string; qrUrl: string }[];
  payments: {
    kind: string;
    provider: string;
    status: string;
    amount: number;
    reason: string | null;
    lastError: string | null;
  }[];
};
/** GET /v1/events/{id}/queue/{ticket} (and the join's answer). */
export type QueueTicket = {
  ticket: string;
  eventId: string;
  state: "waiting" | "admitted" | "left" | "expired" | "sold_out";
  position: number | null;
  ahead: number | null;
  estimatedWaitSeconds: number | null;
  joinedAt: string;
  admission?: { token: string; expiresAt: string };
};
/** GET /v1/events/{id}/queue/fairness. */
export type QueueFairness = {
  commitment: string;
  algorithm: string;
  revealed: boolean;
  onSaleAt: string | null;
  seed?: string;
  order?: string[];
};
/** GET /v1/orders/{id}/cancellation. */
export type CancellationQuote = {
  allowed: boolean;
  amount: number;
  currency: string;
  refundsUntil: string | null;
  reason: string | null;
};
