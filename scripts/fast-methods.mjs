// Writes into wasm-bindgen's glue the methods of `Clc` and `ClcRequests` but `login`, the getters and `free`
// (src/js/client.rs's METHODS, read here): each class has one hidden export for them all, `__call(method, arg,
// options)`, whose glue method is replaced by the methods, each calling the export with its number. The nine server
// operations of `Clc` try the JS fast path first (src/js/accepted.js's fastOp; src/js/session.rs's module docs say
// why), and the wasm's method when it says no:
//     shutDownServer(ids, options) { return fastOp(this, fastOf(this), "shutDown", ids, options, (p, a, o) => wasm.clc___call(p, 1, a, o)); }
// `fastOf` reads each client's fast path state from the wasm once (the hidden `__fast` method, taken out of the
// class here) and keeps it by the client's JS object. `free` waits for the client's fast calls to end (fastHold):
// one of them may still have to be handed to the wasm's client.
// Run on wasm-bindgen's glue after scripts/inline-snippets.mjs (fastOp and fastHold are then glue functions), and
// before scripts/short-names.mjs. It fails unless it finds each thing it rewrites exactly once.
// Usage: node scripts/fast-methods.mjs <glue.js>
import { readFileSync, writeFileSync } from "node:fs";

// The JS method of each server operation, and its URL's last segment: src/request.rs's ServerOp::path_segment,
// which the package test holds the sent requests to (each method's request is the one clc.requests.* describes).
const OPERATIONS = {
  archiveServer: "archive",
  shutDownServer: "shutDown",
  resetServer: "reset",
  powerOnServer: "powerOn",
  powerOffServer: "powerOff",
  pauseServer: "pause",
  rebootServer: "reboot",
  startMaintenance: "startMaintenance",
  stopMaintenance: "stopMaintenance",
};

// The methods by the number `__call` takes for them: the server operations first, then the one-ID ones.
const client = readFileSync(new URL("../src/js/client.rs", import.meta.url), "utf8");
const list = client.match(/^pub const METHODS: \[&str; \d+\] = \[\n([^\]]*)\];/m);
if (!list) throw new Error("fast-methods: METHODS not found in src/js/client.rs");
const METHODS = [...list[1].matchAll(/^ {4}"(\w+)",$/gm)].map((m) => m[1]);
const operations = Object.keys(OPERATIONS);
if (METHODS.slice(0, operations.length).join() !== operations.join() || METHODS.length <= operations.length) {
  throw new Error(`fast-methods: METHODS (${METHODS}) does not start with the server operations (${operations})`);
}
// The parameters of the other methods before `options` (clc_wasm.d.ts's names; METHOD_DECLARATIONS declares
// them), and those of their `ClcRequests` forms (none for the two that send several requests).
const PARAMS = {
  archiveGroup: "groupId", getStatus: "statusId", getServer: "serverId", getDataCenter: "dataCenter",
  createSnapshot: "ids", listDataCenters: "", getGroup: "groupId", listServers: "", wait: "target",
};
const REQUEST_PARAMS = {
  archiveGroup: "groupId", getStatus: "statusId", getServer: "serverId", getDataCenter: "dataCenter",
  createSnapshot: "ids, options", listDataCenters: "", getGroup: "groupId, options",
};
for (const name of METHODS.slice(operations.length)) {
  if (!(name in PARAMS)) throw new Error(`fast-methods: no parameters for ${name}`);
}

const file = process.argv[2];
let glue = readFileSync(file, "utf8");

function once(from, to) {
  const n = glue.split(from).length - 1;
  if (n !== 1) throw new Error(`fast-methods: ${JSON.stringify(from.slice(0, 80))} found ${n} times, not once`);
  glue = glue.replace(from, () => to);
}
/** The glue's method `head` with the doc comment above it (to be replaced). */
function withDoc(head) {
  const at = glue.indexOf(head);
  if (at < 0) throw new Error(`fast-methods: ${JSON.stringify(head)} not found`);
  return glue.slice(glue.lastIndexOf("    /**", at), at) + head;
}
const method = (name, params, body) => `    ${name}(${params}) {\n        ${body}\n    }\n`;

once(
  withDoc("    __call(method, arg, options) {\n        const ret = wasm.clc___call(this.__wbg_ptr, method, arg, options);\n        return ret;\n    }\n"),
  METHODS.map((name, i) => {
    if (name in OPERATIONS) {
      const slow = `(p, a, o) => wasm.clc___call(p, ${i}, a, o)`;
      return method(name, "ids, options", `return fastOp(this, fastOf(this), ${JSON.stringify(OPERATIONS[name])}, ids, options, ${slow});`);
    }
    const param = PARAMS[name] || "undefined";
    return method(name, PARAMS[name] ? `${param}, options` : "options", `return wasm.clc___call(this.__wbg_ptr, ${i}, ${param}, options);`);
  }).join(""),
);
const requestBody =
  "        const ret = wasm.clcrequests___call(this.__wbg_ptr, method, arg, options);\n" +
  "        if (ret[2]) {\n            throw takeFromExternrefTable0(ret[1]);\n        }\n" +
  "        return takeFromExternrefTable0(ret[0]);\n";
once(
  withDoc(`    __call(method, arg, options) {\n${requestBody}    }\n`),
  METHODS.filter((name) => name in OPERATIONS || name in REQUEST_PARAMS).map((name) => {
    const params = name in OPERATIONS ? "ids" : REQUEST_PARAMS[name];
    return method(name, params, `return clcRequest(this, ${METHODS.indexOf(name)}, ${params || "undefined"});`);
  }).join(""),
);
once(
  "export class ClcRequests {\n",
  "// ClcRequests' one hidden export, for all its methods.\n" +
    `function clcRequest(self, method, arg, options) {\n${requestBody.replace("this.__wbg_ptr", "self.__wbg_ptr").replace(/^ {4}/gm, "")}}\n\n` +
    "export class ClcRequests {\n",
);
for (const name of METHODS) {
  const n = name in OPERATIONS || name in REQUEST_PARAMS ? 2 : 1;
  if (glue.split(`    ${name}(`).length - 1 !== n) throw new Error(`fast-methods: ${name} is not one method of each class`);
}

// No method is left to wasm-bindgen but login, the getters, free and the hidden ones: a new one belongs in METHODS.
const exported = [...glue.matchAll(/^ {4}(\w+)\([^)]*\) \{\n {8}(?:const ret = )?wasm\.\w+\(this\.__wbg_ptr/gm)].map((m) => m[1]);
if (exported.some((m) => m !== "__fast")) throw new Error(`fast-methods: methods not in METHODS: ${exported}`);

// The hidden method, with its doc comment, out of the class.
once(withDoc("    __fast() {\n        const ret = wasm.clc___fast(this.__wbg_ptr);\n        return ret;\n    }\n"), "");
once(
  "    free() {\n        const ptr = this.__destroy_into_raw();\n        wasm.__wbg_clc_free(ptr, 0);\n    }",
  "    free() {\n        const st = fastStates.get(this);\n        const ptr = this.__destroy_into_raw();\n" +
    "        if (!fastHold(st, () => wasm.__wbg_clc_free(ptr, 0))) wasm.__wbg_clc_free(ptr, 0);\n    }",
);
once(
  "export class Clc {\n",
  "// Each client's fast path state (undefined: it has none), by its JS object.\n" +
    "const fastStates = new WeakMap();\n" +
    "function fastOf(client) {\n" +
    "    if (client.__wbg_ptr === 0) return undefined;\n" +
    "    let st = fastStates.get(client);\n" +
    "    if (st === undefined && !fastStates.has(client)) fastStates.set(client, (st = wasm.clc___fast(client.__wbg_ptr)));\n" +
    "    return st;\n" +
    "}\n\nexport class Clc {\n",
);
if (!/^function fastOp\(/m.test(glue) || !/^function fastHold\(/m.test(glue)) {
  throw new Error("fast-methods: fastOp or fastHold is not a glue function (run scripts/inline-snippets.mjs first)");
}
writeFileSync(file, glue);
