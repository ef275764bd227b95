// Cloudflare Workers entry (the "workerd" export condition, which wrangler and other workerd bundlers resolve):
// workerd refuses to compile wasm from bytes at run time, so the .wasm is imported as a module (the bundler hands
// workerd a compiled WebAssembly.Module) and instantiated synchronously, with no top-level await and no fetch.
import wasm from "./clc_wasm_bg.wasm";
import { initSync } from "./clc_wasm.js";

initSync({ module: wasm });

export * from "./clc_wasm.js";
export { ClcError, isClcError } from "./errors.js";
