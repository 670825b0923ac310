/** Any C0 control character or DEL; browsers drop tab and newline from URLs, so "/\t/x" means "//x". */
// biome-ignore lint/suspicious/noControlCharactersInRegex: matching control characters is the point
const CONTROL = /[\u0000-\u001f\u007f]/;

/**
 * The `next=` of the login page, if it is a path on this site; otherwise null (the caller then
 * picks its default). Only a path that starts with a single "/" passes: "//evil.com" and
 * "/\evil.com" are both read by browsers as another host, a scheme ("javascript:") never starts
 * with "/", and control characters are refused because browsers strip some of them before parsing.
 * A backslash anywhere is refused too, since browsers treat it as "/". Pure, so it is tested alone.
 */
export function safeNextPath(next: string | null | undefined): string | null {
  if (!next || next.length > 2048) return null;
  if (!next.startsWith("/") || next[1] === "/" || next.includes("\\") || CONTROL.test(next)) return null;
  // Belt and braces: whatever the browser makes of it must stay on this origin.
  const base = "https://origin.invalid";
  let resolved: URL;
  try {
    resolved = new URL(next, base);
  } catch {
    return null;
  }
  return resolved.origin === base ? next : null;
}
