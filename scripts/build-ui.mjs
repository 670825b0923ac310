// Builds the browser bundle of the fan site and the admin portal: src/ui/client/main.ts →
// public/assets/app.js (minified ES module, with a sourcemap), and the gate scanner's QR decoder
// (jsQR) as public/assets/scanner-decoder.js, loaded only by scanners without BarcodeDetector.
// Run by `npm run build:ui` and by wrangler's [build] step, so `npm start`, `wrangler dev` and
// deploys always serve a fresh bundle.
import { build } from "esbuild";
import { fileURLToPath } from "node:url";

const root = fileURLToPath(new URL("..", import.meta.url));
const result = await build({
  absWorkingDir: root,
  entryPoints: { app: "src/ui/client/main.ts", "scanner-decoder": "src/ui/client/admin/scanner/decoder-entry.ts" },
  outdir: "public/assets",
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
for (const [file, out] of Object.entries(result.metafile.outputs))
  if (out.entryPoint) console.log(`[build-ui] ${file} ${(out.bytes / 1024).toFixed(1)} KiB`);
