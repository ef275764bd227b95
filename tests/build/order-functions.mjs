// scripts/order-functions.mjs on a module made here, whose functions come in ten families of near copies, written
// interleaved (a1 b1 c1 ... a2 b2 c2 ...): the module it writes computes the same through every export and
// table entry, holds the same functions, places each family's copies side by side and gzips smaller; it fails
// (exit code not 0) on a module without names and when the measured module holds a function the input lacks.
// Usage: node tests/build/order-functions.mjs
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { gzipSync } from "node:zlib";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = join(root, "node_modules/.bin");
const dir = mkdtempSync(join(tmpdir(), "clc-order-functions-"));
let failed = 0;

function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${detail}`}`);
  if (!ok) failed++;
}

// Ten families of three functions each, alike within a family but for their constants, and each about 4 KB: written
// interleaved, a family's copies are 40 KB apart, beyond the 32 KB deflate looks back.
const OPS = ["i32.add", "i32.mul", "i32.xor", "i32.rotl", "i32.sub", "i32.or"];
const FAMILIES = 10;
const COPIES = 3;
/** Family `f`'s body for copy `k`: `k` added, then a chain of mixes drawn from a generator seeded by `f`. */
function body(f, k) {
  let seed = f * 2654435761;
  const next = () => (seed = (Math.imul(seed, 1103515245) + 12345) >>> 0) >>> 16;
  const mixes = Array.from({ length: 600 }, () => `(local.set $x (${OPS[next() % OPS.length]} (local.get $x) (i32.const ${next() % 5000})))`);
  return [`(local.set $x (i32.add (local.get $x) (i32.const ${k})))`, ...mixes].join("\n    ");
}
const names = [];
const funcs = [];
for (let k = 1; k <= COPIES; k++) {
  for (let f = 0; f < FAMILIES; f++) {
    const name = `f${f}copy${k}`;
    names.push(name);
    // Each calls the one before it, so calls must still reach the right function after the move.
    const call = names.length > 1 ? `(local.set $x (i32.add (local.get $x) (call $${names[names.length - 2]} (i32.const ${k}))))` : "";
    funcs.push(` (func $${name} (param $x i32) (result i32)\n    ${body(f, k)}\n    ${call}\n    (local.get $x))`);
  }
}
const wat = `(module
 (type $unary (func (param i32) (result i32)))
 (table 4 funcref)
 (elem (i32.const 0) $f1copy2 $f5copy3 $f9copy1 $f0copy1)
 (func $indirect (export "indirect") (param $slot i32) (param $x i32) (result i32)
    (call_indirect (type $unary) (local.get $x) (local.get $slot)))
${funcs.join("\n")}
${names.map((n) => ` (export "${n}" (func $${n}))`).join("\n")}
)`;

function build(name, text, withNames = true) {
  const src = join(dir, `${name}.wat`);
  writeFileSync(src, text);
  const file = join(dir, `${name}.wasm`);
  execFileSync(join(bin, "wasm-as"), [...(withNames ? ["-g"] : []), src, "-o", file]);
  return file;
}
const run = (measured, input, output) =>
  spawnSync("node", [join(root, "scripts/order-functions.mjs"), measured, input, output], { encoding: "utf8" });
/** The defined functions' names, in the module's order. */
const order = (file) =>
  [...execFileSync(join(bin, "wasm-dis"), [file], { maxBuffer: 1 << 28 }).toString().matchAll(/^ \(func \$(\S+)/gm)].map((m) => m[1]);
/** What every export and table slot returns, for a few inputs. */
async function results(file) {
  const { instance } = await WebAssembly.instantiate(readFileSync(file));
  const out = [];
  for (const x of [0, 1, 999, 123456, -7]) {
    for (const n of names) out.push(instance.exports[n](x));
    for (let slot = 0; slot < 4; slot++) out.push(instance.exports.indirect(slot, x));
  }
  return out;
}

try {
  const input = build("in", wat);
  const output = join(dir, "out.wasm");
  const ran = run(input, input, output);
  check("it runs", ran.status === 0, ran.stderr);
  if (ran.status === 0) {
    check("every export and table slot computes the same", (await results(input)).join() === (await results(output)).join());
    const placed = order(output).filter((n) => names.includes(n));
    check("the same functions", [...placed].sort().join() === [...names].sort().join(), placed.join());
    const together = Array.from({ length: FAMILIES }, (_, f) => `f${f}copy`).every((family) => {
      const at = placed.flatMap((n, i) => (n.startsWith(family) ? [i] : []));
      return at[at.length - 1] - at[0] === at.length - 1;
    });
    check("each family's copies side by side", together, placed.join(" "));
    const size = (file) => gzipSync(readFileSync(file), { level: 9 }).length;
    check("gzipped smaller", size(output) < size(input), `${size(input)} -> ${size(output)} B`);
  }
  const unnamed = build("unnamed", wat, false);
  check("fails on a module without names", run(unnamed, unnamed, join(dir, "x.wasm")).status !== 0);
  // The input without the last function (nothing calls it), the measured module with it.
  const last = names[names.length - 1];
  const fewer = build("fewer", wat.slice(0, wat.lastIndexOf(` (func $${last} `)) + wat.slice(wat.indexOf("\n (export")).replace(`\n (export "${last}" (func $${last}))`, ""));
  check("fails when the measured module holds a function the input lacks", run(input, fewer, join(dir, "y.wasm")).status !== 0);
} finally {
  rmSync(dir, { recursive: true, force: true });
}
console.log(failed ? `order-functions: ${failed} failed` : "order-functions: all passed");
process.exit(failed ? 1 : 0);
