// Puts the JS snippets wasm-bindgen writes for `inline_js` (snippets/<crate>-<hash>/inline<N>.js, each imported by
// the glue) into the glue itself, and removes the snippets folder: the package keeps one glue module, and the
// browser entry, which inlines the glue, still fetches nothing before the wasm (issue 15's module graph).
// A snippet may only declare `export function`s, which become the glue's own functions.
// Usage: node scripts/inline-snippets.mjs <dir of wasm-bindgen's output>
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const gluePath = join(dir, "clc_wasm.js");
let glue = readFileSync(gluePath, "utf8");
glue = glue.replace(/^import \{ ([\w, ]+) \} from '\.\/(snippets\/[\w.-]+\/inline\d+\.js)';\n/gm, (_, names, file) => {
  const code = readFileSync(join(dir, file), "utf8");
  const exported = [...code.matchAll(/^export function (\w+)\(/gm)].map((m) => m[1]);
  for (const name of names.split(", ")) {
    if (!exported.includes(name)) throw new Error(`inline-snippets: ${file} does not export function ${name}`);
  }
  if (/^export (?!function )/m.test(code)) throw new Error(`inline-snippets: ${file} exports something other than functions`);
  return code.replace(/^export function /gm, "function ").trim() + "\n";
});
if (/from '\.\/snippets\//.test(glue)) throw new Error("inline-snippets: a snippet import was left in the glue");
writeFileSync(gluePath, glue);
rmSync(join(dir, "snippets"), { recursive: true, force: true });
