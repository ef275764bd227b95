// Where the wasm bytes go, without installing twiggy: section sizes and the largest functions by code size, read
// from the module's own name section; with --gzip, what each function and each part of the code (the JS edge, the
// core, the code both share) costs in the gzipped module.
// Usage: node bench/size.mjs [file.wasm] [top N] [--gzip]
// The shipped pkg/clc_wasm_bg.wasm has had its names stripped by wasm-opt, so by default this reads cargo's output
// (target/wasm32-unknown-unknown/release/clc_wasm.wasm, before wasm-bindgen and wasm-opt): the proportions carry over.
// For the shipped code with its names: scripts/optimize-wasm.sh <wasm-bindgen's output> <out.wasm> --keep-names.
import { existsSync, mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";
import { LABEL, codeBodies, functionsText, leb, name, sections as sectionsOf } from "../scripts/wasm-sections.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

const SECTIONS = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

/** Section sizes, function body sizes and names of a wasm module. */
export function analyze(buf) {
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  for (const { id, at, start, end } of sectionsOf(buf)) {
    let label = SECTIONS[id] || `id${id}`;
    if (id === 0) {
      const [n] = name(buf, start);
      label = `custom "${n}"`;
      if (n === "name") readNames(buf, start, end, names);
    } else if (id === 2) {
      let [count, p] = leb(buf, start);
      for (let i = 0; i < count; i++) {
        [, p] = name(buf, p);
        [, p] = name(buf, p);
        const kind = buf[p++];
        if (kind === 0) {
          importedFunctions++;
          [, p] = leb(buf, p);
        } else if (kind === 1) {
          p += 1; // reftype
          const flags = buf[p++];
          [, p] = leb(buf, p);
          if (flags & 1) [, p] = leb(buf, p);
        } else if (kind === 2) {
          const flags = buf[p++];
          [, p] = leb(buf, p);
          if (flags & 1) [, p] = leb(buf, p);
        } else if (kind === 3) {
          p += 2; // valtype, mutability
        } else {
          [, p] = leb(buf, p); // tag
          [, p] = leb(buf, p);
        }
      }
    } else if (id === 10) {
      let [count, p] = leb(buf, start);
      for (let i = 0; i < count; i++) {
        const [len, q] = leb(buf, p);
        bodies.push({ index: importedFunctions + i, size: len + (q - p) });
        p = q + len;
      }
    }
    sections.push({ section: label, size: end - at });
  }
  const functions = bodies.map((b) => ({ ...b, name: names.get(b.index) || `func[${b.index}]` }));
  return { size: buf.length, sections, functions, named: names.size > 0 };
}

function readNames(buf, start, end, names) {
  let [, p] = name(buf, start);
  while (p < end) {
    const sub = buf[p];
    const [len, q] = leb(buf, p + 1);
    if (sub === 1) {
      let [count, r] = leb(buf, q);
      for (let i = 0; i < count; i++) {
        let idx;
        let n;
        [idx, r] = leb(buf, r);
        [n, r] = name(buf, r);
        names.set(idx, n);
      }
    }
    p = q + len;
  }
}

/** Groups Rust symbol names by crate (the first path segment, after demangling's usual prefixes). */
export function crateOf(fn) {
  const s = fn.replace(/^_ZN\d*|^<|^&/, "");
  const m = /^([A-Za-z_][A-Za-z0-9_]*)(::|\[|\d)/.exec(s);
  return m ? m[1] : "(other)";
}

/**
 * Which part of the code a function is, by the path its symbol name starts with: "edge" (src/js/, js-sys,
 * wasm-bindgen, and the shims and exports wasm-bindgen writes), "core" (the rest of clc_wasm) or "shared" (core,
 * alloc, talc: std's own functions and its generic ones, such as drop glue and iterators, whatever they are for).
 */
export function partOf(fn) {
  const path = fn.replace(/^[<&]+/, "");
  if (/^(clc_wasm::js::|js_sys|wasm_bindgen|__wbg|__wbindgen|__externref|clc(requests)?_(?!wasm::))|externref shim|-> Externref/.test(path)) return "edge";
  if (path.startsWith("clc_wasm::")) return "core";
  return "shared";
}

/**
 * What the code costs in the gzipped module (zlib -9, which writes about 1% more than GNU gzip): the gzip size of
 * the module without its name section, and what leaving out one function's body (`functions`, the costliest `top`),
 * or every body of one part at once (`parts`), takes off it. A function's cost counts only what gzip cannot code
 * from the rest, so the costs add up to less than the code's share, and a part's cost is more than the sum of its
 * functions'. The cut module is not valid wasm; it only stands for "these bytes were not there".
 */
export function gzipCosts(buf, top = 25) {
  const names = analyze(buf).functions;
  // The module without its name section (the bodies are found again in it: their offsets moved).
  const kept = sectionsOf(buf).filter(({ id, start }) => id !== 0 || name(buf, start)[0] !== "name");
  const bare = Buffer.concat([buf.subarray(0, 8), ...kept.map((s) => buf.subarray(s.at, s.end))]);
  const bodies = codeBodies(bare);
  const gz = (b) => gzipSync(b, { level: 9 }).length;
  const whole = gz(bare);
  const without = (drop) => {
    const pieces = [];
    let from = 0;
    for (const i of drop) {
      pieces.push(bare.subarray(from, bodies[i].start));
      from = bodies[i].end;
    }
    pieces.push(bare.subarray(from));
    return whole - gz(Buffer.concat(pieces));
  };
  const byPart = new Map();
  names.forEach((f, i) => {
    const part = partOf(f.name);
    byPart.set(part, [...(byPart.get(part) || []), i]);
  });
  const parts = [...byPart].map(([part, indices]) => ({
    part,
    functions: indices.length,
    raw: indices.reduce((n, i) => n + bodies[i].end - bodies[i].start, 0),
    gzip: without(indices),
  }));
  const functions = names
    .map((f, i) => ({ name: f.name, raw: bodies[i].end - bodies[i].start, gzip: without([i]) }))
    .sort((a, b) => b.gzip - a.gzip)
    .slice(0, top);
  // The core as a wasm of its own would hold: its functions and what they reach, the rest of the module as it is.
  const reach = coreReach(buf, names.map((f) => f.name));
  const outside = names.map((_, i) => i).filter((i) => !reach.has(i));
  const core_reach = {
    functions: reach.size,
    raw: [...reach].reduce((n, i) => n + bodies[i].end - bodies[i].start, 0),
    gzip: whole - without(outside),
  };
  return { gzip: whole, parts: parts.sort((a, b) => b.gzip - a.gzip), functions, core_reach };
}

/**
 * The functions (by their place in the code section) that the core's functions reach other than through the edge:
 * by a call, a `ref.func`, or a `call_indirect`, which may reach any function of the table with its signature.
 * Read from binaryen's text of the module (node_modules/.bin/wasm-dis), which names every call's target. `names`:
 * the functions' symbol names, as `analyze` reads them (given when the caller has them already).
 */
export function coreReach(buf, names = analyze(buf).functions.map((f) => f.name)) {
  const dir = mkdtempSync(join(tmpdir(), "clc-size-"));
  let text;
  try {
    writeFileSync(join(dir, "m.wasm"), buf);
    text = functionsText(join(dir, "m.wasm"));
  } finally {
    rmSync(dir, { recursive: true, force: true });
  }
  const { head, funcs, labels } = text;
  if (names.length !== funcs.length) throw new Error(`size: ${names.length} bodies but ${funcs.length} functions in the text`);
  const parts = names.map(partOf);
  // A signature as "params -> results", from a function's first line or a type's definition.
  const signature = (line) => {
    const types = (kind) => [...line.matchAll(new RegExp(String.raw`\(${kind} (?:\$\S+ )?([^()]+)\)`, "g"))].map((m) => m[1].trim()).join(" ");
    return `${types("param")} -> ${types("result")}`;
  };
  const signatures = funcs.map((f) => signature(f.slice(0, f.indexOf("\n"))));
  const typeSignature = new Map([...head.matchAll(/^ \(type (\$\S+) \(func(.*)\)\)$/gm)].map((m) => [m[1], signature(m[2])]));
  const index = new Map(labels.map((l, i) => [l, i]));
  const table = [];
  for (const elem of head.match(/^ \(elem .*$/gm) || []) {
    for (const m of elem.matchAll(new RegExp(LABEL, "g"))) if (index.has(m[0])) table.push(index.get(m[0]));
  }
  const target = new RegExp(String.raw`\((?:call|return_call|ref\.func) (${LABEL})`, "g");
  const indirect = /\(call_indirect\b[^\n]*?\(type (\$[^\s)]+)\)/g;
  const reach = new Set();
  const todo = [];
  const visit = (i) => {
    // An import, seen, or the edge's: a core of its own would have no edge, nor table entries for it.
    if (i === undefined || reach.has(i) || parts[i] === "edge") return;
    reach.add(i);
    todo.push(i);
  };
  parts.forEach((part, i) => part === "core" && visit(i));
  while (todo.length) {
    const f = funcs[todo.pop()];
    for (const m of f.matchAll(target)) visit(index.get(m[1]));
    for (const m of f.matchAll(indirect)) for (const t of table) if (signatures[t] === typeSignature.get(m[1])) visit(t);
  }
  return reach;
}

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const args = process.argv.slice(2).filter((a) => a !== "--gzip");
  const file = args[0] || join(root, "target/wasm32-unknown-unknown/release/clc_wasm.wasm");
  const top = Number(args[1] || 25);
  if (!existsSync(file)) {
    console.error(`${file} not found: run bash scripts/build.sh first`);
    process.exit(2);
  }
  const r = analyze(readFileSync(file));
  console.log(`${file}: ${r.size} bytes, ${r.functions.length} functions${r.named ? "" : " (no name section)"}`);
  console.log("\nSections:");
  for (const s of r.sections) console.log(`  ${String(s.size).padStart(9)}  ${s.section}`);
  const code = r.functions.reduce((a, f) => a + f.size, 0);
  const crates = new Map();
  for (const f of r.functions) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) || 0) + f.size);
  console.log("\nCode by crate (from symbol names):");
  for (const [c, size] of [...crates].sort((a, b) => b[1] - a[1]).slice(0, 15)) {
    console.log(`  ${String(size).padStart(9)}  ${((100 * size) / code).toFixed(1).padStart(5)}%  ${c}`);
  }
  console.log(`\nLargest ${top} functions:`);
  for (const f of [...r.functions].sort((a, b) => b.size - a.size).slice(0, top)) {
    console.log(`  ${String(f.size).padStart(9)}  ${((100 * f.size) / code).toFixed(1).padStart(5)}%  ${f.name.slice(0, 140)}`);
  }
  if (process.argv.includes("--gzip")) {
    const g = gzipCosts(readFileSync(file), top);
    console.log(`\nIn the gzipped module (zlib -9, no name section: ${g.gzip} B), what leaving code out takes off:`);
    console.log("  by part, all its functions at once (gzip / raw / functions):");
    for (const p of g.parts) console.log(`  ${String(p.gzip).padStart(9)}  ${String(p.raw).padStart(7)}  ${String(p.functions).padStart(4)}  ${p.part}`);
    console.log(`  the ${top} costliest functions, each alone (gzip / raw):`);
    for (const f of g.functions) console.log(`  ${String(f.gzip).padStart(9)}  ${String(f.raw).padStart(7)}  ${f.name.slice(0, 120)}`);
    const r = g.core_reach;
    console.log(`  the core alone (${r.functions} functions: its own, and std's it reaches not through the edge; ${r.raw} B raw), with all the data: ${r.gzip} B`);
  }
}
