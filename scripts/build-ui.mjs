// Builds the browser bundle of the fan site and the admin portal: src/ui/client/main.ts →
// public/assets/app.js (minified ES module, with a sourcemap). Run by `npm run build:ui` and by
// wrangler's [build] step, so `npm start`, `wrangler dev` and deploys always serve a fresh bundle.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const result = await build({
  absWorkingDir: root,
  entryPoints: ["src/ui/client/main.ts"],
  outfile: "public/assets/app.js",
  bundle: true,
  format: "esm",
  platform: "browser",
  target: ["es2022", "chrome110", "safari16", "firefox110"],
  minify: true,
  sourcemap: "linked",
  legalComments: "none",
  logLevel: "warning",
  metafile: true,
});
const bytes = Object.values(result.metafile.outputs).find((o) => o.entryPoint)?.bytes ?? 0;
console.log(`[build-ui] public/assets/app.js ${(bytes / 1024).toFixed(1)} KiB`);
