// Browser and bundler entry (Vite, webpack 5, plain <script type="module">): loads the wasm next to this file,
// then exports the SDK. Bundlers see `new URL(..., import.meta.url)` and ship the .wasm as an asset.
// scripts/build.sh inlines both imports, so a page fetches this one module and then, at once, the wasm.
import init from "./clc_wasm.js";

await init({ module_or_path: new URL("./clc_wasm_bg.wasm", import.meta.url) });

export * from "./clc_wasm.js";
export { ClcError, isClcError } from "./errors.js";
