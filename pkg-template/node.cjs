// CommonJS entry (the "require" export condition under "node"), for Node versions that cannot require() an ES module:
// Node 18, Node 20 before 20.19 and Node 22 before 22.12. Newer Node takes the "module-sync" condition instead and
// loads node.js for both import and require, so one process never holds two copies of the wasm.
//
// wasm-bindgen's --target web glue (clc_wasm.js) is an ES module with no imports, and errors.js is one too. This
// entry compiles each of them as a CommonJS function body: `export` is dropped from its declarations, its
// `export { a as b }` list becomes the returned object, and `import.meta.url` becomes the file's URL. Anything else
// that only an ES module may say (an `import`, another form of `export`) stops the load with a clear error rather
// than a wrong module. Then the wasm is read from disk and instantiated synchronously, as node.js does.
"use strict";

const { readFileSync } = require("node:fs");
const { join } = require("node:path");
const { pathToFileURL } = require("node:url");
const { compileFunction } = require("node:vm");

function loadEsm(file) {
  const filename = join(__dirname, file);
  const exported = [];
  const source = readFileSync(filename, "utf8")
    .replace(/^export ((?:async )?function\*? |class |const |let |var )([\w$]+)/gm, (_, keyword, name) => {
      exported.push([name, name]);
      return keyword + name;
    })
    .replace(/^export \{([^}]*)\};?[ \t]*$/gm, (_, list) => {
      for (const item of list.split(",")) {
        const [local, as] = item.trim().split(/\s+as\s+/);
        if (local) exported.push([local, as || local]);
      }
      return "";
    })
    .replace(/\bimport\.meta\.url\b/g, JSON.stringify(pathToFileURL(filename).href));
  const left = /^[ \t]*(?:import[\s{*"']|export\b)|\bimport\.meta\b/m.exec(source);
  if (left) {
    throw new Error(`clc-wasm: ${file} uses "${left[0].trim()}", which node.cjs cannot load; use import or Node >= 20.19`);
  }
  const result = exported.map(([local, as]) => `${JSON.stringify(as)}: ${local}`).join(", ");
  // "use strict" on the first line keeps the file's line numbers in stack traces (ES modules are strict).
  return compileFunction(`"use strict";${source}\nreturn { ${result} };`, [], { filename })();
}

const glue = loadEsm("clc_wasm.js");
glue.initSync({ module: readFileSync(join(__dirname, "clc_wasm_bg.wasm")) });
const { ClcError, isClcError } = loadEsm("errors.js");

// The same names as node.js: everything the glue exports except its default (the async init), plus the errors.
const api = { ...glue, ClcError, isClcError };
delete api.default;
module.exports = api;
