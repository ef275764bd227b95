// Zeroes the panic locations in the wasm's data: each `core::panic::Location` (file, line, column: 16 bytes) and
// the file paths they name (`src/js/session.rs`, `/rustc/<hash>/library/alloc/src/raw_vec/mod.rs`, ...): 106
// locations and 649 B of paths here, data that gzip cannot shrink much (-742 B gzip once zeroed).
//
// Why it is safe: a Location is only ever handed to a panic, and the shipped wasm's panics all trap without
// reading it (src/lib.rs's handler; scripts/drop-panic-messages.mjs makes core's panic functions trap at once, so
// wasm-opt drops the code that passed the locations). The bytes keep their places, so no address moves. The
// script checks rather than trusts that: it only zeroes a location that no instruction names (no `i32.const` and
// no load or store offset inside it) and no data word points into, and a path only when no instruction names it
// and nothing but zeroed locations points into it; it fails if it finds no location at all (the layout changed).
// Usage: node scripts/zero-panic-locations.mjs <module.wasm>  (rewrites the file; needs binaryen's wasm-dis)
import { execFileSync } from "node:child_process";
import { readFileSync, writeFileSync } from "node:fs";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { leb, sections } from "./wasm-sections.mjs";

const file = process.argv[2];
const fail = (why) => {
  throw new Error(`zero-panic-locations: ${why}`);
};
const wasm = Buffer.from(readFileSync(file));

/** The active data segments: their start address and where their bytes are in the file. */
function segments(buf) {
  const data = sections(buf).find((s) => s.id === 11);
  if (!data) return [];
  const found = [];
  let [count, pos] = leb(buf, data.start);
  for (; count > 0; count--) {
    let flags;
    [flags, pos] = leb(buf, pos);
    // rustc writes only active segments into memory 0 at an `i32.const` address (flag 0).
    if (flags !== 0 || buf[pos++] !== 0x41) fail("a data segment that is not `i32.const` placed");
    // The address is a signed LEB128; rustc's are below 2^31, so read as unsigned they are the same.
    let address;
    [address, pos] = leb(buf, pos);
    if (buf[pos++] !== 0x0b) fail("a data segment's address is not a lone constant");
    let length;
    [length, pos] = leb(buf, pos);
    found.push({ address, at: pos, bytes: buf.subarray(pos, pos + length) });
    pos += length;
  }
  return found;
}

const segs = segments(wasm);
/** The segment holding `address`, if any. */
const segmentOf = (address) => segs.find((s) => address >= s.address && address < s.address + s.bytes.length);
const byteAt = (address) => segmentOf(address)?.bytes[address - segmentOf(address).address];
/** Every 4-aligned data word, as [address, value]. */
const words = segs.flatMap((s) => {
  const out = [];
  for (let i = (4 - (s.address % 4)) % 4; i + 4 <= s.bytes.length; i += 4) out.push([s.address + i, s.bytes.readUInt32LE(i)]);
  return out;
});
const wordAt = new Map(words);

// The constants the code names: every `i32.const` and every load or store offset (with --low-memory-unused,
// wasm-opt folds constant addresses into offsets), but not the data segments' own start addresses.
const binaryen = join(dirname(fileURLToPath(import.meta.url)), "../node_modules/.bin/wasm-dis");
const text = execFileSync(binaryen, ["--all-features", file], { maxBuffer: 1 << 28 })
  .toString()
  .replace(/^ \(data .*$/gm, "");
const named = [...text.matchAll(/\(i32\.const (-?\d+)\)|offset=(\d+)/g)].map((m) => Number(m[1] ?? m[2]) >>> 0);
const namedIn = (start, end) => named.some((n) => n >= start && n < end);

const isPath = (start, length) => {
  let path = "";
  for (let i = 0; i < length; i++) {
    const b = byteAt(start + i);
    if (b === undefined || b < 0x21 || b > 0x7e) return false;
    path += String.fromCharCode(b);
  }
  return /^[\w./-]+\.rs$/.test(path);
};

// A location: a file field (pointer, length) naming a path in the data, then a line and a column.
const locations = words.filter(([address, pointer]) => {
  const length = wordAt.get(address + 4);
  const line = wordAt.get(address + 8);
  const column = wordAt.get(address + 12);
  return length > 3 && length < 512 && line > 0 && line < 1e6 && column > 0 && column < 1e4 && isPath(pointer, length);
});
if (locations.length === 0) fail("no panic location found: did core::panic::Location's layout change?");

const zero = (start, length) => {
  for (let address = start; address < start + length; address++) {
    const seg = segmentOf(address);
    seg.bytes[address - seg.address] = 0;
  }
};
const kept = [];
/** A location as path:line:column. */
const where = (address) => {
  const pointer = wordAt.get(address);
  const path = Array.from({ length: wordAt.get(address + 4) }, (_, i) => String.fromCharCode(byteAt(pointer + i))).join("");
  return `${path}:${wordAt.get(address + 8)}:${wordAt.get(address + 12)}`;
};
const zeroed = new Set();
for (const [address] of locations) {
  // Pointed to by a data word (a static holding `&Location`) or named by the code: some code may still read it.
  const pointedTo = words.some(([, value]) => value >= address && value < address + 16);
  if (pointedTo || namedIn(address, address + 16)) kept.push(address);
  else zeroed.add(address);
}
const paths = new Map(locations.map(([address, pointer]) => [pointer, wordAt.get(address + 4)]));
let pathBytes = 0;
for (const [pointer, length] of paths) {
  // Only locations' file fields may point into the path, and only zeroed ones.
  const pointers = words.filter(([, value]) => value >= pointer && value < pointer + length);
  if (namedIn(pointer, pointer + length) || !pointers.every(([address]) => zeroed.has(address))) continue;
  zero(pointer, length);
  pathBytes += length;
}
for (const address of zeroed) zero(address, 16);
writeFileSync(file, wasm);
// A kept location's path is kept too (the location points to it), so it can still be read here.
console.log(
  `zero-panic-locations: ${zeroed.size} locations and ${pathBytes} bytes of file paths zeroed` +
    (kept.length ? `; ${kept.length} kept, still named by the code or the data: ${kept.map(where).join(", ")}` : ""),
);
