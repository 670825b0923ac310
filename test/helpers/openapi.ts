import { call, expectJson, type Json } from "./http";

/** One operation of the served API document, with its path in Hono's `:param` form too. */
export type Operation = {
  method: string;
  path: string;
  honoPath: string;
  operationId: string;
  security: Record<string, string[]>[] | undefined;
  op: Json;
};

export const HTTP_METHODS = ["get", "post", "put", "patch", "delete"] as const;

/** Every operation of GET /v1/openapi.json, in document order. */
export async function operations(): Promise<{ doc: Json; ops: Operation[] }> {
  const doc = await expectJson(await call("GET", "/v1/openapi.json"), 200);
  const ops: Operation[] = [];
  for (const [path, item] of Object.entries(doc.paths as Json)) {
    for (const method of HTTP_METHODS) {
      const op = (item as Json)[method];
      if (!op) continue;
      ops.push({
        method,
        path,
        honoPath: path.replace(/\{([^}]+)\}/g, ":$1"),
        operationId: op.operationId,
        security: op.security,
        op,
      });
    }
  }
  return { doc, ops };
}

/** Public: the operation can be called without credentials (`security: []`, or `{}` among its options). */
export const isPublic = (o: Operation) =>
  o.security !== undefined && (o.security.length === 0 || o.security.some((s) => Object.keys(s).length === 0));
