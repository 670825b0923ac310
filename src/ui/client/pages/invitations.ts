import { api, refreshSession, requireUser } from "../api";
import { h, mount, toast } from "../dom";
import { dateTime } from "../format";
import { errorText } from "../admin/common";

export type Invitation = {
  id: string;
  organizerId: string;
  organizerName?: string;
  email: string;
  role: "owner" | "staff";
  status: string;
  expiresAt: string;
  createdAt: string;
};

/** Invitations to join an organizer, addressed to the signed-in account, with Accept and Decline. */
export async function invitationsPage() {
  if (!requireUser()) return;
  const { items } = await api<{ items: Invitation[] }>("GET", "/v1/me/invitations");
  mount(
    h("h1", { class: "page-title" }, "Invitations"),
    items.length === 0
      ? h("p", { class: "muted", "data-testid": "no-invitations" }, "No open invitations.")
      : h("ul", { class: "list", "data-testid": "invitations" }, items.map(invitationItem)),
  );
}

function invitationItem(inv: Invitation) {
  const li = h(
    "li",
    { class: "panel", "data-testid": "invitation" },
    h("h2", {}, inv.organizerName ?? inv.organizerId),
    h(
      "p",
      { class: "muted" },
      `You are invited to join as ${inv.role === "owner" ? "an owner" : "staff"}. `,
      `Open until ${dateTime(inv.expiresAt)}.`,
    ),
  );
  const answer = async (verb: "accept" | "decline") => {
    for (const b of li.querySelectorAll("button")) b.disabled = true;
    try {
      await api("POST", `/v1/me/invitations/${encodeURIComponent(inv.id)}/${verb}`);
      // The old access token still says "fan": take a new one so the portal opens right away.
      if (verb === "accept") await refreshSession();
      li.replaceChildren(verb === "accept" ? joined(inv) : h("p", { class: "notice" }, "Invitation declined."));
    } catch (err) {
      toast(errorText(err), "error");
      for (const b of li.querySelectorAll("button")) b.disabled = false;
    }
  };
  li.append(
    h(
      "div",
      { class: "actions" },
      h(
        "button",
        { type: "button", class: "btn primary", "data-testid": "accept-invitation", onclick: () => answer("accept") },
        "Accept",
      ),
      h(
        "button",
        { type: "button", class: "btn", "data-testid": "decline-invitation", onclick: () => answer("decline") },
        "Decline",
      ),
    ),
  );
  return li;
}

const joined = (inv: Invitation) =>
  h(
    "p",
    { class: "notice ok", "data-testid": "invitation-accepted" },
    `You joined ${inv.organizerName ?? "the organizer"}. `,
    h("a", { href: "/admin", "data-testid": "open-portal" }, "Open the portal"),
  );
