import { api, ApiError, requireUser, type User } from "../api";
import { h, mount } from "../dom";

export type Venue = {
  id: string;
  organizerId: string;
  name: string;
  address: string;
  city: string;
  country: string;
  timezone: string;
  region: string;
};
export type LayoutSummary = { id: string; venueId: string; name: string; seatCount: number; gaCapacity: number };
export type AdminEvent = {
  id: string;
  organizerId: string;
  venueId: string;
  layoutId: string | null;
  name: string;
  category: string;
  status: string;
  startsAt: string;
  endsAt: string;
  currency: string;
  salesStartAt: string | null;
  salesEndAt: string | null;
};
export type AdminTier = {
  key: string;
  name: string;
  amount: number;
  currency: string;
  appliesTo: { sections?: string[]; areas?: string[] };
};

/** The signed-in organizer or admin; others are sent to sign in or told they cannot enter. */
export function staff(): User | null {
  const u = requireUser();
  if (!u) return null;
  if (u.role === "fan") {
    mount(
      h(
        "div",
        { class: "panel narrow" },
        h("h1", {}, "Organizers only"),
        h(
          "p",
          {},
          "The portal is for organizer and admin accounts. ",
          h("a", { href: "/login?next=/admin" }, "Sign in with another account"),
        ),
      ),
    );
    return null;
  }
  return u;
}

export const errorText = (err: unknown) => (err instanceof ApiError ? err.describe() : String(err));

export function errorBox() {
  const el = h("pre", { class: "form-error", role: "alert", hidden: true });
  return {
    el,
    show: (err: unknown) => {
      el.hidden = false;
      el.textContent = errorText(err);
    },
    clear: () => (el.hidden = true),
  };
}

export const listVenues = () => api<{ items: Venue[] }>("GET", "/v1/admin/venues").then((r) => r.items);
export const listLayouts = (venueId: string) =>
  api<{ items: LayoutSummary[] }>("GET", `/v1/admin/venues/${encodeURIComponent(venueId)}/layouts`).then(
    (r) => r.items,
  );
export const listEvents = () => api<{ items: AdminEvent[] }>("GET", "/v1/admin/events").then((r) => r.items);
