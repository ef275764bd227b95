// Fails if a declaration file of the built package says `any` outside comments: the public API must be typed.
// Usage: node tests/ts/no-any.mjs pkg
import { readdirSync, readFileSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2] ?? "pkg";
let found = 0;
for (const file of readdirSync(dir).filter((f) => f.endsWith(".d.ts"))) {
  const code = readFileSync(join(dir, file), "utf8")
    .replace(/\/\*[\s\S]*?\*\//g, (c) => c.replace(/[^\n]/g, " "))
    .replace(/\/\/.*$/gm, "");
  code.split("\n").forEach((line, i) => {
    if (/\bany\b/.test(line.replace(/(["'`])(?:\\.|(?!\1).)*\1/g, '""'))) {
      console.error(`${file}:${i + 1}: ${line.trim()}`);
      found++;
    }
  });
}
if (found) {
  console.error(`${found} declaration(s) above use 'any'`);
  process.exit(1);
}
console.log(`no 'any' in ${dir}/*.d.ts`);
