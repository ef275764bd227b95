// Counts the calls into the wasm's exports, for hostile.mjs's "fast" group, which checks that a plain server
// operation makes none (the JS fast path, src/js/accepted.js's fastOp). hostile.mjs imports this before clc-wasm,
// so the instance the package makes (Node's entry: `new WebAssembly.Instance`) is the one counted. In every other
// group it changes nothing.
export const entries = { count: 0 };

if (process.env.HOSTILE_GROUPS === "fast") {
  const Instance = WebAssembly.Instance;
  WebAssembly.Instance = function (module, imports) {
    const instance = new Instance(module, imports);
    const exports = {};
    for (const [name, value] of Object.entries(instance.exports)) {
      exports[name] = typeof value !== "function" ? value : (...args) => {
        entries.count += 1;
        return value(...args);
      };
    }
    return { exports };
  };
}
