import { describe, expect, it } from "vitest";
import {
  REQUIRED_SECRETS,
  checkSecrets,
  checkSettings,
  envVarsFromToml,
  parseSecretList,
  requiredSecrets,
} from "../../scripts/deploy-guard.mjs";

const listed = (names: string[]) =>
  `\n ⛅️ wrangler 4\n${JSON.stringify(
    names.map((name) => ({ name, type: "secret_text" })),
    null,
    "  ",
  )}\n`;

describe("deploy guard", () => {
  it("refuses when a required secret is missing, naming each missing one", () => {
    const present = parseSecretList(listed(["JWT_SECRET", "STRIPE_SECRET_KEY", "AUDIT_IP_SALT"]));
    expect(checkSecrets(present)).toEqual({ ok: false, missing: ["STRIPE_WEBHOOK_SECRET", "OPERATOR_TOKEN"] });
  });

  it("passes when every required secret is set", () => {
    expect(checkSecrets(parseSecretList(listed([...REQUIRED_SECRETS, "EXTRA"])))).toEqual({ ok: true, missing: [] });
  });

  it("refuses everything when no secret is set", () => {
    expect(checkSecrets(parseSecretList("[]")).missing).toEqual(REQUIRED_SECRETS);
  });

  it("adds the provider secrets an environment selects in wrangler.toml", () => {
    const toml =
      `[vars]\nEMAIL_PROVIDER = "outbox"\n\n` +
      `[env.production.vars]\nEMAIL_PROVIDER = "ses"\nSMS_PROVIDER = "twilio"\n\n` +
      `[env.staging.vars]\nEMAIL_PROVIDER = "outbox"\n`;
    expect(requiredSecrets(envVarsFromToml(toml, "staging"))).toEqual(REQUIRED_SECRETS);
    const prod = requiredSecrets(envVarsFromToml(toml, "production"));
    expect(prod).toEqual([
      ...REQUIRED_SECRETS,
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "TWILIO_ACCOUNT_SID",
      "TWILIO_AUTH_TOKEN",
    ]);
    expect(checkSecrets(REQUIRED_SECRETS, prod).missing).toEqual([
      "AWS_ACCESS_KEY_ID",
      "AWS_SECRET_ACCESS_KEY",
      "TWILIO_ACCOUNT_SID",
      "TWILIO_AUTH_TOKEN",
    ]);
  });

  it("throws on output that is not a secret list", () => {
    expect(() => parseSecretList("✘ [ERROR] You are not logged in")).toThrow(/no JSON array/);
  });
});

describe("deploy guard: settings", () => {
  const good = {
    ENVIRONMENT: "staging",
    CORS_ORIGINS: "https://staging.tickets.example.com",
    JWT_ISSUER: "edge-tickets",
    JWT_AUDIENCE: "edge-tickets-api",
    PUBLIC_BASE_URL: "https://staging.tickets.example.com",
    STRIPE_PUBLISHABLE_KEY: "pk_test_123",
    EMAIL_PROVIDER: "outbox",
    SMS_PROVIDER: "outbox",
    OIDC_ISSUER: "",
    OIDC_JWKS_URL: "",
    OIDC_AUDIENCE: "",
  };

  it("passes a complete staging configuration", () => {
    expect(checkSettings(good, "staging")).toEqual({ ok: true, problems: [] });
  });

  it("refuses a missing publishable key, a wrong ENVIRONMENT and an http or wildcard origin", () => {
    const verdict = checkSettings(
      {
        ...good,
        ENVIRONMENT: "development",
        STRIPE_PUBLISHABLE_KEY: "",
        PUBLIC_BASE_URL: "http://x.example.com",
        CORS_ORIGINS: "*",
      },
      "staging",
    );
    expect(verdict.ok).toBe(false);
    const text = verdict.problems.join("\n");
    for (const name of ["ENVIRONMENT", "STRIPE_PUBLISHABLE_KEY", "PUBLIC_BASE_URL", "CORS_ORIGINS"])
      expect(text).toContain(name);
  });

  it("refuses OIDC without its audience (or any of issuer, JWKS URL, audience without the others)", () => {
    const verdict = checkSettings(
      { ...good, OIDC_ISSUER: "https://idp", OIDC_JWKS_URL: "https://idp/jwks" },
      "staging",
    );
    expect(verdict.ok).toBe(false);
    expect(verdict.problems.join("\n")).toContain("OIDC_AUDIENCE");
    const full = { ...good, OIDC_ISSUER: "https://idp", OIDC_JWKS_URL: "https://idp/jwks", OIDC_AUDIENCE: "api" };
    expect(checkSettings(full, "staging").ok).toBe(true);
  });

  it("asks for the sender settings of the providers an environment selects", () => {
    const verdict = checkSettings(
      { ...good, EMAIL_PROVIDER: "ses", SMS_PROVIDER: "twilio", EMAIL_FROM: "", SES_REGION: "", TWILIO_FROM: "" },
      "staging",
    );
    expect(verdict.problems.join("\n")).toMatch(/EMAIL_FROM[\s\S]*SES_REGION[\s\S]*TWILIO_FROM/);
  });

  it("holds the secrets the Worker reads outside development", () => {
    expect(REQUIRED_SECRETS).toEqual([
      "JWT_SECRET",
      "STRIPE_SECRET_KEY",
      "STRIPE_WEBHOOK_SECRET",
      "OPERATOR_TOKEN",
      "AUDIT_IP_SALT",
    ]);
  });

  it("reads the settings from the environment's own vars in wrangler.toml", () => {
    const toml =
      `[vars]\nENVIRONMENT = "development"\nSTRIPE_PUBLISHABLE_KEY = "pk_test_top"\n\n` +
      `[env.staging.vars]\nENVIRONMENT = "staging"\nSTRIPE_PUBLISHABLE_KEY = ""\n`;
    const problems = checkSettings(envVarsFromToml(toml, "staging"), "staging").problems.join("\n");
    expect(problems).toContain("STRIPE_PUBLISHABLE_KEY");
    expect(problems).not.toContain("ENVIRONMENT");
  });
});
