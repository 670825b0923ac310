// `npm run lint` part two: Biome formats to 120 columns but leaves long string literals and
// comments alone, so this fails on any source line wider than the formatter's width.
import { execFileSync } from "node:child_process";
import { readFileSync } from "node:fs";

const LIMIT = 120;
const SOURCE = /\.(ts|tsx|mjs|js|cjs|mts)$/;
const SKIP = new Set(["worker-configuration.d.ts"]);

const files = execFileSync("git", ["ls-files", "--cached", "--others", "--exclude-standard"], { encoding: "utf8" })
  .split("\n")
  .filter((f) => SOURCE.test(f) && !SKIP.has(f) && !f.startsWith("public/") && !f.startsWith("node_modules/"));

const long = [];
for (const file of files) {
  let text;
  try {
    text = readFileSync(file, "utf8");
  } catch {
    continue; // deleted in the working tree but still in the index
  }
  text.split("\n").forEach((line, i) => {
    if (line.length > LIMIT) long.push(`${file}:${i + 1}: ${line.length} characters`);
  });
}
if (long.length) {
  console.error(`${long.length} line(s) are wider than ${LIMIT} characters:\n${long.join("\n")}`);
  process.exit(1);
}
console.log(`line length: ${files.length} files, none wider than ${LIMIT} characters`);
