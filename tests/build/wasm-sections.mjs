// scripts/wasm-sections.mjs (the module reader the build scripts and bench/size.mjs share) and bench/size.mjs's
// gzip costs, on small modules made here: the sections and function bodies are found where wasm-as put them, a
// number or section that runs past the end is an error rather than a wrong answer, the gzip costs name every
// function, split them into the three parts by name, and measure what cutting them takes off, and the core's
// reach follows calls and the table but not the edge.
// Usage: node tests/build/wasm-sections.mjs
import { execFileSync } from "node:child_process";
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from "node:fs";
import { tmpdir } from "node:os";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { analyze, coreReach, gzipCosts, partOf } from "../../bench/size.mjs";
import { codeBodies, leb, name, sections } from "../../scripts/wasm-sections.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "../..");
const dir = mkdtempSync(join(tmpdir(), "clc-wasm-sections-"));
let failed = 0;

function check(what, ok, detail = "") {
  console.log(`${ok ? "ok  " : "FAIL"} ${what}${ok ? "" : `: ${detail}`}`);
  if (!ok) failed++;
}
const throws = (f) => {
  try {
    f();
    return false;
  } catch {
    return true;
  }
};

// Three functions, one per part, the core one long enough to cost the most; an import, an export and data.
const body = (n) => Array.from({ length: n }, (_, i) => `  (drop (i32.add (local.get 0) (i32.const ${i * 7919})))`).join("\n");
const wat = `(module
 (import "wbg" "__wbg_log" (func $__wbg_log (param i32)))
 (memory 1)
 (data (i32.const 16) "the request failed")
 (func $clc_wasm::js::sender::send (param i32)
${body(3)})
 (func $clc_wasm::parsed::Parser::value (param i32)
${body(60)})
 (func $alloc::vec::Vec<T>::push (param i32)
${body(2)})
 (export "send" (func $clc_wasm::js::sender::send))
)`;
writeFileSync(join(dir, "m.wat"), wat);
execFileSync(join(root, "node_modules/.bin/wasm-as"), ["-g", join(dir, "m.wat"), "-o", join(dir, "m.wasm")]);
const buf = readFileSync(join(dir, "m.wasm"));

const ids = sections(buf).map((s) => s.id);
check("the sections, in file order", [1, 2, 3, 5, 7, 10, 11, 0].every((id) => ids.includes(id)) && ids.indexOf(10) < ids.indexOf(11), ids.join(","));
const last = sections(buf).at(-1);
check("the last section ends at the end of the file", last.end === buf.length, `${last.end} of ${buf.length}`);
const bodies = codeBodies(buf);
check("three function bodies, in order, inside the code section", bodies.length === 3 && bodies[0].end <= bodies[1].start, JSON.stringify(bodies));
check("the longest body is the second function's", bodies[1].end - bodies[1].start > 4 * (bodies[0].end - bodies[0].start));
check("a multi-byte LEB128", leb(Buffer.from([0xe5, 0x8e, 0x26, 0x7f]), 0).join() === "624485,3");
check("a LEB128 past 2^32", leb(Buffer.from([0x80, 0x80, 0x80, 0x80, 0x80, 0x01]), 0)[0] === 2 ** 35);
check("a name", name(Buffer.from([3, 0x61, 0x62, 0x63, 9]), 0).join() === "abc,4");
check("a LEB128 cut short is an error", throws(() => leb(Buffer.from([0x80, 0x80]), 0)));
check("a module cut short is an error", throws(() => sections(buf.subarray(0, buf.length - 3))));
check("a file that is not wasm is an error", throws(() => sections(Buffer.from("not a wasm module"))));
check("no code section: no bodies", codeBodies(Buffer.from([0, 0x61, 0x73, 0x6d, 1, 0, 0, 0])).length === 0);

const names = analyze(buf).functions.map((f) => f.name);
check("analyze names the functions from the name section", names.join() === "clc_wasm::js::sender::send,clc_wasm::parsed::Parser::value,alloc::vec::Vec<T>::push", names.join());
const parts = [
  ["clc_wasm::js::session::Inner::exchange_with::{{closure}}::h7989fd00a3f27d35", "edge"],
  ["js_sys::futures::queue::Queue::new::h9604a1af2fd26d41", "edge"],
  ["clcrequests___call externref shim", "edge"],
  ["clc_login", "edge"],
  ["__wbg_clc_free", "edge"],
  ["<&clc_wasm::parsed::Value as clc_wasm::json::Json>::entries::hde10e1b4903feb34", "core"],
  ["clc_wasm::wait::poller::Poller::add::h14ebbb556c9f077d", "core"],
  ["core::ptr::drop_in_place<clc_wasm::js::sender::Sender>::h1", "shared"],
  ["talc::base::Talc<S,B>::try_allocate::h315c0a1540c33627", "shared"],
];
for (const [fn, part] of parts) check(`${fn.slice(0, 40)}... is ${part}`, partOf(fn) === part, partOf(fn));

const costs = gzipCosts(buf, 10);
check("every function has a cost", costs.functions.length === 3, JSON.stringify(costs.functions));
check("the costliest is the longest", costs.functions[0].name === "clc_wasm::parsed::Parser::value" && costs.functions[0].gzip > 0, JSON.stringify(costs.functions[0]));
check("one part each, of one function", costs.parts.length === 3 && costs.parts.every((p) => p.functions === 1), JSON.stringify(costs.parts));
check("a part's raw size is its body's", costs.parts.find((p) => p.part === "core").raw === bodies[1].end - bodies[1].start);
check("the whole is gzipped without the name section", costs.gzip > 0 && costs.gzip < buf.length, `${costs.gzip} of ${buf.length}`);

// The core's reach: a call, and a call_indirect to what the table holds of its signature, but not the edge's
// functions nor what only they call.
const reachWat = `(module
 (type $sig (func (param i32)))
 (table 3 funcref)
 (elem (i32.const 0) func $core::drop_in_place<A> $clc_wasm::js::line::Slot::drop $core::fmt::two)
 (func $clc_wasm::queue::RequestQueue::start (param i32)
  (call $alloc::vec::Vec<T>::push (local.get 0))
  (call_indirect (type $sig) (local.get 0) (i32.const 0)))
 (func $alloc::vec::Vec<T>::push (param i32) (drop (local.get 0)))
 (func $core::drop_in_place<A> (param i32) (drop (local.get 0)))
 (func $clc_wasm::js::line::Slot::drop (param i32) (call $alloc::vec::Vec<T>::grow (local.get 0)))
 (func $alloc::vec::Vec<T>::grow (param i32) (drop (local.get 0)))
 (func $core::fmt::two (param i32 i32) (drop (local.get 0)))
 (export "start" (func $clc_wasm::queue::RequestQueue::start))
)`;
writeFileSync(join(dir, "reach.wat"), reachWat);
execFileSync(join(root, "node_modules/.bin/wasm-as"), ["-g", join(dir, "reach.wat"), "-o", join(dir, "reach.wasm")]);
const reachBuf = readFileSync(join(dir, "reach.wasm"));
const reachNames = analyze(reachBuf).functions.map((f) => f.name);
const reached = [...coreReach(reachBuf)].map((i) => reachNames[i]).sort();
const expected = ["alloc::vec::Vec<T>::push", "clc_wasm::queue::RequestQueue::start", "core::drop_in_place<A>"];
check("the core's reach: its calls and the table's functions of the call_indirect's signature, not the edge's", reached.join() === expected.join(), reached.join());
const reachCosts = gzipCosts(reachBuf, 10).core_reach;
check("the core's reach in the gzip costs", reachCosts.functions === 3 && reachCosts.gzip > 0 && reachCosts.gzip <= gzipCosts(reachBuf, 10).gzip, JSON.stringify(reachCosts));

rmSync(dir, { recursive: true, force: true });
console.log(failed ? `wasm-sections: ${failed} failed` : "wasm-sections: all passed");
process.exit(failed ? 1 : 0);
