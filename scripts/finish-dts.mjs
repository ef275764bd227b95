// Post-processes wasm-bindgen's declarations in the package being built (argument: its directory).
// - `[Symbol.dispose]()` needs TypeScript's esnext lib: a strict app on an ES2022 lib without skipLibCheck would fail
//   to compile against it. The method still exists at run time; `free()` is the documented way to release a client.
// - `InitOutput` lists the raw wasm exports under wasm-bindgen's names, which scripts/short-names.mjs changes: it
//   keeps `memory`, the one export with a name that lasts (the others are the glue's business, not an API).
// - The methods wasm-bindgen does not export one by one (src/js/client.rs's METHODS) are declared in interfaces of
//   the classes' names (METHOD_DECLARATIONS): their members move into the classes, so that the declarations read
//   as one class each, as before.
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
for (const name of ["Clc", "ClcRequests"]) {
  const members = new RegExp(`\\n+^export interface ${name} \\{\\n([\\s\\S]*?)^\\}\\n`, "m");
  const m = dts.match(members);
  const head = `export class ${name} {\n`;
  if (!m || dts.split(head).length !== 2) throw new Error(`finish-dts: the ${name} interface or class not found`);
  dts = dts.replace(members, "\n").replace(head, () => head + m[1]);
}
writeFileSync(file, dts);
rmSync(join(dir, "clc_wasm_bg.wasm.d.ts"), { force: true });
