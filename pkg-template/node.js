// Node entry (the "node" export condition): reads the wasm from disk and instantiates it synchronously,
// so there is no top-level await and `require("clc-wasm")` works where Node can require ES modules.
import { readFileSync } from "node:fs";
import { initSync } from "./clc_wasm.js";

initSync({ module: readFileSync(new URL("./clc_wasm_bg.wasm", import.meta.url)) });

export * from "./clc_wasm.js";
export { ClcError, isClcError } from "./errors.js";
