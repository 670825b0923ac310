import { exports } from "cloudflare:workers";

export const BASE = "http://edge.test";

/** Calls the Worker through its own entry, as a client on the internet would. */
export function call(
  method: string,
  path: string,
  opts: { body?: unknown; token?: string; headers?: Record<string, string>; raw?: BodyInit } = {},
) {
  const headers = new Headers(opts.headers);
  if (opts.token) headers.set("Authorization", `Bearer ${opts.token}`);
  let body: BodyInit | undefined = opts.raw;
  if (opts.body !== undefined) {
    body = JSON.stringify(opts.body);
    if (!headers.has("Content-Type")) headers.set("Content-Type", "application/json");
  }
  return exports.default.fetch(new Request(BASE + path, { method, headers, body })).then(noServerErrors);
}

/** No input in the suite may produce a 5xx: every test that calls through `call` checks it. */
async function noServerErrors(res: Response): Promise<Response> {
  if (res.status >= 500) throw new Error(`server error ${res.status}: ${await res.clone().text()}`);
  return res;
}

/** Asserts a problem+json response with the given status and code and returns it. */
export async function expectProblem(res: Response, status: number, code: string) {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status} ${code}, got ${res.status}: ${text}`);
  if (!res.headers.get("content-type")?.startsWith("application/problem+json"))
    throw new Error(`not problem+json: ${res.headers.get("content-type")}`);
  const problem = JSON.parse(text) as { code: string; status: number; requestId: string; [k: string]: unknown };
  if (problem.code !== code) throw new Error(`expected code ${code}, got ${problem.code}: ${text}`);
  return problem;
}

/**
 * A parsed JSON body. Tests read it along deep paths (`body.items[0].id`) and let `expect` check
 * the shape, so its values are deliberately left untyped: this is the tests' one `any`.
 */
// biome-ignore lint/suspicious/noExplicitAny: JSON bodies are read along deep paths and checked by expect()
export type Json = Record<string, any>;

/** Asserts the status and returns the parsed JSON body (or {} for an empty body). */
export async function expectJson(res: Response, status: number): Promise<Json> {
  const text = await res.text();
  if (res.status !== status) throw new Error(`expected ${status}, got ${res.status}: ${text}`);
  return text ? JSON.parse(text) : {};
}
