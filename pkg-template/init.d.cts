// Types of init.cjs (`require("clc-wasm/init")` on Node before 20.19 and 22.12): the declarations of init.d.ts,
// read as CommonJS.
export { default, initSync } from "./clc_wasm.cjs";
export * from "./clc_wasm.cjs";
export { ClcError, isClcError } from "./errors.cjs";
