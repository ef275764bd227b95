// Puts the JS snippets wasm-bindgen writes for `inline_js` (snippets/<crate>-<hash>/inline<N>.js, each imported by
// the glue) into the glue itself, and removes the snippets folder: the package keeps one glue module, and the
// browser entry, which inlines the glue, still fetches nothing before the wasm (issue 15's module graph).
// A snippet may declare anything at its top level, but export only functions (async or not); they become the
// glue's own functions. The glue imports a snippet in two ways: `import { f } from '...'` for the functions its
// shims call, and `import * as importN from "..."` for the ones the wasm imports directly (no shim needed);
// each of the latter becomes an object of the snippet's functions, under the same name.
// Usage: node scripts/inline-snippets.mjs <dir of wasm-bindgen's output>
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const gluePath = join(dir, "clc_wasm.js");
let glue = readFileSync(gluePath, "utf8");

const snippets = new Map(); // file -> { code, exported }
function snippet(file) {
  if (!snippets.has(file)) {
    const code = readFileSync(join(dir, file), "utf8");
    const exported = [...code.matchAll(/^export (?:async )?function (\w+)\(/gm)].map((m) => m[1]);
    if (/^export (?!(async )?function )/m.test(code)) throw new Error(`inline-snippets: ${file} exports something other than functions`);
    snippets.set(file, { code: code.replace(/^export (async )?function /gm, "$1function ").trim() + "\n", exported, inlined: false });
  }
  return snippets.get(file);
}
// Its code the first time a snippet is named, nothing after: its top-level statements run once, before the glue's.
function once(s) {
  if (s.inlined) return "";
  s.inlined = true;
  return s.code;
}

const path = String.raw`\.\/(snippets\/[\w.-]+\/(?:inline\d+|src\/js\/\w+)\.js)`;
glue = glue.replace(new RegExp(String.raw`^import \{ ([\w, ]+) \} from '${path}';\n`, "gm"), (_, names, file) => {
  const s = snippet(file);
  for (const name of names.split(", ")) {
    if (!s.exported.includes(name)) throw new Error(`inline-snippets: ${file} does not export function ${name}`);
  }
  return once(s);
});
// wasm-bindgen imports a file once per `extern` block that names it: the first import's object serves them all.
const namespaces = new Map(); // file -> its object's name
glue = glue.replace(new RegExp(String.raw`^import \* as (\w+) from "${path}";?\n`, "gm"), (_, namespace, file) => {
  const s = snippet(file);
  if (namespaces.has(file)) return `const ${namespace} = ${namespaces.get(file)};\n`;
  namespaces.set(file, namespace);
  return once(s) + `const ${namespace} = { __proto__: null, ${s.exported.join(", ")} };\n`;
});
if (/from ['"]\.\/snippets\//.test(glue)) throw new Error("inline-snippets: a snippet import was left in the glue");
writeFileSync(gluePath, glue);
rmSync(join(dir, "snippets"), { recursive: true, force: true });
