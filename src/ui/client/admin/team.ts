import { api, type User } from "../api";
import { field, formValues, h, mount, tableBox, toast } from "../dom";
import { dateTime, titleCase } from "../format";
import type { Invitation } from "../pages/invitations";
import { errorBox, staff } from "./common";

type Member = { id: string; email: string; name: string | null; role: string; organizerRole: string | null };
type Organizer = { id: string; name: string };

/**
 * The organizer's team: its members and, for owners (and admins), the invitations still open
 * and a form to invite someone by email. Staff see the members only.
 */
export async function adminTeam() {
  const user = staff();
  if (!user) return;
  const orgs = (await api<{ items: Organizer[] }>("GET", "/v1/admin/organizers")).items;
  const wanted = new URLSearchParams(location.search).get("org") ?? user.organizerId;
  const org = orgs.find((o) => o.id === wanted) ?? orgs[0];
  if (!org) {
    mount(h("h1", { class: "page-title" }, "Team"), h("p", { class: "muted" }, "No organizer yet."));
    return;
  }
  const path = `/v1/admin/organizers/${encodeURIComponent(org.id)}`;
  const members = (await api<{ items: Member[] }>("GET", `${path}/members`)).items;
  const owner = user.role === "admin" || members.some((m) => m.id === user.id && m.organizerRole === "owner");
  const invitations = owner ? (await api<{ items: Invitation[] }>("GET", `${path}/invitations`)).items : [];
  mount(
    h("h1", { class: "page-title" }, `Team · ${org.name}`),
    orgPicker(user, orgs, org),
    h(
      "div",
      { class: "two-col" },
      h("div", {}, membersTable(members), owner ? invitationsTable(path, invitations) : null),
      owner
        ? inviteForm(path)
        : h("p", { class: "panel muted" }, "Only the organizer's owners invite and remove members."),
    ),
  );
}

function orgPicker(user: User, orgs: Organizer[], current: Organizer) {
  if (user.role !== "admin" || orgs.length < 2) return null;
  const select = h(
    "select",
    { name: "org", onchange: () => (location.search = `?org=${encodeURIComponent(select.value)}`) },
    orgs.map((o) => h("option", { value: o.id, selected: o.id === current.id }, o.name)),
  );
  return h("div", { class: "inline-fields" }, field("Organizer", select));
}

const table = (testid: string, label: string, heads: string[], rows: HTMLElement[]) =>
  tableBox(
    label,
    h(
      "table",
      { class: "table", "data-testid": testid },
      h(
        "thead",
        {},
        h(
          "tr",
          {},
          heads.map((t) => h("th", {}, t)),
        ),
      ),
      h("tbody", {}, rows),
    ),
  );

const membersTable = (members: Member[]) =>
  table(
    "members",
    "Members",
    ["Member", "Role"],
    members.map((m) =>
      h(
        "tr",
        {},
        h("td", {}, m.name ? `${m.name} · ${m.email}` : m.email),
        h("td", {}, titleCase(m.organizerRole ?? m.role)),
      ),
    ),
  );

function invitationsTable(path: string, invitations: Invitation[]) {
  if (invitations.length === 0)
    return h("p", { class: "muted", "data-testid": "no-invitations" }, "No open invitations.");
  const revoke = async (inv: Invitation) => {
    try {
      await api("DELETE", `${path}/invitations/${encodeURIComponent(inv.id)}`);
      toast(`Invitation to ${inv.email} revoked`, "ok");
      await adminTeam();
    } catch (err) {
      toast(String(err), "error");
    }
  };
  return h(
    "section",
    {},
    h("h2", {}, "Invitations"),
    table(
      "invitations",
      "Invitations",
      ["Email", "Role", "Status", ""],
      invitations.map((inv) =>
        h(
          "tr",
          {},
          h("td", {}, inv.email),
          h("td", {}, titleCase(inv.role)),
          h("td", { title: `until ${dateTime(inv.expiresAt)}` }, titleCase(inv.status)),
          h("td", {}, h("button", { type: "button", class: "btn small danger", onclick: () => revoke(inv) }, "Revoke")),
        ),
      ),
    ),
  );
}

function inviteForm(path: string) {
  const err = errorBox();
  const form = h(
    "form",
    { class: "panel", "data-testid": "invite-form" },
    h("h2", {}, "Invite a member"),
    h("p", { class: "muted" }, "They join once they accept, signed in with this email."),
    field("Email", h("input", { name: "email", type: "email", required: true, autocomplete: "off" })),
    field(
      "Role",
      h("select", { name: "role" }, h("option", { value: "staff" }, "Staff"), h("option", { value: "owner" }, "Owner")),
      "Owners can invite and remove members",
    ),
    err.el,
    h("button", { class: "btn primary", type: "submit" }, "Send invitation"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    err.clear();
    const v = formValues(form);
    try {
      await api("POST", `${path}/invitations`, { email: v.email, role: v.role });
      toast(`Invitation sent to ${v.email}`, "ok");
      await adminTeam();
    } catch (e2) {
      err.show(e2);
    }
  });
  return form;
}
