// CommonJS entry (the "require" export condition under "node"), for Node versions that cannot require() an ES module:
// Node 18, Node 20 before 20.19 and Node 22 before 22.12. Newer Node takes the "module-sync" condition instead and
// loads node.js for both import and require, so one process never holds two copies of the wasm.
// clc_wasm.cjs and errors.cjs are CommonJS copies of the ES modules, made by the build (scripts/build.sh).
"use strict";

const { readFileSync } = require("node:fs");
const { join } = require("node:path");

const glue = require("./clc_wasm.cjs");
glue.initSync({ module: readFileSync(join(__dirname, "clc_wasm_bg.wasm")) });
const { ClcError, isClcError } = require("./errors.cjs");

// The same names as node.js: everything the glue exports except its default (the async init), plus the errors.
const api = { ...glue, ClcError, isClcError };
delete api.default;
module.exports = api;
