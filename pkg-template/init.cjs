// CommonJS copy of init.js (the "require" condition of "clc-wasm/init" under "node"), for Node versions that cannot
// require() an ES module. Its default export, the async init, needs the wasm's bytes, a URL or a Response: the
// CommonJS glue has no import.meta.url to find the file next to it.
"use strict";
Object.defineProperty(exports, "__esModule", { value: true });

const glue = require("./clc_wasm.cjs");
const errors = require("./errors.cjs");

for (const name of Object.keys(glue)) exports[name] = glue[name];
exports.default = glue.default;
exports.initSync = glue.initSync;
exports.ClcError = errors.ClcError;
exports.isClcError = errors.isClcError;
