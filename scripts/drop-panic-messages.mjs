// Takes the code that formats panic messages out of the wasm: the `Display` and `Debug` impls that core's panics
// point at (`<u32 as Display>::fmt` for "index out of bounds: the len is {} but the index is {}", `BorrowError`'s
// for "already borrowed", `&str`'s for `expect`), and with them `Formatter::pad`, `pad_integral`, the digit
// tables and `str::count`.
//
// Why they are there at all: the shipped wasm's panic handler (src/lib.rs) traps and never reads its message, but
// core builds each message's `fmt::Arguments` before calling it, and those hold the impls as function-table
// indices. wasm-opt keeps every function in the table (a `call_indirect` could pick any of them), so the impls and
// everything they call stay, about 1 KB gzip, for messages nobody formats.
//
// What it does: in a module that still has its names (wasm-opt -g), every function whose name is a core `Display`
// or `Debug` impl's `fmt` gets the body `unreachable`; the wasm-opt run after this one drops what only they
// called. That changes nothing a caller can see: the only caller of such a function is core's formatting, and
// the only formatting in the module is of panic messages, whose every path ends in the handler's trap. The script
// fails instead of rewriting if any function calls one of them directly (real formatting, which would then trap),
// or if it finds none (the names changed, so it would silently do nothing).
//
// It also gives core's and alloc's panic entry points (`panic_fmt`, `panic_bounds_check`, `handle_error`, the
// RefCell and `expect` failures, ...) the body `unreachable` (-786 B gzip). Each of them only builds a message for
// the handler, which traps; now they trap at once, the same outcome, so wasm-opt inlines the trap into their about
// 100 callers and drops the arguments they computed for it, among them the panic locations, whose data
// scripts/zero-panic-locations.mjs then zeroes. The script fails if it finds no `panic_fmt` (the names changed).
// Usage: node scripts/drop-panic-messages.mjs <module.wat>  (rewrites the file; the text of wasm-dis)
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const fail = (why) => {
  throw new Error(`drop-panic-messages: ${why}`);
};
const text = readFileSync(file, "utf8");

// wasm-dis writes each function as ` (func $name ...` at the start of a line, its body indented below, and ` )`.
const NAME = String.raw`\$(?:"(?:[^"\\]|\\.)*"|[^\s()"]+)`;
const FORMATTING = /^\$"<[^"]* as core\[[0-9a-f]+\]::fmt::(?:Display|Debug)>::fmt"$/;
const FUNC = new RegExp(`^ \\(func (${NAME})`);
const pieces = text.split(/(?=^ \(func )/m).map((piece) => ({ piece, name: FUNC.exec(piece)?.[1] }));
const dropped = new Set(pieces.map((p) => p.name).filter((name) => name && FORMATTING.test(name)));
if (dropped.size === 0) fail("no core Display or Debug impl found: did wasm-opt keep the names (-g)?");
// core's and alloc's panic entry points: each builds its message's arguments and calls the handler, which traps.
const PANICS =
  /^\$"(?:core\[[0-9a-f]+\]::(?:panicking::|cell::(?:lazy::)?panic_|option::expect_failed|result::unwrap_failed)|alloc\[[0-9a-f]+\]::(?:raw_vec::handle_error|alloc::handle_alloc_error))/;
const panics = new Set(pieces.map((p) => p.name).filter((name) => name && PANICS.test(name)));
if (![...panics].some((name) => name.endsWith('::panicking::panic_fmt"'))) fail("core's panic_fmt not found");

const calls = new RegExp(`\\((?:call|return_call) (${NAME})\\)?`, "g");
const out = pieces.map(({ piece, name }) => {
  for (const m of piece.matchAll(calls)) {
    if (dropped.has(m[1])) fail(`${m[1]} is called directly, not only through a panic message`);
  }
  if (!dropped.has(name) && !panics.has(name)) return piece;
  // The first line holds the name, the type and the params; the rest (locals, body) becomes one `unreachable`.
  const end = piece.indexOf("\n )\n");
  if (end < 0) fail(`the end of ${name} was not found`);
  const first = piece.slice(0, piece.indexOf("\n"));
  return `${first}\n  (unreachable)\n )\n${piece.slice(end + 4)}`;
});
writeFileSync(file, out.join(""));
console.log(
  `drop-panic-messages: ${dropped.size} formatting functions and ${panics.size} panic entry points made unreachable`,
);
