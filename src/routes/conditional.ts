/** Whether a request's If-None-Match names this ETag (weak or strong, one of a list): answer 304. */
export function notModified(inm: string | undefined, etag: string | null): boolean {
  return (
    !!inm &&
    !!etag &&
    inm
      .split(",")
      .map((s) => s.trim().replace(/^W\//, ""))
      .includes(etag)
  );
}
