// Appends to wasm-bindgen's glue (pkg's clc_wasm.js) a guard for freed clients. After `clc.free()` the object's
// pointer is 0, and the generated methods would pass it on: the wasm then throws "null pointer passed to rust"
// from inside Rust frames, which is both a raw, unhelpful error and a JS exception unwinding through the wasm
// (each one leaks some of its stack; a few thousand kill the instance). The guard answers before the wasm is
// entered: methods of `Clc` (all of which return promises) reject, and getters and `ClcRequests` methods throw, a
// ClcError saying the client was freed; a second `free()` does nothing.
// Usage: node scripts/guard-glue.mjs <clc_wasm.js>
import { appendFileSync } from "node:fs";

appendFileSync(
  process.argv[2],
  `
function clcFreed() {
  const e = new Error("this client was freed: make a new one with Clc.login or new Clc");
  e.name = "ClcError";
  return Object.assign(e, { kind: "validation", details: [] });
}
for (const C of [Clc, ClcRequests]) {
  for (const key of Object.getOwnPropertyNames(C.prototype)) {
    const d = Object.getOwnPropertyDescriptor(C.prototype, key);
    const f = d.get || d.value;
    if (key === "constructor" || key.startsWith("__") || typeof f !== "function") continue;
    const guarded = function (...args) {
      if (this.__wbg_ptr) return f.apply(this, args);
      if (key === "free") return;
      if (C === Clc && !d.get) return Promise.reject(clcFreed());
      throw clcFreed();
    };
    Object.defineProperty(C.prototype, key, d.get ? { ...d, get: guarded } : { ...d, value: guarded });
  }
}
`,
);
