import { OpenAPIHono, type z } from "@hono/zod-openapi";
import type { Hook } from "@hono/zod-openapi";
import { AppError, type FieldError } from "../errors";
import type { AppEnv } from "../env";

/** Turns zod issues into field errors with dotted paths (`sections.0.rows.2.seats.5.id`). */
export function fieldErrors(error: z.ZodError): FieldError[] {
  return error.issues.map((issue) => ({
    path: issue.path.map(String).join("."),
    message: issue.message,
    code: issue.code,
  }));
}

/** Every validator failure becomes a 400 problem listing each field, whatever the target. */
export const validationHook: Hook<unknown, AppEnv, string, unknown> = (result) => {
  if (!result.success) {
    const where =
      result.target === "json" ? "request body" : result.target === "query" ? "query string" : result.target;
    throw new AppError("validation_failed", `The ${where} is invalid`, {
      extra: { errors: fieldErrors(result.error) },
    });
  }
  return undefined;
};

/** A router for one resource; routes declared with `createRoute` land in the OpenAPI document. */
export function createRouter() {
  return new OpenAPIHono<AppEnv>({ defaultHook: validationHook });
}
