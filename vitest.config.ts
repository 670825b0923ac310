import path from "node:path";
import { cloudflareTest, readD1Migrations } from "@cloudflare/vitest-plugin";
import { defineConfig } from "vitest/config";

export default defineConfig(async () => {
  const migrations = await readD1Migrations(path.join(import.meta.dirname, "migrations"));
  return {
    plugins: [
      cloudflareTest({
        wrangler: { configPath: "./wrangler.toml" },
        miniflare: {
          // Test-only bindings: the migrations for the setup file, and fixed secrets.
          bindings: {
            TEST_MIGRATIONS: migrations,
            JWT_SECRET: "test-jwt-secret-0123456789abcdef0123456789abcdef",
            BOOTSTRAP_ADMIN_EMAIL: "root@example.test",
            LIST_CACHE_SECONDS: "0",
            SEAT_CACHE_SECONDS: "0",
            // Revocation tests assert on the very next request; test/auth/revocation covers the cache.
            SESSION_CACHE_SECONDS: "0",
            // One JSON line per request would bury test output; test/ops turns it on where it asserts on it.
            REQUEST_LOGS: "false",
            // Every order read the event objects' cache answers is checked against SQLite.
            ORDER_CACHE_VERIFY: "true",
          },
        },
      }),
    ],
    test: {
      setupFiles: ["./test/setup.ts"],
      include: ["test/**/*.test.ts"],
      testTimeout: 20_000,
      // Vitest's default on a 2-core machine is one worker; most test files wait on workerd more
      // than they use a core, so two files at a time nearly halve the suite's wall time.
      maxWorkers: 2,
    },
  };
});
