// `npm start`: apply local D1 migrations, start `wrangler dev` on 127.0.0.1:8787, then seed the
// demo data through the API itself. The seed looks up every part of the demo and creates only what
// is missing, so a start interrupted while seeding is completed by the next one, and a start on a
// complete demo changes nothing.
import { spawn, spawnSync } from "node:child_process";
import { seedDemo } from "./seed-demo.mjs";

const PORT = process.env.PORT ?? "8787";
const BASE = `http://127.0.0.1:${PORT}`;
const ADMIN_EMAIL = "admin@demo.test";

const migrate = spawnSync("npx", ["wrangler", "d1", "migrations", "apply", "DB", "--local"], {
  stdio: "inherit",
  env: { ...process.env, CI: "true" },
});
if (migrate.status !== 0) process.exit(migrate.status ?? 1);

const dev = spawn(
  "npx",
  ["wrangler", "dev", "--ip", "127.0.0.1", "--port", PORT, "--var", `BOOTSTRAP_ADMIN_EMAIL:${ADMIN_EMAIL}`],
  { stdio: "inherit" },
);
for (const sig of ["SIGINT", "SIGTERM"]) process.on(sig, () => dev.kill(sig));
dev.on("exit", (code) => process.exit(code ?? 0));

await waitForHealth();
try {
  const { message } = await seedDemo(BASE, ADMIN_EMAIL);
  const links = [
    ["Fan site", "/"],
    ["Admin portal", "/admin"],
    ["Local mailbox", "/mailbox"],
    ["API", "/v1"],
    ["API docs", "/docs"],
  ].map(([label, path]) => `  ${`${label}:`.padEnd(18)}${BASE}${path}`);
  console.log(`\n${message}\n\n${links.join("\n")}\n`);
} catch (err) {
  console.error("Seeding the demo data failed (the next `npm start` completes what is missing):", err);
}

async function waitForHealth() {
  for (let i = 0; i < 240; i++) {
    try {
      const res = await fetch(`${BASE}/v1/health`);
      if (res.ok) return;
    } catch {}
    await new Promise((r) => setTimeout(r, 500));
  }
  throw new Error(`wrangler dev did not answer on ${BASE} within 2 minutes`);
}
