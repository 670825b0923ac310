import { ApiError } from "../api";
import { h } from "../dom";

let seq = 0;

/**
 * Puts each field error of an API problem (`errors[].path`, dotted body paths) next to the input
 * `find` maps it to, marked invalid and described by the message; the first such input is focused.
 * Returns the messages no input claimed, for the form's general error box.
 */
export function showFieldErrors(x: unknown, find: (path: string) => HTMLElement | null): string[] {
  if (!(x instanceof ApiError)) return [String(x)];
  const loose: string[] = [];
  let first: HTMLElement | null = null;
  for (const e of x.problem.errors ?? []) {
    const input = find(e.path);
    if (!input) {
      loose.push(e.path ? `${e.path}: ${e.message}` : e.message);
      continue;
    }
    const id = `field-error-${++seq}`;
    input.setAttribute("aria-invalid", "true");
    input.setAttribute("aria-describedby", id);
    const block = input.closest(".field") ?? input.closest("fieldset") ?? input.parentElement;
    block?.append(h("p", { class: "form-error field-problem", id, "data-testid": "field-error" }, e.message));
    first ??= input;
  }
  if (!(x.problem.errors ?? []).length || loose.length) loose.unshift(x.message);
  first?.focus();
  return loose;
}

/** Takes away what showFieldErrors added inside `scope`. */
export function clearFieldErrors(scope: HTMLElement) {
  for (const el of scope.querySelectorAll(".field-problem")) el.remove();
  for (const el of scope.querySelectorAll("[aria-invalid]")) {
    el.removeAttribute("aria-invalid");
    el.removeAttribute("aria-describedby");
  }
}
