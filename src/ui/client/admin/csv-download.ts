import { ApiError, send } from "../api";
import { h } from "../dom";

/**
 * Downloads one of the event's CSV exports. The API wants the bearer token, which a plain link
 * cannot carry, so the file is fetched with it and handed to the browser as a download.
 */
async function download(path: string, fallbackName: string): Promise<void> {
  const res = await send("GET", path, undefined, { headers: { Accept: "text/csv" } });
  if (!res.ok) throw new ApiError(res.status, (await res.json().catch(() => ({}))) as ApiError["problem"]);
  const name = /filename="([^"]+)"/.exec(res.headers.get("Content-Disposition") ?? "")?.[1] ?? fallbackName;
  const url = URL.createObjectURL(await res.blob());
  const a = h("a", { href: url, download: name, hidden: true });
  document.body.append(a);
  a.click();
  a.remove();
  // The click has handed the blob to the download; give it a moment before freeing it.
  setTimeout(() => URL.revokeObjectURL(url), 10_000);
}

/** "Download attendees (CSV)" and "Download orders (CSV)" for an event, reporting failures in `onError`. */
export function exportButtons(eventId: string, onError: (err: unknown) => void): HTMLElement {
  const base = `/v1/admin/events/${encodeURIComponent(eventId)}/exports`;
  const button = (kind: "attendees" | "orders", label: string) => {
    const b = h("button", { type: "button", class: "btn small", "data-testid": `export-${kind}` }, label);
    b.addEventListener("click", async () => {
      b.disabled = true;
      try {
        await download(`${base}/${kind}.csv`, `${kind}.csv`);
      } catch (err) {
        onError(err);
      } finally {
        b.disabled = false;
      }
    });
    return b;
  };
  return h(
    "div",
    { class: "actions", role: "group", "aria-label": "Exports" },
    button("attendees", "Download attendees (CSV)"),
    button("orders", "Download orders (CSV)"),
  );
}
