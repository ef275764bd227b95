// The README's five-run ranges: node bench/ranges.mjs run1.json run2.json ... (results.json files of `make bench`).
// For each figure: the lowest and highest median over the runs, the median of the medians, and the widest IQR seen,
// so the table shows both how a run varies (its IQR) and how runs vary (the range).
import { readFileSync } from "node:fs";

const runs = process.argv.slice(2).map((f) => JSON.parse(readFileSync(f, "utf8")));
if (runs.length === 0) {
  console.error("usage: node bench/ranges.mjs results.json...");
  process.exit(2);
}

const median = (xs) => {
  const s = [...xs].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
};

/** Figure name -> [median, q1, q3] of one run, or undefined when that run lacks it. */
const figures = {
  "call_overhead_ratio": (r) => r.call_overhead_ratio_iqr,
  ...Object.fromEntries(
    [1, 100, 1000, 5000].map((n) => [`batch n=${n} ratio`, (r) => r.batch?.find((b) => b.n === n)?.ratio_iqr]),
  ),
  "init.ratio (fresh loads)": (r) => r.init?.ratio_iqr,
  "init.ratio (warm reloads)": (r) => r.init?.warm_ratio,
  "init: SDK import to ready, ms (fresh)": (r) => r.init?.sdk_ms,
  "init: plain JS import, ms (fresh)": (r) => r.init?.plain_ms,
  "init: SDK import to ready, ms (warm)": (r) => r.init?.warm_sdk_ms,
  "init.breakdown: sequential fetches": (r) => r.init?.breakdown.sequential_fetch_steps,
  "init.breakdown: JS fetched, ms": (r) => r.init?.breakdown.spans.fetch_js_ms,
  "init.breakdown: wasm fetch starts, ms": (r) => r.init?.breakdown.wasm_fetch_starts_at_ms,
  "init.breakdown: wasm fetch, ms": (r) => r.init?.breakdown.spans.fetch_wasm_ms,
  "init.breakdown: compile, ms": (r) => r.init?.breakdown.spans.compile_ms,
  "init.breakdown: instantiate, ms": (r) => r.init?.breakdown.spans.instantiate_ms,
  "init.breakdown: ready, ms": (r) => r.init?.breakdown.spans.ready_ms,
  "init.breakdown: first call, ms": (r) => r.init?.breakdown.first_call_ms,
  "init.breakdown: first request, ms": (r) => r.init?.breakdown.first_request_ms,
  ...Object.fromEntries(
    [1000, 10000].map((jobs) => [`wait_scaling jobs=${jobs} round_ms`, (r) => r.wait_scaling?.find((w) => w.jobs === jobs)?.round_ms_iqr]),
  ),
};
const scalar = {
  "wait_scaling 10,000 / 1,000": (r) => r.wait_scaling_ratio,
  "wait on 10,000 jobs: JS heap held, KiB": (r) => r.wait_memory_10000 && r.wait_memory_10000.js_heap_held_bytes / 1024,
  "wait on 10,000 jobs: wasm growth, KiB": (r) => r.wait_memory_10000 && r.wait_memory_10000.wasm_growth_bytes / 1024,
  "wasm + browser JS, gzip -9, B": (r) => r.size.total_gz,
  "run duration, s": (r) => r.duration_s,
};

const d = (x) => (Math.abs(x) >= 100 ? x.toFixed(0) : Math.abs(x) >= 10 ? x.toFixed(1) : x.toFixed(3));
console.log(`| figure (${runs.length} runs) | range of medians | median of medians | IQRs seen |`);
console.log("| --- | --- | --- | --- |");
for (const [name, get] of Object.entries(figures)) {
  const xs = runs.map(get).filter(Boolean);
  if (xs.length === 0) continue;
  const ms = xs.map((x) => x.median);
  const iqr = `${d(Math.min(...xs.map((x) => x.q1)))} to ${d(Math.max(...xs.map((x) => x.q3)))}`;
  console.log(`| ${name} | ${d(Math.min(...ms))} to ${d(Math.max(...ms))} | ${d(median(ms))} | ${iqr} |`);
}
for (const [name, get] of Object.entries(scalar)) {
  const xs = runs.map(get).filter((x) => typeof x === "number");
  if (xs.length === 0) continue;
  console.log(`| ${name} | ${d(Math.min(...xs))} to ${d(Math.max(...xs))} | ${d(median(xs))} | |`);
}
