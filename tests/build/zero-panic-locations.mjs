// scripts/zero-panic-locations.mjs on small modules made here: it zeroes a panic location nothing names and the
// path only it names; it keeps a location the code names or a data word points to, a path a kept location names,
// and every other byte; and it fails (exit code not 0) on a module without any location.
// Usage: node tests/build/zero-panic-locations.mjs
import { execFileSync, spawnSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "clc-zero-locations-"));
let failed = 0;

function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${detail}`}`);
  if (!ok) failed++;
}

/** A data segment's bytes as a wat string. */
const bytes = (buf) => [...buf].map((b) => `\\${b.toString(16).padStart(2, "0")}`).join("");
const u32s = (...values) => {
  const buf = Buffer.alloc(4 * values.length);
  values.forEach((v, i) => buf.writeUInt32LE(v, 4 * i));
  return buf;
};

// The data, from 1048576 (0x100000): three paths, five locations, a pointer to one of them and a message.
const BASE = 1048576;
const layout = [
  ["gone", Buffer.from("src/gone.rs\0")], // 1048576, 11 bytes (and a pad)
  ["named", Buffer.from("src/named.rs")], // 1048588, 12 bytes
  ["shared", Buffer.from("src/shared.rs\0\0\0")], // 1048600, 13 bytes
  ["loc gone", u32s(BASE, 11, 42, 9)], // 1048616: nothing names it
  ["loc gone 2", u32s(BASE, 11, 57, 13)], // 1048632: nothing names it either
  ["loc named", u32s(BASE + 12, 12, 7, 5)], // 1048648: an i32.const names it
  ["loc shared zeroed", u32s(BASE + 24, 13, 1, 1)], // 1048664: nothing names it
  ["loc shared kept", u32s(BASE + 24, 13, 2, 1)], // 1048680: the pointer below names it
  ["pointer", u32s(BASE + 104)], // 1048696
  ["message", Buffer.from("the request failed")], // 1048700
];
const data = Buffer.concat(layout.map(([, b]) => b));
const at = (label) => {
  let offset = 0;
  for (const [name, b] of layout) {
    if (name === label) return offset;
    offset += b.length;
  }
  throw new Error(label);
};

function build(name, wat) {
  const src = join(dir, `${name}.wat`);
  writeFileSync(src, wat);
  const file = join(dir, `${name}.wasm`);
  execFileSync(join(root, "node_modules/.bin/wasm-as"), [src, "-o", file]);
  return file;
}
const run = (file) => spawnSync("node", [join(root, "scripts/zero-panic-locations.mjs"), file], { encoding: "utf8" });

{
  const file = build(
    "module",
    `(module (memory 17)
      (data (i32.const ${BASE}) "${bytes(data)}")
      (func (export "named") (result i32) (i32.const ${BASE + at("loc named")})))`,
  );
  const original = readFileSync(file);
  const place = original.indexOf(data);
  const r = run(file);
  check("the script succeeds", r.status === 0, r.stderr);
  const rewritten = readFileSync(file);
  check("the module keeps its length", rewritten.length === original.length);
  const before = original.subarray(place, place + data.length);
  const after = rewritten.subarray(place, place + data.length);
  const slice = (buf, label) => buf.subarray(at(label), at(label) + layout.find(([n]) => n === label)[1].length);
  const zeroed = (label) => slice(after, label).every((b) => b === 0);
  const kept = (label) => slice(after, label).equals(slice(before, label));
  check("a location nothing names is zeroed", zeroed("loc gone") && zeroed("loc gone 2"));
  check("a path only zeroed locations name is zeroed", zeroed("gone"));
  check("a location the code names is kept, and its path", kept("loc named") && kept("named"));
  check("a location a data word points to is kept", kept("loc shared kept") && kept("pointer"));
  check("a path a kept location names is kept", kept("shared"));
  check("another location naming that path is still zeroed", zeroed("loc shared zeroed"));
  check("other data is kept", kept("message"));
  check("the report counts them", /3 locations and 11 bytes of file paths zeroed; 2 kept/.test(r.stdout), r.stdout);
  const valid = spawnSync(join(root, "node_modules/.bin/wasm-dis"), [file, "-o", join(dir, "again.wat")], { encoding: "utf8" });
  check("the module still reads", valid.status === 0, valid.stderr);
}
{
  const file = build("none", `(module (memory 17) (data (i32.const ${BASE}) "the request failed src/a.rs"))`);
  const before = readFileSync(file);
  const r = run(file);
  check("a module without any location fails the script", r.status !== 0 && /no panic location/.test(r.stderr), r.stderr);
  check("and is left as it was", readFileSync(file).equals(before));
}

rmSync(dir, { recursive: true, force: true });
console.log(failed ? `zero-panic-locations: ${failed} failed` : "zero-panic-locations: all passed");
process.exit(failed ? 1 : 0);
