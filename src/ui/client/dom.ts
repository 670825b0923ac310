/** A tiny DOM builder: enough for forms, tables and cards without a framework. */
type Attrs = Record<string, string | number | boolean | null | undefined | EventListener>;
export type Child = Node | string | number | null | undefined | false | Child[];

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attrs: Attrs = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k.startsWith("on") && typeof v === "function") el.addEventListener(k.slice(2), v);
    else if (k === "class") el.className = String(v);
    else if (v === true) el.setAttribute(k, "");
    else el.setAttribute(k, String(v));
  }
  append(el, children);
  return el;
}

export function append(el: Node, children: Child[]) {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    if (Array.isArray(c)) append(el, c);
    else el.appendChild(typeof c === "object" ? c : document.createTextNode(String(c)));
  }
}

const SVG_NS = "http://www.w3.org/2000/svg";
export function svg<K extends keyof SVGElementTagNameMap>(
  tag: K,
  attrs: Record<string, string | number> = {},
): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  for (const [k, v] of Object.entries(attrs)) el.setAttribute(k, String(v));
  return el;
}

/**
 * The box around a table, scrolling sideways when the table is wider than the screen. A keyboard
 * reaches that scroll only if the box takes focus, and a focusable region needs a name: `label`.
 */
export function tableBox(label: string, ...children: Child[]): HTMLDivElement {
  return h("div", { class: "table-wrap", role: "region", tabindex: 0, "aria-label": label }, ...children);
}

/** Replaces the page's main content. */
export function mount(...children: Child[]): HTMLElement {
  const main = document.getElementById("main")!;
  main.replaceChildren();
  append(main, children);
  return main;
}

/** At most this many toasts at once: the oldest makes way, so they never pile up over a page. */
const MAX_TOASTS = 3;

export function toast(message: string, kind: "info" | "error" | "ok" = "info") {
  const box = document.getElementById("toasts");
  if (!box) return;
  const t = h("div", { class: `toast toast-${kind}` }, message);
  box.appendChild(t);
  while (box.children.length > MAX_TOASTS) box.firstElementChild?.remove();
  setTimeout(() => t.remove(), 5000);
}

/** A form field with its label; `input` gets an id so the label is linked. */
let fieldSeq = 0;
export function field(label: string, input: HTMLElement, hint?: string): HTMLElement {
  const id = input.id || `f${++fieldSeq}`;
  input.id = id;
  return h(
    "div",
    { class: "field" },
    h("label", { for: id }, label),
    input,
    hint ? h("small", { class: "muted" }, hint) : null,
  );
}

export function formValues(form: HTMLFormElement): Record<string, string> {
  const out: Record<string, string> = {};
  new FormData(form).forEach((v, k) => {
    out[k] = String(v);
  });
  return out;
}

export const debounce = <A extends unknown[]>(fn: (...a: A) => void, ms: number) => {
  let t: ReturnType<typeof setTimeout> | undefined;
  return (...a: A) => {
    clearTimeout(t);
    t = setTimeout(() => fn(...a), ms);
  };
};
