// Post-processes wasm-bindgen's declarations in the package being built (argument: its directory).
// - `[Symbol.dispose]()` needs TypeScript's esnext lib: a strict app on an ES2022 lib without skipLibCheck would fail
//   to compile against it. The method still exists at run time; `free()` is the documented way to release a client.
// - `InitOutput` lists the raw wasm exports under wasm-bindgen's names, which scripts/short-names.mjs changes: it
//   keeps `memory`, the one export with a name that lasts (the others are the glue's business, not an API).
// - clc_wasm_bg.wasm.d.ts types a direct import of the .wasm, which only `--target bundler` output does.
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const file = join(dir, "clc_wasm.d.ts");
let dts = readFileSync(file, "utf8");
dts = dts.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, "");
const initOutput = /export interface InitOutput \{[\s\S]*?\n\}/;
if (!initOutput.test(dts)) throw new Error("finish-dts: InitOutput not found");
dts = dts.replace(initOutput, () => "export interface InitOutput {\n    readonly memory: WebAssembly.Memory;\n}");
writeFileSync(file, dts);
rmSync(join(dir, "clc_wasm_bg.wasm.d.ts"), { force: true });
