import { describe, expect, it } from "vitest";
import {
  REQUIRED_SECRETS,
  checkSecrets,
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
