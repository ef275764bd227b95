// Minifies wasm-bindgen's glue (pkg's clc_wasm.js) in place with terser: comments, whitespace and local names go;
// the class names (`Clc`, `ClcRequests`, seen in the console and in stack traces), the exported functions' names,
// and every property name stay. About 680 B gzip less than stripping whitespace alone (issue 5's size budget).
// Usage: node scripts/minify-glue.mjs <file.js>
import { readFileSync, writeFileSync } from "node:fs";
import { minify } from "terser";

const file = process.argv[2];
const result = await minify(readFileSync(file, "utf8"), {
  module: true,
  compress: { passes: 2 },
  mangle: true,
  keep_classnames: true,
  keep_fnames: /^(initSync|__wbg_init)$/,
  format: { comments: false },
});
writeFileSync(file, result.code);
