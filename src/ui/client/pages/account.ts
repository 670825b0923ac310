import { api, ApiError, requireUser, saveSession, session } from "../api";
import { field, h, mount } from "../dom";

type Me = {
  id: string;
  email: string;
  name: string | null;
  phone: string | null;
  notifications: { email: boolean; sms: boolean };
};

/**
 * The fan's account: name (editable), email (shown), how confirmations reach them (email, SMS,
 * the phone number SMS goes to), and "Sign out everywhere", which ends every session of the
 * account, this one included, and lands on the sign-in page.
 */
export async function accountPage() {
  if (!requireUser()) return;
  const me = await api<Me>("GET", "/v1/me");
  const name = h("input", { name: "name", value: me.name ?? "", autocomplete: "name", maxlength: 100 });
  const phone = h("input", {
    name: "phone",
    type: "tel",
    value: me.phone ?? "",
    placeholder: "+447700900123",
    autocomplete: "tel",
  });
  const byEmail = h("input", { type: "checkbox", name: "notifyEmail", checked: me.notifications.email });
  const bySms = h("input", { type: "checkbox", name: "notifySms", checked: me.notifications.sms });
  const saved = h("p", { role: "status", "data-testid": "account-saved" });
  const form = h(
    "form",
    { class: "panel narrow", "data-testid": "account-form" },
    h("h1", {}, "Your account"),
    h("p", {}, "Email: ", h("strong", { "data-testid": "account-email" }, me.email)),
    field("Name", name),
    h(
      "fieldset",
      { class: "choices" },
      h("legend", {}, "Send my confirmations and event news by"),
      h("label", {}, byEmail, " Email"),
      h("label", {}, bySms, " SMS"),
    ),
    field("Mobile for SMS", phone, "In international form, like +447700900123"),
    saved,
    h("button", { class: "btn primary", type: "submit" }, "Save"),
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    if (bySms.checked && !phone.value.trim()) {
      saved.textContent = "Add a mobile number to get SMS.";
      phone.focus();
      return;
    }
    try {
      const u = await api<Me>("PATCH", "/v1/me", {
        name: name.value.trim() || null,
        phone: phone.value.trim() || null,
        notifications: { email: byEmail.checked, sms: bySms.checked },
      });
      const s = session();
      if (s) saveSession({ ...s, user: { ...s.user, name: u.name } });
      saved.textContent = "Saved.";
    } catch (err) {
      saved.textContent = err instanceof ApiError ? err.describe() : String(err);
    }
  });

  const everywhere = h(
    "button",
    { class: "btn danger", type: "button", "data-testid": "logout-all" },
    "Sign out everywhere",
  );
  everywhere.addEventListener("click", async () => {
    everywhere.disabled = true;
    await api("POST", "/v1/auth/logout-all").catch(() => {});
    saveSession(null);
    location.href = `/login?next=${encodeURIComponent("/account")}`;
  });
  mount(
    form,
    h(
      "section",
      { class: "panel narrow" },
      h("h2", {}, "Sessions"),
      h("p", { class: "muted" }, "Signed in on a phone you lost, or a shared computer? End every session at once."),
      everywhere,
    ),
  );
}
