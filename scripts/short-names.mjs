// Gives the wasm's imports and exports (all but `memory`) one- or two-letter names, in the module and in
// wasm-bindgen's glue (pkg's clc_wasm.js) alike.
//
// Why: wasm-bindgen names each import after what it calls plus a 64-bit hash (`__wbg_call_a410eb4b59ed5965`), and
// the closure shims' exports likewise. The names appear in both files, and the 16 hex digits of each do not
// compress: those 58 names cost about 2.2 KB gzip. The other exports (`clcrequests_shutDownServer`, ...) compress
// well, but still cost a few hundred bytes.
//
// The short names follow the order of the glue's import object and of its `wasm.<name>` uses, so two modules made
// from the same glue (the shipped one and bench/run.mjs's unoptimized, named one) get the same names. Fails if what
// it renames is not found where it should be, exactly once. `memory` keeps its name: the bench reads it.
// Usage: node scripts/short-names.mjs <clc_wasm_bg.wasm> <clc_wasm.js>
import { readFileSync, writeFileSync } from "node:fs";
import { leb as readLeb, name as nameAt, sections } from "./wasm-sections.mjs";

const [wasmFile, glueFile] = process.argv.slice(2);
const fail = (why) => {
  throw new Error(`short-names: ${why}`);
};

// ---- the names, from the glue -----------------------------------------------------------------------------------
let glue = readFileSync(glueFile, "utf8");
const block = /\n    const import0 = \{\n        __proto__: null,(\n[\s\S]*?)\n    \};\n/.exec(glue);
if (!block) fail("the glue's import object was not found");
const imported = [...block[1].matchAll(/^ {8}([A-Za-z_$][\w$]*): function\b/gm)].map((m) => m[1]);
const used = [...new Set([...glue.matchAll(/\bwasm\.([A-Za-z_$][\w$]*)/g)].map((m) => m[1]))].filter((n) => n !== "memory");
if (imported.length === 0) fail("the glue's import object has no functions");

/** a, b, ..., z, A, ..., Z, aa, ab, ...: short, and never `__proto__` or a name the glue gives a meaning. */
const short = (i) => {
  const letters = "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ";
  let name = "";
  for (let n = i; ; n = Math.floor(n / letters.length) - 1) {
    name = letters[n % letters.length] + name;
    if (n < letters.length) return name;
  }
};
const importNames = new Map(imported.map((name, i) => [name, short(i)]));
// The modules the imports come from, named by the glue's import object: wasm-bindgen's names of the snippet files
// (`./snippets/clc-wasm-<hash>/src/js/accepted.js`), once per import in the module and once per `extern` block in
// the glue, become one letter each.
const objects = /\n    return \{\n        __proto__: null,\n((?: {8}"[^"\n]+": \w+,\n)+) {4}\};\n\}\n/.exec(glue);
if (!objects) fail("the glue's object of import modules was not found");
const modules = new Map(); // module -> [short name, the glue's object of its imports]
// An object that is another's alias (`const import2 = import1;`, scripts/inline-snippets.mjs) is that one.
const root = (object) => {
  const alias = new RegExp(`^const ${object} = (\\w+);$`, "m").exec(glue);
  return alias ? root(alias[1]) : object;
};
for (const m of objects[1].matchAll(/^ {8}"([^"]+)": (\w+),$/gm)) {
  const [name, object] = modules.get(m[1]) ?? [short(modules.size)];
  if (object !== undefined && root(object) !== root(m[2])) fail(`the module ${m[1]} has two different import objects`);
  modules.set(m[1], [name, m[2]]);
}
const exportNames = new Map(used.map((name, i) => [name, short(i)]));

// ---- the glue -----------------------------------------------------------------------------------------------------
const once = (text, from, to) => {
  const found = text.split(from).length - 1;
  if (found !== 1) fail(`${JSON.stringify(from)} found ${found} times in the glue, not once`);
  return text.replace(from, () => to);
};
let imports = block[1];
for (const [from, to] of importNames) imports = once(imports, `\n        ${from}: function`, `\n        ${to}: function`);
glue = glue.replace(block[1], () => imports);
glue = glue.replace(objects[1], () => [...modules.values()].map(([name, object]) => `        "${name}": ${object},\n`).join(""));
for (const [from, to] of exportNames) glue = glue.replace(new RegExp(`\\bwasm\\.${from.replace(/\$/g, "\\$")}(?![\\w$])`, "g"), `wasm.${to}`);

// ---- the module: its import and export sections rewritten with the new names --------------------------------------
const wasm = readFileSync(wasmFile);
const leb = (pos) => readLeb(wasm, pos);
const uleb = (value) => {
  const out = [];
  do {
    let byte = value & 0x7f;
    value = Math.floor(value / 128);
    if (value) byte |= 0x80;
    out.push(byte);
  } while (value);
  return Buffer.from(out);
};
const str = (s) => Buffer.concat([uleb(Buffer.byteLength(s)), Buffer.from(s)]);
const readName = (pos) => nameAt(wasm, pos);
/** Skips an import's or export's description, returning where the next entry starts. */
const skipImport = (kind, pos) => {
  if (kind === 0) return leb(pos)[1]; // function: type index
  if (kind === 1) {
    const flags = wasm[pos + 1]; // table: reftype, limits
    let p = leb(pos + 2)[1];
    if (flags & 1) p = leb(p)[1];
    return p;
  }
  if (kind === 2) {
    const flags = wasm[pos]; // memory: limits
    let p = leb(pos + 1)[1];
    if (flags & 1) p = leb(p)[1];
    return p;
  }
  if (kind === 3) return pos + 2; // global: valtype, mutability
  if (kind === 4) return leb(pos + 1)[1]; // tag: attribute, type index
  return fail(`an import of unknown kind ${kind}`);
};

const renamedImports = new Set();
const renamedExports = new Set();
const parts = [wasm.subarray(0, 8)];
for (const { id, at, start, end } of sections(wasm)) {
  if (id === 2 || id === 7) {
    let [count, p] = leb(start);
    const entries = [];
    for (let i = 0; i < count; i++) {
      if (id === 2) {
        const [module, afterModule] = readName(p);
        const [name, afterName] = readName(afterModule);
        const kind = wasm[afterName];
        const next = skipImport(kind, afterName + 1);
        const to = kind === 0 ? importNames.get(name) : undefined;
        if (to) renamedImports.add(name);
        if (!modules.has(module)) fail(`the module imports from ${module}, which the glue does not provide`);
        entries.push(Buffer.concat([str(modules.get(module)[0]), str(to ?? name), wasm.subarray(afterName, next)]));
        p = next;
      } else {
        const [name, afterName] = readName(p);
        const next = leb(afterName + 1)[1];
        // Exports the glue never uses (wasm-bindgen's `__abort_handler`, ...) get names after the others.
        if (name !== "memory" && !exportNames.has(name)) exportNames.set(name, short(exportNames.size));
        const to = exportNames.get(name);
        if (to) renamedExports.add(name);
        entries.push(Buffer.concat([str(to ?? name), wasm.subarray(afterName, next)]));
        p = next;
      }
    }
    if (p !== end) fail(`section ${id} did not end where its size says`);
    const body = Buffer.concat([uleb(count), ...entries]);
    parts.push(Buffer.from([id]), uleb(body.length), body);
  } else {
    parts.push(wasm.subarray(at, end));
  }
}
// wasm-opt may have dropped an import the glue still provides (the glue is the same for every build): that one is
// renamed in the glue only, and stays unused. An export the glue uses must be there, or it would call nothing.
for (const name of used) if (!renamedExports.has(name)) fail(`the module does not export ${name}, which the glue uses`);
if (renamedImports.size === 0) fail("no import of the module was renamed");
writeFileSync(wasmFile, Buffer.concat(parts));
writeFileSync(glueFile, glue);
