// scripts/drop-panic-messages.mjs on small modules made here: it empties a core `Display` impl that is only in the
// function table and core's `panic_fmt`, and refuses to touch the module (exit code not 0) when such an impl is
// called directly, when there is none, or when there is no `panic_fmt`. Each module goes through wasm-as and
// wasm-dis first, so the script reads wasm-dis's own layout, as in the build; the rewritten text must assemble again.
// Usage: node tests/build/drop-panic-messages.mjs
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const bin = (name) => join(root, "node_modules/.bin", name);
const dir = mkdtempSync(join(tmpdir(), "clc-drop-panic-"));
const DISPLAY = '$"<u32 as core[c5930c85a12de822]::fmt::Display>::fmt"';
const PANIC = '$"core[c5930c85a12de822]::panicking::panic_fmt"';
let failed = 0;

/** The module's text as wasm-dis writes it, from wat written by hand. */
function canonical(name, wat) {
  const src = join(dir, `${name}.in.wat`);
  writeFileSync(src, wat);
  execFileSync(bin("wasm-as"), ["-g", src, "-o", join(dir, `${name}.wasm`)]);
  execFileSync(bin("wasm-dis"), [join(dir, `${name}.wasm`), "-o", join(dir, `${name}.wat`)]);
  return join(dir, `${name}.wat`);
}

function run(file) {
  return spawnSync("node", [join(root, "scripts/drop-panic-messages.mjs"), file], { encoding: "utf8" });
}

function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${detail}`}`);
  if (!ok) failed++;
}

const body = `(local i32) (local.set 0 (i32.add (local.get 0) (i32.const 7))) (local.get 0)`;
const panicking = `(func ${PANIC} (param i32 i32) (i32.store (local.get 0) (local.get 1)) (unreachable))
  (func $checks (export "checks") (param i32) (result i32)
    (if (i32.eqz (local.get 0)) (then (call ${PANIC} (i32.const 1048600) (i32.const 16))))
    (local.get 0))`;
const module = (callsIt, withPanic = true) => `(module
  (type $fmt (func (param i32 i32) (result i32)))
  (memory 17)
  (table 2 2 funcref)
  (elem (i32.const 0) func ${DISPLAY} $kept)
  (func ${DISPLAY} (type $fmt) (param i32 i32) (result i32) ${body})
  (func $kept (type $fmt) (param i32 i32) (result i32) ${callsIt ? `(call ${DISPLAY} (local.get 0) (local.get 1))` : body})
  ${withPanic ? panicking : ""}
  (export "kept" (func $kept)))
`;

{
  const file = canonical("only-in-table", module(false));
  const before = readFileSync(file, "utf8");
  const r = run(file);
  const after = readFileSync(file, "utf8");
  check("a Display impl reached only through the table is made unreachable", r.status === 0, r.stderr);
  const piece = (text, name) => text.split(/(?=^ \(func )/m).find((p) => p.startsWith(` (func ${name}`)) || "";
  check("its body is one unreachable", /^ \(func [^\n]*\n {2}\(unreachable\)\n \)\n?$/.test(piece(after, DISPLAY)), piece(after, DISPLAY));
  check("the other function is as it was", piece(after, "$kept") === piece(before, "$kept"));
  check("core's panic_fmt is one unreachable", /^ \(func [^\n]*\n {2}\(unreachable\)\n \)\n?$/.test(piece(after, PANIC)), piece(after, PANIC));
  check("its caller is as it was", piece(after, "$checks") === piece(before, "$checks") && /call \$"core/.test(piece(after, "$checks")));
  const again = spawnSync(bin("wasm-as"), ["-g", file, "-o", join(dir, "again.wasm")], { encoding: "utf8" });
  check("the rewritten text assembles", again.status === 0, again.stderr);
}
{
  const file = canonical("called-directly", module(true));
  const before = readFileSync(file, "utf8");
  const r = run(file);
  check("a Display impl called directly fails the script", r.status !== 0 && /called directly/.test(r.stderr), r.stderr);
  check("and leaves the module as it was", readFileSync(file, "utf8") === before);
}
{
  const file = canonical("no-panic", module(false, false));
  const before = readFileSync(file, "utf8");
  const r = run(file);
  check("a module without core's panic_fmt fails the script", r.status !== 0 && /panic_fmt not found/.test(r.stderr), r.stderr);
  check("and is left as it was", readFileSync(file, "utf8") === before);
}
{
  const file = canonical("none", `(module (func $kept (export "kept") (result i32) (i32.const 1)))`);
  const r = run(file);
  check("a module without any core Display or Debug impl fails the script", r.status !== 0 && /no core Display/.test(r.stderr), r.stderr);
}

rmSync(dir, { recursive: true, force: true });
console.log(failed ? `drop-panic-messages: ${failed} failed` : "drop-panic-messages: all passed");
process.exit(failed ? 1 : 0);
