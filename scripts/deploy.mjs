// `npm run deploy -- --env <staging|production> [--dry-run]`
//
// 1. `wrangler secret list --env <env>`: refuses to deploy when a required secret is missing
//    (scripts/deploy-guard.mjs decides which: JWT_SECRET, STRIPE_SECRET_KEY, STRIPE_WEBHOOK_SECRET,
//    OPERATOR_TOKEN, AUDIT_IP_SALT, plus AWS_* / TWILIO_* when the environment selects SES / Twilio),
//    and when a setting in its `[env.<env>.vars]` is missing or unsafe (checkSettings: ENVIRONMENT
//    naming the environment, https PUBLIC_BASE_URL, named CORS_ORIGINS, STRIPE_PUBLISHABLE_KEY,
//    JWT issuer/audience, all three OIDC_* or none, the senders of the chosen providers).
// 2. `wrangler d1 migrations apply DB --remote --env <env>`: the schema goes first, so new code
//    never runs against an old schema (migrations are additive; old code tolerates new columns).
// 3. `wrangler deploy --env <env>`.
// --dry-run stops after the check. Any failing step stops the deploy with wrangler's exit code.
import { spawnSync } from "node:child_process";
import { readFileSync } from "node:fs";
import { fileURLToPath } from "node:url";
import { checkSecrets, checkSettings, envVarsFromToml, parseSecretList, requiredSecrets } from "./deploy-guard.mjs";

const ROOT = fileURLToPath(new URL("../", import.meta.url));
const WRANGLER = fileURLToPath(new URL("../node_modules/wrangler/bin/wrangler.js", import.meta.url));
const ENVIRONMENTS = ["staging", "production"];

const args = process.argv.slice(2);
const envIndex = args.findIndex((a) => a === "--env" || a === "-e");
const envName = envIndex >= 0 ? args[envIndex + 1] : args.find((a) => a.startsWith("--env="))?.slice(6);
const dryRun = args.includes("--dry-run");

function fail(message, code = 1) {
  console.error(`deploy: ${message}`);
  process.exit(code);
}

function wrangler(argv, capture) {
  const r = spawnSync(process.execPath, [WRANGLER, ...argv], {
    cwd: ROOT,
    encoding: "utf8",
    stdio: capture ? ["ignore", "pipe", "pipe"] : "inherit",
    env: { ...process.env, CI: "true" },
  });
  if (r.error) fail(`could not run wrangler: ${r.error.message}`);
  return r;
}

if (!envName || !ENVIRONMENTS.includes(envName)) {
  fail(
    `choose an environment: npm run deploy -- --env <${ENVIRONMENTS.join("|")}> ` +
      "(the top level of wrangler.toml is the local default and is never deployed)",
  );
}

console.error(`deploy: checking secrets of ${envName}`);
const listed = wrangler(["secret", "list", "--env", envName, "--format", "json"], true);
if (listed.status !== 0)
  fail(
    `\`wrangler secret list --env ${envName}\` failed (exit ${listed.status}):\n${listed.stderr || listed.stdout}`,
    listed.status ?? 1,
  );
let present;
try {
  present = parseSecretList(listed.stdout);
} catch (err) {
  fail(`${err.message}:\n${listed.stdout}`);
}
const vars = envVarsFromToml(readFileSync(new URL("../wrangler.toml", import.meta.url), "utf8"), envName);
const verdict = checkSecrets(present, requiredSecrets(vars));
if (!verdict.ok) {
  fail(
    `refusing to deploy ${envName}: missing secret(s) ${verdict.missing.join(", ")}\n` +
      `  set each with: npx wrangler secret put <NAME> --env ${envName}`,
  );
}
console.error(`deploy: all ${requiredSecrets(vars).length} required secrets are set`);
const settings = checkSettings(vars, envName);
if (!settings.ok) {
  fail(
    `refusing to deploy ${envName}: [env.${envName}.vars] in wrangler.toml is incomplete:\n` +
      settings.problems.map((p) => `  - ${p}`).join("\n"),
  );
}
if (dryRun) process.exit(0);

console.error(`deploy: applying remote D1 migrations (${envName})`);
const migrated = wrangler(["d1", "migrations", "apply", "DB", "--remote", "--env", envName], false);
if (migrated.status !== 0) fail("migrations failed; nothing was deployed", migrated.status ?? 1);

console.error(`deploy: wrangler deploy --env ${envName}`);
const deployed = wrangler(["deploy", "--env", envName], false);
process.exit(deployed.status ?? 1);
