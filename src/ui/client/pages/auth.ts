import { api, ApiError, saveSession, type User } from "../api";
import { field, formValues, h, mount } from "../dom";
import { safeNextPath } from "../safe-next";
import { clearSignInReason, signInReason } from "./resume";

type Session = { accessToken: string; refreshToken: string; user: User };

/** Sign-in and sign-up forms; on success the session is stored and the visitor sent on. */
export function authPage(mode: "login" | "signup") {
  const safeNext = safeNextPath(new URLSearchParams(location.search).get("next"));
  // Why this page appeared, when the page that sent the visitor here said so (e.g. a seat to hold).
  const reason = signInReason(safeNext);
  const error = h("p", { class: "form-error", role: "alert", hidden: true });
  const form = h(
    "form",
    { class: "panel narrow", "data-testid": `${mode}-form` },
    h("h1", {}, mode === "login" ? "Sign in" : "Create an account"),
    reason ? h("p", { class: "notice", "data-testid": "signin-reason" }, reason) : null,
    mode === "signup" ? field("Name", h("input", { name: "name", autocomplete: "name" })) : null,
    field("Email", h("input", { name: "email", type: "email", required: true, autocomplete: "email" })),
    field(
      "Password",
      h("input", {
        name: "password",
        type: "password",
        required: true,
        minlength: mode === "signup" ? 10 : null,
        autocomplete: mode === "login" ? "current-password" : "new-password",
      }),
      mode === "signup" ? "At least 10 characters" : undefined,
    ),
    mode === "signup"
      ? field(
          "Mobile (optional)",
          h("input", { name: "phone", type: "tel", placeholder: "+447700900123", autocomplete: "tel" }),
          "For SMS confirmations, in international form",
        )
      : null,
    error,
    h("button", { class: "btn primary wide", type: "submit" }, mode === "login" ? "Sign in" : "Create account"),
    h(
      "p",
      { class: "muted center" },
      mode === "login"
        ? h("a", { href: `/signup${location.search}` }, "New here? Create an account")
        : h("a", { href: `/login${location.search}` }, "Already have an account? Sign in"),
    ),
    mode === "login"
      ? h("p", { class: "muted small center" }, "Demo: fan@demo.test or organizer@demo.test, password demo-password-1")
      : null,
  );
  form.addEventListener("submit", async (e) => {
    e.preventDefault();
    const v = formValues(form);
    const body: Record<string, string> = { email: v.email ?? "", password: v.password ?? "" };
    if (mode === "signup") {
      if (v.name) body.name = v.name;
      if (v.phone) body.phone = v.phone;
    }
    try {
      const s = await api<Session>("POST", `/v1/auth/${mode}`, body);
      saveSession(s);
      clearSignInReason();
      location.href = safeNext ?? (s.user.role === "fan" ? "/" : "/admin");
    } catch (err) {
      error.hidden = false;
      error.textContent = err instanceof ApiError ? err.describe() : String(err);
    }
  });
  mount(form);
}
