// Writes the glue's nine server operation methods of `Clc` to try the JS fast path first (src/js/accepted.js's
// fastOp; src/js/session.rs's module docs say why), and the wasm's method when it says no:
//     shutDownServer(ids, options) { return fastOp(this, fastOf(this), "shutDown", ids, options, wasm.clc_shutDownServer); }
// `fastOf` reads each client's fast path state from the wasm once (the hidden `__fast` method, taken out of the
// class here) and keeps it by the client's JS object. `free` waits for the client's fast calls to end (fastHold):
// one of them may still have to be handed to the wasm's client.
// Run on wasm-bindgen's glue after scripts/inline-snippets.mjs (fastOp and fastHold are then glue functions), and
// before scripts/short-names.mjs. It fails unless it finds each thing it rewrites exactly once.
// Usage: node scripts/fast-methods.mjs <glue.js>
import { readFileSync, writeFileSync } from "node:fs";

// The JS method of each operation, and its URL's last segment: src/request.rs's ServerOp::path_segment, which the
// package test holds the sent requests to (each method's request is the one clc.requests.* describes).
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

const file = process.argv[2];
let glue = readFileSync(file, "utf8");

function once(from, to) {
  const n = glue.split(from).length - 1;
  if (n !== 1) throw new Error(`fast-methods: ${JSON.stringify(from.slice(0, 80))} found ${n} times, not once`);
  glue = glue.replace(from, () => to);
}

for (const [method, segment] of Object.entries(OPERATIONS)) {
  once(
    `    ${method}(ids, options) {\n        const ret = wasm.clc_${method}(this.__wbg_ptr, ids, options);\n        return ret;\n    }`,
    `    ${method}(ids, options) {\n        return fastOp(this, fastOf(this), ${JSON.stringify(segment)}, ids, options, wasm.clc_${method});\n    }`,
  );
}
// Every other method that sends server IDs with call options is one this script should know of.
const others = [...glue.matchAll(/^ {4}(\w+)\(ids, options\) \{\n {8}const ret = wasm\.clc_\w+\(/gm)].map((m) => m[1]);
if (others.some((m) => m !== "createSnapshot")) throw new Error(`fast-methods: unknown server operations ${others}`);

// The hidden method, with its doc comment, out of the class.
once(
  glue.slice(glue.lastIndexOf("    /**", glue.indexOf("    __fast() {")), glue.indexOf("    __fast() {")) +
    "    __fast() {\n        const ret = wasm.clc___fast(this.__wbg_ptr);\n        return ret;\n    }\n",
  "",
);
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
