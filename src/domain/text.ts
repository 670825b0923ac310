import { z } from "@hono/zod-openapi";

// C0 controls, DEL and C1 controls; \n and \t are let back in for multi-line fields below.
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL = /[\u0000-\u001f\u007f-\u009f]/u;
// biome-ignore lint/suspicious/noControlCharactersInRegex: finding control characters is the point
const CONTROL_BUT_NEWLINE_TAB = /[\u0000-\u0008\u000b-\u001f\u007f-\u009f]/u;
/** Bidi embeddings and overrides (U+202A–U+202E) and isolates (U+2066–U+2069): they reorder what a reader sees. */
const BIDI = /[\u202a-\u202e\u2066-\u2069]/u;

/** Why `s` is not acceptable user-facing text, or null when it is. */
export function textProblem(s: string, multiline = false): string | null {
  // A lone surrogate is not a character: it cannot be stored, sorted or shown faithfully.
  if (!s.isWellFormed()) return "must not contain lone surrogates";
  if ((multiline ? CONTROL_BUT_NEWLINE_TAB : CONTROL).test(s))
    return multiline
      ? "must not contain control characters other than newline and tab"
      : "must not contain control characters";
  if (BIDI.test(s)) return "must not contain bidirectional override or isolate characters";
  return null;
}

/**
 * A user-facing text field (names of users, organizers, venues, events, tiers, layouts; event
 * descriptions): NFC-normalized so visually equal names compare and search equal, trimmed, and
 * refused with 400 and the field's path when it holds control characters (newline and tab only in
 * `multiline` fields), bidi overrides or isolates (which can make "Ticket" render as something
 * else in a confirmation email) or lone surrogates. Length limits apply after normalization.
 */
export function userText(opts: { max: number; min?: number; multiline?: boolean }) {
  const { max, min = 1, multiline = false } = opts;
  return z
    .string()
    .superRefine((s, ctx) => {
      const problem = textProblem(s, multiline);
      if (problem) ctx.addIssue({ code: "custom", message: problem });
    })
    .overwrite((s) => (multiline ? s : s.trim()).normalize("NFC"))
    .pipe(z.string().min(min).max(max));
}
