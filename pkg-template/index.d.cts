// Types of the CommonJS entry (node.cjs, what `require("clc-wasm")` loads on Node before 20.19 and 22.12): the
// same declarations as index.d.ts, read as CommonJS so TypeScript's node16/nodenext resolution agrees with Node.
export * from "./clc_wasm.cjs";
export { ClcError, isClcError } from "./errors.cjs";
