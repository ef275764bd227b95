export { default, initSync } from "./clc_wasm.js";
export * from "./clc_wasm.js";
export { ClcError, isClcError } from "./errors.js";
