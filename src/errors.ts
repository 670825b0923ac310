import type { ContentfulStatusCode } from "hono/utils/http-status";

/** Every error the API can answer with. The status of each lives in one exhaustive switch below. */
export type ErrorCode =
  | "bad_request"
  | "malformed_json"
  | "validation_failed"
  | "unauthenticated"
  | "forbidden"
  | "not_found"
  | "method_not_allowed"
  | "conflict"
  | "email_taken"
  | "oidc_link_required"
  | "payload_too_large"
  | "unsupported_media_type"
  | "unprocessable"
  | "layout_invalid"
  | "publish_refused"
  | "locked_after_sales"
  | "invalid_transition"
  | "seats_unavailable"
  | "sold_out"
  | "limit_exceeded"
  | "hold_not_active"
  | "inventory_in_use"
  | "unknown_seats"
  | "not_on_sale"
  | "admission_required"
  | "admission_invalid"
  | "queue_not_active"
  | "idempotency_key_missing"
  | "idempotency_key_mismatch"
  | "request_in_progress"
  | "order_not_payable"
  | "refund_not_allowed"
  | "ticket_already_used"
  | "ticket_not_valid"
  | "ticket_wrong_event"
  | "payment_provider_unavailable"
  | "rate_limited"
  | "configuration_error"
  | "internal_error";

export function statusOf(code: ErrorCode): ContentfulStatusCode {
  switch (code) {
    case "bad_request":
    case "malformed_json":
    case "validation_failed":
    case "idempotency_key_missing":
      return 400;
    case "unauthenticated":
      return 401;
    case "forbidden":
    case "admission_required":
    case "admission_invalid":
      return 403;
    case "not_found":
      return 404;
    case "method_not_allowed":
      return 405;
    case "conflict":
    case "email_taken":
    case "oidc_link_required":
    case "locked_after_sales":
    case "invalid_transition":
    case "seats_unavailable":
    case "sold_out":
    case "hold_not_active":
    case "inventory_in_use":
    case "not_on_sale":
    case "queue_not_active":
    case "request_in_progress":
    case "order_not_payable":
    case "refund_not_allowed":
    case "ticket_already_used":
    case "ticket_not_valid":
      return 409;
    case "payload_too_large":
      return 413;
    case "unsupported_media_type":
      return 415;
    case "unprocessable":
    case "layout_invalid":
    case "publish_refused":
    case "limit_exceeded":
    case "unknown_seats":
    case "idempotency_key_mismatch":
    case "ticket_wrong_event":
      return 422;
    case "rate_limited":
      return 429;
    case "payment_provider_unavailable":
      // The payment provider failed in a way that may pass; the hold keeps its deadline.
      return 503;
    case "configuration_error":
      // The deployment, not the request, is wrong: 503 tells clients to retry later and
      // operators that this is theirs to fix.
      return 503;
    case "internal_error":
      return 500;
  }
}

const titles: Record<ErrorCode, string> = {
  bad_request: "Bad request",
  malformed_json: "Malformed JSON",
  validation_failed: "Validation failed",
  unauthenticated: "Authentication required",
  forbidden: "Forbidden",
  not_found: "Not found",
  method_not_allowed: "Method not allowed",
  conflict: "Conflict",
  email_taken: "Email already registered",
  oidc_link_required: "Sign in with your password to link this identity",
  payload_too_large: "Payload too large",
  unsupported_media_type: "Unsupported media type",
  unprocessable: "Unprocessable request",
  layout_invalid: "Seat layout is invalid",
  publish_refused: "Event cannot be published",
  locked_after_sales: "Locked after sales",
  invalid_transition: "Invalid status transition",
  seats_unavailable: "Seats unavailable",
  sold_out: "Sold out",
  limit_exceeded: "Seat limit exceeded",
  hold_not_active: "Hold is not active",
  inventory_in_use: "Inventory in use",
  unknown_seats: "Unknown seats",
  not_on_sale: "Event not on sale",
  admission_required: "Admission token required",
  admission_invalid: "Admission token not valid",
  queue_not_active: "Waiting room not active",
  idempotency_key_missing: "Idempotency-Key required",
  idempotency_key_mismatch: "Idempotency-Key reused with another request",
  request_in_progress: "Request in progress",
  order_not_payable: "Order cannot be paid",
  refund_not_allowed: "Refund not allowed",
  ticket_already_used: "Ticket already used",
  ticket_not_valid: "Ticket not valid",
  ticket_wrong_event: "Ticket is for another event",
  payment_provider_unavailable: "Payment provider unavailable",
  rate_limited: "Too many requests",
  configuration_error: "Server configuration error",
  internal_error: "Internal server error",
};

/** A field-level problem, with the path into the input (RFC 9457 extension member `errors`). */
export type FieldError = { path: string; message: string; code?: string };

/**
 * The one error type handlers and domain code throw. `extra` lands as extension members of the
 * problem document (for example `conflicts` or `problems`); `headers` go on the response.
 */
export class AppError extends Error {
  readonly code: ErrorCode;
  readonly status: ContentfulStatusCode;
  readonly extra: Record<string, unknown>;
  readonly headers: Record<string, string>;

  constructor(
    code: ErrorCode,
    detail?: string,
    opts: { extra?: Record<string, unknown>; headers?: Record<string, string>; cause?: unknown } = {},
  ) {
    // A 4xx is an answer, not a fault: only 5xx are logged (app.ts), so a 4xx's stack is never
    // read, and every lost hold builds one (two holds in three answer 409 on a hot row).
    const status = statusOf(code);
    const limit = Error.stackTraceLimit;
    if (status < 500) Error.stackTraceLimit = 0;
    try {
      super(detail ?? titles[code], { cause: opts.cause });
    } finally {
      Error.stackTraceLimit = limit;
    }
    this.name = "AppError";
    this.code = code;
    this.status = status;
    this.extra = opts.extra ?? {};
    this.headers = opts.headers ?? {};
  }
}

export type Problem = {
  type: string;
  title: string;
  status: number;
  detail: string;
  code: ErrorCode;
  requestId: string;
  instance?: string;
  [extension: string]: unknown;
};

/** Renders an AppError as an RFC 9457 problem document. */
export function toProblem(err: AppError, requestId: string, instance?: string): Problem {
  return {
    type: `https://edge-tickets.dev/problems/${err.code.replaceAll("_", "-")}`,
    title: titles[err.code],
    status: err.status,
    detail: err.message,
    code: err.code,
    requestId,
    ...(instance ? { instance } : {}),
    ...err.extra,
  };
}

/** Shorthands for the most common throws. */
export const notFound = (what: string) => new AppError("not_found", `${what} was not found`);
export const forbidden = (detail = "You may not do this") => new AppError("forbidden", detail);
