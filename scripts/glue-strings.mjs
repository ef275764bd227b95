// Speeds up how wasm-bindgen's glue (pkg's clc_wasm.js) copies a JS string into the wasm. The glue copies one UTF-16
// code unit at a time in a JS loop while the text is ASCII, and only hands the rest to `TextEncoder.encodeInto`.
// An answer's body is a string of up to megabytes: for 660 KB that loop takes about 4 ms in V8, one `encodeInto`
// about 0.1 ms. A call to `encodeInto` has a fixed cost (about 0.5 µs in Chromium, where the loop copies 64
// characters in 0.17 µs), so the loop stays for strings of up to 256 code units, where the two cross over.
// For longer ones the patch tries one `encodeInto` into the `len` bytes first: it reads every code unit only if
// each fits in one byte, that is when the text is ASCII; otherwise nothing is kept of it and the glue's own path
// (the loop, then the rest in up to 3 bytes a code unit) runs from 0.
// Fails the build if the glue's loop is not found exactly once (a new wasm-bindgen must be looked at again).
// Usage: node scripts/glue-strings.mjs <clc_wasm.js>
import { readFileSync, writeFileSync } from "node:fs";

const file = process.argv[2];
const glue = readFileSync(file, "utf8");
const loop = `    for (; offset < len; offset++) {
        const code = arg.charCodeAt(offset);
        if (code > 0x7F) break;
        mem[ptr + offset] = code;
    }
`;
const found = glue.split(loop).length - 1;
if (found !== 1) throw new Error(`glue-strings: passStringToWasm0's ASCII loop found ${found} times, not once`);
writeFileSync(
  file,
  glue.replace(
    loop,
    () => `    if (len > 256 && cachedTextEncoder.encodeInto(arg, mem.subarray(ptr, ptr + len)).read === len) offset = len;\n${loop}`,
  ),
);
