// Where the wasm bytes go, without installing twiggy: section sizes and the largest functions by code size, read
// from the module's own name section. Usage: node bench/size.mjs [file.wasm] [top N]
// The shipped pkg/clc_wasm_bg.wasm has had its names stripped by wasm-opt, so by default this reads cargo's output
// (target/wasm32-unknown-unknown/release/clc_wasm.wasm, before wasm-bindgen and wasm-opt): the proportions carry over.
import { readFileSync, existsSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. */
function leb(buf, pos) {
  let result = 0;
  let shift = 0;
  for (;;) {
    const byte = buf[pos++];
    result += (byte & 0x7f) * 2 ** shift;
    shift += 7;
    if (byte < 0x80) return [result, pos];
  }
}

function name(buf, pos) {
  const [len, p] = leb(buf, pos);
  return [buf.toString("utf8", p, p + len), p + len];
}

const SECTIONS = ["custom", "type", "import", "function", "table", "memory", "global", "export", "start", "element", "code", "data", "datacount"];

/** Section sizes, function body sizes and names of a wasm module. */
export function analyze(buf) {
  if (buf.readUInt32LE(0) !== 0x6d736100) throw new Error("not a wasm module");
  let pos = 8;
  const sections = [];
  let importedFunctions = 0;
  const bodies = [];
  const names = new Map();
  while (pos < buf.length) {
    const id = buf[pos];
    const [size, start] = leb(buf, pos + 1);
    const end = start + size;
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
    sections.push({ section: label, size: end - pos });
    pos = end;
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

if (process.argv[1] === fileURLToPath(import.meta.url)) {
  const file = process.argv[2] || join(root, "target/wasm32-unknown-unknown/release/clc_wasm.wasm");
  const top = Number(process.argv[3] || 25);
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
}
