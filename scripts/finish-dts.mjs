// Post-processes wasm-bindgen's declarations in the package being built (argument: its directory).
// - `[Symbol.dispose]()` needs TypeScript's esnext lib: a strict app on an ES2022 lib without skipLibCheck would fail
//   to compile against it. The method still exists at run time; `free()` is the documented way to release a client.
// - `InitOutput` lists the raw wasm exports as `any`; `unknown` says the same without turning off type checks.
// - clc_wasm_bg.wasm.d.ts types a direct import of the .wasm, which only `--target bundler` output does.
import { readFileSync, writeFileSync, rmSync } from "node:fs";
import { join } from "node:path";

const dir = process.argv[2];
const file = join(dir, "clc_wasm.d.ts");
let dts = readFileSync(file, "utf8");
dts = dts.replace(/^\s*\[Symbol\.dispose\]\(\): void;\n/gm, "");
dts = dts.replace(/export interface InitOutput \{[\s\S]*?\n\}/, (block) => block.replace(/\bany\b/g, "unknown"));
writeFileSync(file, dts);
rmSync(join(dir, "clc_wasm_bg.wasm.d.ts"), { force: true });
