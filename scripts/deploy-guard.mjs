// The deploy guard's decisions, as pure functions (no I/O), so they are tested on their own
// (test/ops/deploy-guard.test.ts). scripts/deploy.mjs runs wrangler around them.

/** Secrets every deployed environment needs; the Worker would be insecure or broken without them. */
export const REQUIRED_SECRETS = [
  "JWT_SECRET",
  "STRIPE_SECRET_KEY",
  "STRIPE_WEBHOOK_SECRET",
  "OPERATOR_TOKEN",
  "AUDIT_IP_SALT",
];

/** Secrets a provider choice adds: EMAIL_PROVIDER = "ses" needs AWS keys, SMS_PROVIDER = "twilio" Twilio's. */
export const PROVIDER_SECRETS = {
  EMAIL_PROVIDER: { ses: ["AWS_ACCESS_KEY_ID", "AWS_SECRET_ACCESS_KEY"] },
  SMS_PROVIDER: { twilio: ["TWILIO_ACCOUNT_SID", "TWILIO_AUTH_TOKEN"] },
};

/**
 * Secret names from `wrangler secret list --format json` output (a JSON array of `{name, type}`),
 * tolerating banner or warning lines around it. Throws when no array is found.
 */
export function parseSecretList(output) {
  const start = output.indexOf("[");
  const end = output.lastIndexOf("]");
  if (start < 0 || end < start) throw new Error("no JSON array in `wrangler secret list` output");
  let list;
  try {
    list = JSON.parse(output.slice(start, end + 1));
  } catch {
    throw new Error("no JSON array in `wrangler secret list` output");
  }
  if (!Array.isArray(list)) throw new Error("`wrangler secret list` did not print an array");
  return list.map((s) => (typeof s === "string" ? s : s?.name)).filter((n) => typeof n === "string");
}

/**
 * The string vars of `[env.<name>.vars]` in a wrangler.toml (only `KEY = "value"` lines, which is
 * all this project uses there). Enough to see which providers an environment selects.
 */
export function envVarsFromToml(toml, envName) {
  const vars = {};
  let inside = false;
  for (const raw of toml.split(/\r?\n/)) {
    const line = raw.trim();
    if (line.startsWith("[")) {
      inside = line === `[env.${envName}.vars]`;
      continue;
    }
    const m = inside ? /^([A-Z0-9_]+)\s*=\s*"([^"]*)"/.exec(line) : null;
    if (m) vars[m[1]] = m[2];
  }
  return vars;
}

/** Every secret the environment needs: the fixed list plus what its providers add. */
export function requiredSecrets(vars = {}) {
  const out = [...REQUIRED_SECRETS];
  for (const [key, byValue] of Object.entries(PROVIDER_SECRETS)) out.push(...(byValue[vars[key]] ?? []));
  return out;
}

/**
 * The guard: `{ok: true}` when every required secret is set, else `{ok: false, missing}` with the
 * missing names in the order they are required.
 */
export function checkSecrets(present, required = REQUIRED_SECRETS) {
  const have = new Set(present);
  const missing = required.filter((name) => !have.has(name));
  return missing.length ? { ok: false, missing } : { ok: true, missing: [] };
}

/** Vars (`[env.<name>.vars]`) every deployed environment must set to a non-empty value. */
export const REQUIRED_VARS = [
  "ENVIRONMENT",
  "CORS_ORIGINS",
  "JWT_ISSUER",
  "JWT_AUDIENCE",
  "PUBLIC_BASE_URL",
  "STRIPE_PUBLISHABLE_KEY",
];

/** Vars a provider choice adds: the sender of SES mail and its region, the Twilio sender. */
export const PROVIDER_VARS = {
  EMAIL_PROVIDER: { ses: ["EMAIL_FROM", "SES_REGION"] },
  SMS_PROVIDER: { twilio: ["TWILIO_FROM"] },
};

/** OIDC is all or nothing: the Worker refuses an issuer without JWKS URL and audience. */
const OIDC_VARS = ["OIDC_ISSUER", "OIDC_JWKS_URL", "OIDC_AUDIENCE"];

/**
 * The settings guard: `{ok: true, problems: []}` when the environment's vars are complete and
 * safe, else `{ok: false, problems}`, one readable line each. A deployed environment must name
 * itself (anything but "development" switches every development fallback off, and a misspelt
 * name would not match the checks the Worker makes), serve over https, allow named origins only,
 * and hand clients a Stripe publishable key (the Worker never uses the simulated provider there).
 */
export function checkSettings(vars = {}, envName) {
  const problems = [];
  const empty = (name) => !String(vars[name] ?? "").trim();
  const needed = [...REQUIRED_VARS];
  for (const [key, byValue] of Object.entries(PROVIDER_VARS)) needed.push(...(byValue[vars[key]] ?? []));
  for (const name of needed) if (empty(name)) problems.push(`${name} is not set`);
  if (!empty("ENVIRONMENT") && vars.ENVIRONMENT !== envName)
    problems.push(`ENVIRONMENT is "${vars.ENVIRONMENT}", expected "${envName}"`);
  if (!empty("PUBLIC_BASE_URL") && !String(vars.PUBLIC_BASE_URL).startsWith("https://"))
    problems.push("PUBLIC_BASE_URL must be an https:// origin");
  if (
    !empty("CORS_ORIGINS") &&
    String(vars.CORS_ORIGINS)
      .split(",")
      .some((o) => o.trim() === "*")
  )
    problems.push('CORS_ORIGINS must list origins, not "*"');
  const oidcSet = OIDC_VARS.filter((name) => !empty(name));
  if (oidcSet.length > 0 && oidcSet.length < OIDC_VARS.length) {
    const missing = OIDC_VARS.filter((name) => empty(name));
    problems.push(`OIDC is half configured: ${missing.join(", ")} not set (all of ${OIDC_VARS.join(", ")} or none)`);
  }
  return { ok: problems.length === 0, problems };
}
