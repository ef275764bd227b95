// No auto-init: for apps that load the wasm themselves (a CDN, a custom cache, a service worker).
//   import init, { Clc } from "clc-wasm/init";
//   await init({ module_or_path: "/assets/clc_wasm_bg.wasm" });
export { default, initSync } from "./clc_wasm.js";
export * from "./clc_wasm.js";
export { ClcError, isClcError } from "./errors.js";
