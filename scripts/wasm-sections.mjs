// Reading a wasm module, shared by the build scripts that rewrite it (short-names, zero-panic-locations,
// order-functions) and by bench/size.mjs: its sections and the function bodies of its code section, from the
// binary; and binaryen's text of its functions. Each script reads the entries of the sections it needs itself.
//
//   import { leb, sections, codeBodies, functionsText } from "./wasm-sections.mjs";
//   const [count, next] = leb(buf, section.start); // an unsigned LEB128 and where the next field starts
//   for (const { id, at, start, end } of sections(buf)) ...; // `at` is the section id's byte, [start, end) its body
//   const bodies = codeBodies(buf); // [{ start, end }] of each defined function's body (its size byte(s) excluded)
//   const { funcs, labels } = functionsText("m.wasm"); // each defined function's text and `$name`, in order
import { execFileSync } from "node:child_process";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const bin = join(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin");

/** The wasm features rustc turns on for wasm32, as binaryen's tools take them (scripts/optimize-wasm.sh too). */
export const FEATURES = ["--enable-bulk-memory", "--enable-nontrapping-float-to-int", "--enable-sign-ext", "--enable-mutable-globals", "--enable-reference-types", "--enable-multivalue"];

/** A function's label in binaryen's text: `$name`, or `$"name"` when the name holds characters a label cannot. */
export const LABEL = String.raw`\$"(?:[^"\\]|\\.)*"|\$[^\s()]+`;

/** Reads an unsigned LEB128 at `pos`; returns [value, next position]. Exact up to 2^53. */
export function leb(buf, pos) {
  let value = 0;
  for (let shift = 0; ; shift += 7) {
    if (pos >= buf.length) throw new Error("wasm-sections: a number runs past the end of the module");
    const byte = buf[pos++];
    value += (byte & 0x7f) * 2 ** shift;
    if (byte < 0x80) return [value, pos];
  }
}

/** A name (a LEB128 length, then UTF-8) at `pos`; returns [name, next position]. */
export function name(buf, pos) {
  const [length, start] = leb(buf, pos);
  return [buf.toString("utf8", start, start + length), start + length];
}

/** The module's sections in file order: `id`, `at` (where the section starts), and its body as [start, end). */
export function sections(buf) {
  if (buf.length < 8 || buf.readUInt32LE(0) !== 0x6d736100) throw new Error("wasm-sections: not a wasm module");
  const found = [];
  for (let at = 8; at < buf.length; ) {
    const [size, start] = leb(buf, at + 1);
    const end = start + size;
    if (end > buf.length) throw new Error(`wasm-sections: section ${buf[at]} runs past the end of the module`);
    found.push({ id: buf[at], at, start, end });
    at = end;
  }
  return found;
}

/** The body of each function the code section defines, in order, as [start, end) in `buf`; [] without one. */
export function codeBodies(buf) {
  const code = sections(buf).find((s) => s.id === 10);
  if (!code) return [];
  const bodies = [];
  let [count, pos] = leb(buf, code.start);
  for (; count > 0; count--) {
    const [length, start] = leb(buf, pos);
    bodies.push({ start, end: start + length });
    pos = start + length;
  }
  return bodies;
}

/**
 * binaryen's text of the module in `file` (node_modules/.bin/wasm-dis), split around its defined functions, which
 * it prints last, one `(func` per line start: `head` (all before them), `funcs` (each one's text, in order),
 * `labels` (each one's label, see [`LABEL`]) and `tail`. No functions: `funcs` and `labels` are empty.
 */
export function functionsText(file) {
  const wat = execFileSync(join(bin, "wasm-dis"), [...FEATURES, file], { encoding: "utf8", maxBuffer: 1 << 28 });
  const first = wat.indexOf("\n (func ") + 1;
  const last = wat.lastIndexOf("\n)") + 1;
  if (first === 0 || last <= first) return { head: wat, funcs: [], labels: [], tail: "" };
  const funcs = wat.slice(first, last).split(/(?=^ \(func )/m);
  const label = new RegExp(String.raw`^ \(func (${LABEL})`);
  const labels = funcs.map((f) => f.match(label)[1]);
  return { head: wat.slice(0, first), funcs, labels, tail: wat.slice(last) };
}
