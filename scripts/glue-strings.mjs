// Changes how wasm-bindgen's glue (pkg's clc_wasm.js) copies a JS string into the wasm.
//
// Faster: the glue copies one UTF-16 code unit at a time in a JS loop while the text is ASCII, and only hands the
// rest to `TextEncoder.encodeInto`. An answer's body is a string of up to megabytes: for 660 KB that loop takes
// about 4 ms in V8, one `encodeInto` about 0.1 ms. A call to `encodeInto` has a fixed cost (about 0.5 µs in
// Chromium, where the loop copies 64 characters in 0.17 µs), so the loop stays for strings of up to 256 code units,
// where the two cross over. For longer ones the patch tries one `encodeInto` into the `len` bytes first: it reads
// every code unit only if each fits in one byte, that is when the text is ASCII; otherwise nothing is kept of it
// and the glue's own path (the loop, then the rest in up to 3 bytes a code unit) runs from 0.
//
// Smaller: it drops passStringToWasm0's branch for a call without `realloc` (its one caller always passes it), and
// the `encodeInto` stand-in for runtimes without it (every runtime the package supports has it: Chromium 74,
// Firefox 66, Safari 14.1, Node 12, Deno, Bun, workerd).
//
// Fails the build if what it changes is not found exactly once (a new wasm-bindgen must be looked at again).
// Usage: node scripts/glue-strings.mjs <clc_wasm.js>
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const loop = `    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
`;
const noRealloc = `    if (realloc === undefined) {
        const buf = cachedTextEncoder.encode(arg);
        const ptr = malloc(buf.length, 1) >>> 0;
        getUint8ArrayMemory0().subarray(ptr, ptr + buf.length).set(buf);
        WASM_VECTOR_LEN = buf.length;
        return ptr;
    }
`;
const standIn = `if (!('encodeInto' in cachedTextEncoder)) {
    cachedTextEncoder.encodeInto = function (arg, view) {
        const buf = cachedTextEncoder.encode(arg);
        view.set(buf);
        return {
            read: arg.length,
            written: buf.length
        };
    };
}
`;

const count = (text, part) => text.split(part).length - 1;
const once = (text, from, to) => {
  const found = count(text, from);
  if (found !== 1) throw new Error(`glue-strings: ${JSON.stringify(from.slice(0, 50))}... found ${found} times, not once`);
  return text.replace(from, () => to);
};

let glue = readFileSync(file, "utf8");
const calls = count(glue, "passStringToWasm0(");
// Its malloc and realloc, under whatever names scripts/short-names.mjs gave them.
const withRealloc = [...glue.matchAll(/passStringToWasm0\(\w+, wasm\.[\w$]+, wasm\.[\w$]+\)/g)].length;
if (calls !== 2 || withRealloc !== 1) {
  throw new Error(`glue-strings: passStringToWasm0 is not called once with realloc (${calls - 1} calls): look again`);
}
glue = once(glue, loop, `    if (len > 256 && cachedTextEncoder.encodeInto(arg, mem.subarray(ptr, ptr + len)).read === len) offset = len;\n${loop}`);
glue = once(glue, noRealloc, "");
glue = once(glue, standIn, "");
writeFileSync(file, glue);
