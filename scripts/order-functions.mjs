// Puts the wasm's functions in an order that gzip compresses better: after each function, the one left that deflate
// codes in the fewest bits per byte after the code already placed (-670 B gzip here, -883 B raw).
//
// Why it helps: deflate finds repeats only in the last 32 KB, and the code section is four times that. In rustc's
// order the copies of one generic function (ten `Vec::insert`s, a hundred `drop_in_place`s) and the functions
// written alike lie far apart, each coded afresh; side by side, each copy is mostly a reference to the one before.
// How: a greedy walk. The 64 functions left most like the last one placed (the Jaccard index of their sets of
// four-instruction sequences, in binaryen's text with names and numbers blanked) are each deflated with the last
// 32 KB placed as a preset dictionary, and the cheapest per byte goes next. (Trying every function left gained
// nothing more, in three times the time.) A call names its function by an index, in one byte below 128: the 16
// functions called from the most places (more than one) are placed first, among themselves, for short indices.
// The order is worked out on `<measured.wasm>`, the module as it will ship, and applied to `<in.wasm>`, the same
// functions by name before the last wasm-opt pass (which keeps their order): rewriting the shipped module's text
// itself would undo some of wasm-opt's stack-level savings (binaryen's text has no stack form).
// Why it is safe: the order of a module's functions means nothing to it. The module is rewritten as text by
// binaryen (wasm-dis, then wasm-as, which validates it), where every call, export and table entry names its
// function, so each still reaches the same code. The script fails unless both modules' functions have names, and
// the new module holds the same functions.
// Usage: node scripts/order-functions.mjs <measured.wasm> <in.wasm> <out.wasm>   (both inputs with names; so is out)
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { deflateRawSync } from "node:zlib";
import { FEATURES, codeBodies, functionsText } from "./wasm-sections.mjs";

const [measuredFile, input, output] = process.argv.slice(2);
const fail = (why) => {
  throw new Error(`order-functions: ${why}`);
};
const CANDIDATES = 64;
// How many of the most-called functions take the first indices. Each saves a byte per call, but placed apart from
// their like they compress worse: 0, 8, 15, 16, 20, 30 and all 61 one-byte indices gave 56,465, 56,397, 56,356,
// 56,361, 56,386, 56,432 and 56,592 B gzip (on the build just before ApiRequest::into_data).
const SHORT_INDEXED = 16;
const WINDOW = 32768;
const bin = join(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin");
const dir = mkdtempSync(join(tmpdir(), "order-functions-"));

/** The function bodies of a module's code section, in order. */
function bodies(buf) {
  const found = codeBodies(buf);
  if (found.length === 0) fail("no code section");
  return found.map(({ start, end }) => buf.subarray(start, end));
}

/** A module's text split around its defined functions (see `functionsText`), which must all have names. */
function text(file) {
  const split = functionsText(file);
  if (split.funcs.length === 0) fail(`${file}: no functions in its text`);
  // Without a name section, binaryen labels functions by index ($123), which change with the order.
  if (split.labels.some((label) => /^\$\d+$/.test(label))) fail(`${file}: its functions have no names`);
  if (new Set(split.labels).size !== split.labels.length) fail(`${file}: two functions share a name`);
  return split;
}

try {
  // ---- the order, from the module as it will ship -----------------------------------------------------------
  const measured = text(measuredFile);
  const code = bodies(readFileSync(measuredFile));
  if (code.length !== measured.funcs.length) fail(`${code.length} bodies, ${measured.funcs.length} functions in the text`);
  const shapes = measured.funcs.map((f) => {
    const words = f.replace(/\$("[^"]*"|\S+)/g, "$").replace(/-?\d+/g, "0").split(/[\s()]+/).filter(Boolean);
    const set = new Set();
    for (let i = 0; i + 4 <= words.length; i++) set.add(words.slice(i, i + 4).join(" "));
    return set;
  });
  const likeness = (a, b) => {
    const [small, large] = a.size < b.size ? [a, b] : [b, a];
    let shared = 0;
    for (const word of small) if (large.has(word)) shared++;
    return shared / (a.size + b.size - shared || 1);
  };
  const imports = (measured.head.match(/^ \(import .*\(func /gm) || []).length;
  const callers = new Map(measured.labels.map((label) => [label, 0]));
  for (const f of measured.funcs) {
    for (const [, callee] of f.matchAll(/\(call (\$(?:"(?:[^"\\]|\\.)*"|[^\s)]+))/g)) {
      if (callers.has(callee)) callers.set(callee, callers.get(callee) + 1);
    }
  }
  const byCallers = [...code.keys()].sort((a, b) => callers.get(measured.labels[b]) - callers.get(measured.labels[a]) || a - b);
  const short = byCallers
    .slice(0, Math.min(SHORT_INDEXED, Math.max(0, 128 - imports)))
    .filter((i) => callers.get(measured.labels[i]) > 1);
  const order = [];
  let placed = Buffer.alloc(0);
  for (const group of [short, byCallers.filter((i) => !short.includes(i))]) {
    const left = new Set(group.sort((a, b) => a - b));
    while (left.size > 0) {
      const previous = order.length > 0 ? shapes[order[order.length - 1]] : new Set();
      const candidates = [...left]
        .map((i) => [likeness(previous, shapes[i]), i])
        .sort((a, b) => b[0] - a[0] || a[1] - b[1])
        .slice(0, CANDIDATES);
      const dictionary = placed.subarray(Math.max(0, placed.length - WINDOW));
      let best = -1;
      let cheapest = Infinity;
      for (const [, i] of candidates) {
        const cost = deflateRawSync(code[i], { level: 9, dictionary }).length / Math.max(1, code[i].length);
        if (cost < cheapest) [cheapest, best] = [cost, i];
      }
      order.push(best);
      left.delete(best);
      placed = Buffer.concat([dictionary, code[best]]);
    }
  }

  // ---- applied by name; functions the last pass drops keep their order, after the rest ------------------------
  const target = text(input);
  const rank = new Map(order.map((i, at) => [measured.labels[i], at]));
  const placedIn = [...target.funcs.keys()].sort(
    (a, b) => (rank.get(target.labels[a]) ?? Infinity) - (rank.get(target.labels[b]) ?? Infinity) || a - b,
  );
  const missing = measured.labels.filter((label) => !target.labels.includes(label));
  if (missing.length > 0) fail(`${missing.length} functions of ${measuredFile} are not in ${input}, such as ${missing[0]}`);
  writeFileSync(join(dir, "ordered.wat"), target.head + placedIn.map((i) => target.funcs[i]).join("") + target.tail);
  execFileSync(join(bin, "wasm-as"), [...FEATURES, "-g", join(dir, "ordered.wat"), "-o", output]);
  const written = text(output);
  if (written.labels.join("\n") !== placedIn.map((i) => target.labels[i]).join("\n")) fail("the module written holds other functions");
  console.log(`order-functions: ${code.length} functions placed in the order gzip codes best`);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
