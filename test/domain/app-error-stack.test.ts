import { describe, expect, it } from "vitest";
import { AppError } from "../../src/errors";

// A conflict answer is an answer, not a fault: it is built on every lost hold, so it skips the
// stack capture that only a server fault's log line would ever read.
describe("AppError stacks", () => {
  it("captures no frames for a 4xx answer", () => {
    const err = new AppError("seats_unavailable", "2 seat(s) are not available");
    expect(err.status).toBe(409);
    expect(err.message).toBe("2 seat(s) are not available");
    expect(err.stack ?? "").not.toMatch(/\n\s+at /);
  });

  it("keeps the stack of a server fault, and leaves the global limit as it was", () => {
    const before = Error.stackTraceLimit;
    const err = new AppError("internal_error", "boom");
    expect(err.status).toBe(500);
    expect(err.stack).toMatch(/\n\s+at /);
    expect(Error.stackTraceLimit).toBe(before);
    expect(new Error("plain").stack).toMatch(/\n\s+at /);
  });
});
