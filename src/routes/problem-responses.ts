import { z } from "@hono/zod-openapi";

export const ProblemSchema = z
  .object({
    type: z.string(),
    title: z.string(),
    status: z.number().int(),
    detail: z.string(),
    code: z.string(),
    requestId: z.string(),
    errors: z.array(z.object({ path: z.string(), message: z.string(), code: z.string().optional() })).optional(),
  })
  .passthrough()
  .openapi("Problem");

const problem = (description: string) => ({
  description,
  content: { "application/problem+json": { schema: ProblemSchema } },
});

/** The error responses routes share, to spread into `createRoute({ responses })`. */
export const problems = {
  400: problem("Malformed or invalid input"),
  401: problem("Missing or invalid access token"),
  403: problem("Authenticated but not allowed"),
  404: problem("Not found"),
  409: problem("Conflict with the current state"),
  413: problem("Request body too large"),
  422: problem("Semantically invalid input"),
  429: problem("Rate limited; see Retry-After"),
} as const;

export function pickProblems<K extends keyof typeof problems>(...codes: K[]): Pick<typeof problems, K> {
  const out = {} as Pick<typeof problems, K>;
  for (const code of codes) out[code] = problems[code];
  return out;
}

/** JSON request body, marked required so a wrong content type is rejected instead of skipped. */
export function jsonBody<T extends z.ZodType>(schema: T, description?: string) {
  return { required: true, description, content: { "application/json": { schema } } } as const;
}

export function jsonResponse<T extends z.ZodType>(schema: T, description: string) {
  return { description, content: { "application/json": { schema } } } as const;
}
