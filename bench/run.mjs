// `make bench` driver: sizes from pkg/, then every in-browser phase of bench/bench.js in headless Chromium against the
// sandbox at CLC_SANDBOX_URL (started by scripts/with-sandbox.sh with --www bench --pkg pkg). Prints a Markdown
// table and writes bench/results.json.
//
// Options (env): BENCH_PAIRS (one-call pairs, default 1000; the call breakdown takes 300 calls each way), BENCH_INIT_PAIRS (fresh-load pairs SDK / plain JS, default 24; half as many warm pairs),
// BENCH_PROFILE=1 (always profile; 0: never; otherwise when a call goal is missed), BENCH_OUT (default bench/results.json),
// BENCH_PKG (the package directory measured for size; default pkg/), BENCH_ONLY (comma-separated phases: init,
// calls, waits, memory; default all).
import { readFileSync, writeFileSync, existsSync, mkdirSync } from "node:fs";
import { brotliCompressSync, constants as zc } from "node:zlib";
import { dirname, join } from "node:path";
import { fileURLToPath } from "node:url";
import { chromium } from "playwright-core";
import { execFileSync } from "node:child_process";
import { mkdtempSync } from "node:fs";
import { tmpdir } from "node:os";
import { analyze, crateOf, gzipCosts } from "./size.mjs";
import { openBare } from "./bare.mjs";

const root = join(dirname(fileURLToPath(import.meta.url)), "..");
const base = process.env.CLC_SANDBOX_URL;
if (!base) {
  console.error("CLC_SANDBOX_URL is not set: run through `make bench` (scripts/with-sandbox.sh)");
  process.exit(2);
}
// 1,000 pairs, not 300: with a raw fetch of about 4 ms and pair ratios whose IQR spans 0.90 to 1.25 on this
// machine, five runs of 300 gave medians from 1.032 to 1.084 around a goal of 1.05; the median's spread shrinks
// with the square root of the count.
const PAIRS = Number(process.env.BENCH_PAIRS || 1000);
const INIT_PAIRS = Number(process.env.BENCH_INIT_PAIRS || 24);
const OUT = process.env.BENCH_OUT || join(root, "bench", "results.json");
const ONLY = new Set((process.env.BENCH_ONLY || "init,calls,waits,memory").split(","));
// Issue 15's goals.
const GOALS = {
  call_overhead_ratio: 1.05,
  batch_1000_ratio: 1.1,
  batch_5000_ratio: 1.15,
  init_ratio: 1.5,
  wait_10000_over_1000: 12,
};
const started = Date.now();
const log = (...a) => console.error(`[bench ${((Date.now() - started) / 1000).toFixed(1)}s]`, ...a);

// ---- a named build, for profiles and the size breakdown ----------------------------------------------------------
/**
 * pkg/'s module made again from cargo's release wasm, through the same wasm-bindgen and wasm-opt steps, but with the
 * name section kept, so profiles name Rust functions instead of wasm-function[92]; the glue is the same as pkg/'s.
 */
function namedBuild() {
  const input = join(root, "target/wasm32-unknown-unknown/release/clc_wasm.wasm");
  if (!existsSync(input)) return undefined;
  const dir = mkdtempSync(join(tmpdir(), "clc-bench-named-"));
  try {
    execFileSync("wasm-bindgen", [input, "--target", "web", "--out-dir", dir, "--out-name", "clc_wasm"], { stdio: "ignore" });
    execFileSync("node", [join(root, "scripts/inline-snippets.mjs"), dir], { stdio: "ignore" });
    execFileSync("node", [join(root, "scripts/fast-methods.mjs"), join(dir, "clc_wasm.js")], { stdio: "ignore" });
    // The package's wasm-opt steps, names kept: the breakdown and the profiles are of the code pkg/ ships.
    const wasm = join(dir, "clc_wasm_bg.wasm");
    execFileSync("bash", [join(root, "scripts/optimize-wasm.sh"), wasm, wasm, "--keep-names"], { stdio: "ignore" });
    // The same names, guard, patch and minification scripts/build.sh gives the shipped glue, so the two can be compared.
    execFileSync("node", [join(root, "scripts/short-names.mjs"), join(dir, "clc_wasm_bg.wasm"), join(dir, "clc_wasm.js")], { stdio: "ignore" });
    execFileSync("node", [join(root, "scripts/guard-glue.mjs"), join(dir, "clc_wasm.js")], { stdio: "ignore" });
    execFileSync("node", [join(root, "scripts/glue-strings.mjs"), join(dir, "clc_wasm.js")], { stdio: "ignore" });
    execFileSync("node", [join(root, "scripts/minify-glue.mjs"), join(dir, "clc_wasm.js")], { stdio: "ignore" });
  } catch (e) {
    log("no named build (wasm-bindgen failed):", e.message);
    return undefined;
  }
  const same = readFileSync(join(dir, "clc_wasm.js"), "utf8") === readFileSync(join(root, "pkg", "clc_wasm.js"), "utf8");
  if (!same) {
    log("no named build: its glue differs from pkg/clc_wasm.js (pkg/ is stale?)");
    return undefined;
  }
  return dir;
}
const named = process.env.BENCH_PKG ? undefined : namedBuild();

// ---- size -------------------------------------------------------------------------------------------------------
/** The JS files a page loads for the browser entry: index.js and, transitively, its relative static imports. */
function browserFiles(pkg) {
  const seen = [];
  const visit = (f) => {
    if (seen.includes(f) || !existsSync(join(pkg, f))) return;
    seen.push(f);
    const text = readFileSync(join(pkg, f), "utf8");
    for (const m of text.matchAll(/(?:\bfrom|\bimport)\s*["']\.\/([^"']+)["']/g)) visit(m[1]);
  };
  visit("index.js");
  return seen;
}

function sizes() {
  const pkg = process.env.BENCH_PKG || join(root, "pkg");
  const wasm = readFileSync(join(pkg, "clc_wasm_bg.wasm"));
  // GNU gzip -9, as build.sh, the package test and the size goal measure (node's zlib writes ~1% more).
  const gz = (b) => execFileSync("gzip", ["-9", "-c"], { input: b, maxBuffer: 1 << 26 }).length;
  const br = (b) =>
    brotliCompressSync(b, {
      params: { [zc.BROTLI_PARAM_QUALITY]: 11, [zc.BROTLI_PARAM_SIZE_HINT]: b.length },
    }).length;
  const jsFiles = browserFiles(pkg);
  const js = Object.fromEntries(
    jsFiles.map((f) => {
      const b = readFileSync(join(pkg, f));
      return [f, { raw: b.length, gz: gz(b) }];
    }),
  );
  // Where the bytes go (twiggy-style), from the same module with its name section.
  let breakdown;
  if (named) {
    const module = readFileSync(join(named, "clc_wasm_bg.wasm"));
    const a = analyze(module);
    const costs = gzipCosts(module, 15);
    const code = a.functions.reduce((n, f) => n + f.size, 0);
    const crates = new Map();
    for (const f of a.functions) crates.set(crateOf(f.name), (crates.get(crateOf(f.name)) || 0) + f.size);
    breakdown = {
      file: "the shipped module with its names (scripts/optimize-wasm.sh --keep-names); sizes before gzip",
      size: a.size,
      sections: a.sections,
      code_by_crate: [...crates]
        .sort((x, y) => y[1] - x[1])
        .slice(0, 12)
        .map(([crate, size]) => ({ crate, size, share_of_code: +(size / code).toFixed(3) })),
      largest_functions: [...a.functions]
        .sort((x, y) => y.size - x.size)
        .slice(0, 15)
        .map((f) => ({ name: f.name, size: f.size, share_of_code: +(f.size / code).toFixed(3) })),
      // What each part of the code and the costliest functions cost gzipped (bench/size.mjs's gzipCosts says how).
      gzip_costs: {
        file: "the same module without its name section, zlib -9",
        gzip: costs.gzip,
        parts: costs.parts,
        costliest_functions: costs.functions,
        // The core with what it reaches not through the edge, the rest of the module as it is: what a wasm of
        // the core alone would come to at most.
        core_reach: costs.core_reach,
      },
    };
  }
  return {
    breakdown,
    wasm_raw: wasm.length,
    wasm_gz: gz(wasm),
    wasm_br: br(wasm),
    // The three files concatenated then gzipped, as scripts/build.sh reports it (and as a bundler ships one chunk);
    // js_gz_per_file: each gzipped on its own, as a static server sends them.
    js_gz: gz(Buffer.concat(jsFiles.map((f) => readFileSync(join(pkg, f))))),
    js_gz_per_file: Object.values(js).reduce((a, f) => a + f.gz, 0),
    js_raw: Object.values(js).reduce((a, f) => a + f.raw, 0),
    js_files: js,
  };
}

// ---- the plain-JS baseline of init.ratio ------------------------------------------------------------------------
/**
 * Writes bench/generated/plain.js: real libraries from node_modules (acorn, source-map-js, ...), each minified by
 * esbuild as an IIFE that runs at import (as the glue's top level does), until its gzip -9 size reaches `target`
 * bytes (the SDK's wasm + browser JS); the last few hundred bytes are a comment of further real source cut to
 * size. The sandbox serves it from the same static root as the page, as it serves pkg/.
 */
function plainModule(target) {
  const gz = (b) => execFileSync("gzip", ["-9", "-c"], { input: b, maxBuffer: 1 << 26 }).length;
  const esbuild = join(root, "node_modules/.bin/esbuild");
  const minified = (pkg, name) =>
    execFileSync(esbuild, ["--bundle", "--minify", "--format=iife", `--global-name=${name}`, "--platform=browser", "--log-level=error"], {
      input: `export * as m from ${JSON.stringify(pkg)};`,
      cwd: root,
      maxBuffer: 1 << 26,
    }).toString();
  const libraries = ["acorn", "source-map-js", "picomatch", "fast-uri", "@jridgewell/trace-mapping", "@jridgewell/sourcemap-codec", "json-schema-traverse", "fast-deep-equal", "picocolors"];
  const used = [];
  let code = "";
  for (const [i, lib] of libraries.entries()) {
    if (!existsSync(join(root, "node_modules", lib))) continue;
    const piece = minified(lib, `__p${i}`) + "\n";
    const tail = `export default [${[...used, `__p${i}`].join(",")}];\n`;
    if (gz(Buffer.from(code + piece + tail)) > target) break;
    code += piece;
    used.push(`__p${i}`);
  }
  const tail = `export default [${used.join(",")}];\n`;
  // Pad to the byte with a comment of more real code (ajv's, minified), cut by bisection on its length.
  const filler = minified("ajv", "__pad").split("*/").join("* /");
  const build = (n) => Buffer.from(`${code}/* ${filler.slice(0, n)} */\n${tail}`);
  let lo = 0;
  let hi = filler.length;
  while (lo < hi) {
    const mid = (lo + hi + 1) >> 1;
    if (gz(build(mid)) <= target) lo = mid;
    else hi = mid - 1;
  }
  const out = build(lo);
  const dir = join(root, "bench", "generated");
  mkdirSync(dir, { recursive: true });
  writeFileSync(join(dir, "plain.js"), out);
  return { file: "bench/generated/plain.js", url: "/generated/plain.js", libraries: used.length, raw: out.length, gz: gz(out), target_gz: target };
}

// ---- browser ----------------------------------------------------------------------------------------------------
const ARGS = [
  "--headless",
  "--no-sandbox",
  "--disable-gpu",
  "--disable-background-networking",
  "--disable-component-update",
  "--disable-sync",
  "--no-first-run",
  // The wait phase reads what a wait holds: a forced GC, then an unrounded performance.memory.
  "--js-flags=--expose-gc",
  "--enable-precise-memory-info",
];

// Console noise is counted, and each distinct message logged once: the memory phase's deliberate 404s would
// otherwise print hundreds of "Failed to load resource" lines.
const consoleSeen = new Map();
function watch(page) {
  page.on("pageerror", (e) => log("page error:", e.message));
  page.on("console", (m) => {
    if (m.type() !== "error" && m.type() !== "warning") return;
    const text = m.text();
    const n = (consoleSeen.get(text) || 0) + 1;
    consoleSeen.set(text, n);
    if (n === 1) log(`page ${m.type()} (logged once):`, text);
  });
}

/**
 * Init, as pairs of fresh contexts (cold HTTP and code caches), SDK and plain JS alternating which goes first: the
 * SDK's import to a ready `Clc` over the import of a plain-JS module of the same gzipped size (init.ratio); then
 * warm reloads of each in its own context, alternating; then fresh SDK loads with the breakdown of where the time
 * goes (page.html's `breakdown`: resource timing per file, compile and instantiate, the first calls).
 */
async function init(browser, pairs = INIT_PAIRS) {
  const one = async (page) => {
    await page.waitForFunction(() => window.__init !== undefined, null, { timeout: 30000 });
    const r = await page.evaluate(() => window.__init);
    if (r.error) throw new Error(`init page: ${r.error}`);
    return r;
  };
  const fresh = async (query) => {
    const context = await browser.newContext();
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/page.html?${query}`);
    const r = await one(page);
    await context.close();
    return r;
  };
  await fresh("init=sdk"); // the sandbox's and the browser's own first-use costs, outside the figures
  await fresh("init=plain");
  const sdk = [];
  const plain = [];
  const ratios = [];
  for (let i = 0; i < pairs; i++) {
    let a;
    let b;
    if (i % 2 === 0) {
      a = await fresh("init=sdk");
      b = await fresh("init=plain");
    } else {
      b = await fresh("init=plain");
      a = await fresh("init=sdk");
    }
    sdk.push(a);
    plain.push(b);
    ratios.push(a.importToReadyMs / b.importToReadyMs);
  }
  const warmSdk = [];
  const warmPlain = [];
  const warmRatios = [];
  const ctxs = [];
  const pages = {};
  for (const kind of ["sdk", "plain"]) {
    const context = await browser.newContext();
    ctxs.push(context);
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/page.html?init=${kind}`);
    await one(page);
    pages[kind] = page;
  }
  const reload = async (kind) => {
    await pages[kind].reload();
    return one(pages[kind]);
  };
  for (let i = 0; i < pairs >> 1; i++) {
    let a;
    let b;
    if (i % 2 === 0) {
      a = await reload("sdk");
      b = await reload("plain");
    } else {
      b = await reload("plain");
      a = await reload("sdk");
    }
    warmSdk.push(a);
    warmPlain.push(b);
    warmRatios.push(a.importToReadyMs / b.importToReadyMs);
  }
  for (const c of ctxs) await c.close();
  const breakdowns = [];
  for (let i = 0; i < Math.max(8, pairs >> 1); i++) breakdowns.push((await fresh("init=sdk&breakdown")).breakdown);
  const of = (xs, k) => spread(xs.map((x) => x[k]));
  const r = {
    ratio: spread(ratios).median,
    ratio_iqr: spread(ratios),
    pairs,
    sdk_ms: of(sdk, "importToReadyMs"),
    plain_ms: of(plain, "importToReadyMs"),
    warm_ratio: spread(warmRatios),
    warm_sdk_ms: of(warmSdk, "importToReadyMs"),
    warm_plain_ms: of(warmPlain, "importToReadyMs"),
    navigation_to_ready_ms: of(sdk, "navigationToReadyMs"),
    first_call_ms: of(sdk, "firstCallMs"),
    login_ms: of(sdk, "loginMs"),
    breakdown: breakdownOf(breakdowns),
  };
  // The names of the earlier results, kept so older readers of results.json go on working.
  r.loads = pairs;
  r.init_ms = r.sdk_ms.median;
  r.init_warm_ms = r.warm_sdk_ms.median;
  return r;
}

/**
 * Medians (with IQRs) of the start's steps, in ms from the import's start: when each file's fetch started and
 * ended, the wasm's compile and instantiate, the first calls; and the critical path as consecutive spans.
 */
function breakdownOf(loads) {
  const pick = (f) => spread(loads.map(f).filter((x) => typeof x === "number" && !Number.isNaN(x)));
  const names = [...new Set(loads.flatMap((l) => Object.keys(l.files)))].sort();
  const files = Object.fromEntries(
    names.map((n) => [
      n,
      {
        fetch_starts_at: pick((l) => l.files[n]?.start),
        fetch_ends_at: pick((l) => l.files[n]?.end),
        fetch_ms: pick((l) => (l.files[n] ? l.files[n].end - l.files[n].start : undefined)),
      },
    ]),
  );
  const wasmFile = names.find((n) => n.endsWith(".wasm"));
  const js = names.filter((n) => n.endsWith(".js"));
  const jsEnd = (l) => Math.max(...js.map((n) => l.files[n]?.end ?? 0));
  const wasmStart = (l) => l.files[wasmFile]?.start;
  const wasmEnd = (l) => l.files[wasmFile]?.end;
  // Sequential fetches: how many files start only after another one has arrived (1 = everything at once).
  const depth = (l) => {
    const fs = names.map((n) => l.files[n]).filter(Boolean).sort((a, b) => a.start - b.start);
    let d = 0;
    let end = -Infinity;
    for (const f of fs) {
      if (f.start >= end) {
        d++;
        end = f.end;
      } else end = Math.max(end, f.end);
    }
    return d;
  };
  return {
    loads: loads.length,
    files,
    sequential_fetch_steps: pick(depth),
    spans: {
      // import() called -> last JS file arrived: the module graph's fetches
      fetch_js_ms: pick(jsEnd),
      // last JS file arrived -> wasm fetch starts: evaluating the JS up to init()'s fetch
      js_to_wasm_fetch_ms: pick((l) => wasmStart(l) - jsEnd(l)),
      fetch_wasm_ms: pick((l) => wasmEnd(l) - wasmStart(l)),
      // WebAssembly compile (streaming: it overlaps the wasm's download) and instantiate (with __wbindgen_start)
      compile_ms: pick((l) => (l.compiled ?? l.instantiated) - l.wasm_api_called),
      instantiate_ms: pick((l) => (l.compiled === undefined ? 0 : l.instantiated - l.compiled)),
      instantiated_to_ready_ms: pick((l) => l.ready - l.instantiated),
      ready_ms: pick((l) => l.ready),
    },
    wasm_fetch_starts_at_ms: pick(wasmStart),
    first_call_ms: pick((l) => l.first_call_ms),
    first_request_ms: pick((l) => l.first_request_ms),
    second_request_ms: pick((l) => l.second_request_ms),
    raw_request_ms: pick((l) => l.raw_request_ms),
  };
}

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A median with its interquartile range beside it (the same as bench.js's). */
function spread(values) {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length };
}

function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

/**
 * CPU profile (CDP sampling profiler) of `k` SDK calls with n IDs, against `k` raw calls: self time by function, so
 * the report can say where the extra time goes.
 */
async function profile(page, n, k) {
  const cdp = await page.context().newCDPSession(page);
  await page.evaluate(() => window.bench.resetAndLogin());
  await cdp.send("Profiler.enable");
  await cdp.send("Profiler.setSamplingInterval", { interval: 50 });
  const run = async (fn) => {
    await cdp.send("Profiler.start");
    const t0 = Date.now();
    await page.evaluate(([fn, n, k]) => window.bench[fn](n, k), [fn, n, k]);
    const ms = Date.now() - t0;
    const { profile } = await cdp.send("Profiler.stop");
    return { ms, top: topSelf(profile) };
  };
  const sdk = await run("repeatSdk");
  const raw = await run("repeatRaw");
  await cdp.detach();
  return { n, calls: k, sdk, raw };
}

function topSelf(profile, limit = 15) {
  const self = new Map();
  const byId = new Map(profile.nodes.map((n) => [n.id, n]));
  const deltas = profile.timeDeltas || [];
  let total = 0;
  let idle = 0;
  const areas = new Map();
  profile.samples.forEach((id, i) => {
    const node = byId.get(id);
    const dt = (deltas[i + 1] ?? deltas[i] ?? 0) / 1000; // µs -> ms; a sample's time is the gap to the next one
    const f = node.callFrame;
    const file = f.url ? f.url.replace(/^.*\//, "") : "";
    // With the column: the minified glue is one line.
    const key = `${f.functionName || "(anonymous)"} ${file}${file ? `:${f.lineNumber + 1}:${f.columnNumber + 1}` : ""}`;
    if (f.functionName === "(idle)") {
      idle += dt; // waiting for the network: not CPU the SDK spends
      return;
    }
    self.set(key, (self.get(key) || 0) + dt);
    // By file: clc_wasm.js has "wasm" in its name too, so the module is matched by its extension.
    const area = /\.wasm(\?|$)/.test(f.url) || f.url.startsWith("wasm://")
      ? `wasm: ${crateOf(f.functionName)}`
      : /\/(clc_wasm|index)\.js(\?|$)/.test(f.url)
        ? "JS glue (clc_wasm.js, or index.js with it inlined)"
        : f.url
          ? `JS: ${file}`
          : `browser: ${f.functionName}`;
    areas.set(area, (areas.get(area) || 0) + dt);
    total += dt;
  });
  return {
    busy_ms: total,
    idle_ms: idle,
    by_area: [...areas.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, 12)
      .map(([area, ms]) => ({ area, self_ms: +ms.toFixed(2), share: +(ms / total).toFixed(3) })),
    functions: [...self.entries()]
      .sort((a, b) => b[1] - a[1])
      .slice(0, limit)
      .map(([fn, ms]) => ({ fn, self_ms: +ms.toFixed(2), share: +(ms / total).toFixed(3) })),
  };
}

// ---- report -----------------------------------------------------------------------------------------------------
const kb = (b) => `${(b / 1024).toFixed(1)} KiB`;
const f2 = (x) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(2));
const f3 = (x) => (x === undefined || Number.isNaN(x) ? "n/a" : x.toFixed(3));
const mark = (ok) => (ok ? "met" : "MISSED");

const iqr = (x, f = f3) => (x ? `${f(x.median)} (IQR ${f(x.q1)} to ${f(x.q3)})` : "n/a");

function table(r) {
  const rows = [
    ["Figure", "Value", "Goal"],
    ["wasm size (raw / gzip -9 / brotli)", `${r.size.wasm_raw} B / ${r.size.wasm_gz} B / ${r.size.wasm_br} B`, ""],
    [`browser JS, gzip -9 (${Object.keys(r.size.js_files).join(" + ")})`, `${r.size.js_gz} B`, ""],
    ["wasm + browser JS, gzip -9", `${r.size.total_gz} B`, "<= 40,000 B (package gate 64,000 B)"],
  ];
  if (r.init) {
    const b = r.init.breakdown;
    rows.push(
      [
        `init.ratio: import to a ready Clc / import of ${r.plain.gz} B gzip of plain JS (${r.init.pairs} fresh-load pairs)`,
        `${iqr(r.init.ratio_iqr)}; ${f2(r.init.sdk_ms.median)} vs ${f2(r.init.plain_ms.median)} ms`,
        `<= ${GOALS.init_ratio}: ${mark(r.init.ratio <= GOALS.init_ratio)}`,
      ],
      ["init, warm reloads: SDK / plain", `${iqr(r.init.warm_ratio)}; ${f2(r.init.warm_sdk_ms.median)} vs ${f2(r.init.warm_plain_ms.median)} ms`, ""],
      [
        `init.breakdown (${b.loads} fresh loads, ms from import())`,
        `${f2(b.sequential_fetch_steps.median)} sequential fetches; JS fetched ${f2(b.spans.fetch_js_ms.median)}, wasm fetch starts ${f2(b.wasm_fetch_starts_at_ms.median)}, takes ${f2(b.spans.fetch_wasm_ms.median)}; compile ${f2(b.spans.compile_ms.median)}, instantiate ${f2(b.spans.instantiate_ms.median)}; ready ${f2(b.spans.ready_ms.median)}; first call ${f3(b.first_call_ms.median)}, first request ${f2(b.first_request_ms.median)} (then ${f2(b.second_request_ms.median)}, raw ${f2(b.raw_request_ms.median)})`,
        "",
      ],
    );
  }
  if (r.overhead) {
    rows.push([
      `call_overhead_ratio: shutDownServer(1) SDK / raw fetch (${r.overhead.pairs} pairs)`,
      `${iqr(r.overhead.ratio_iqr)} (${f3(r.overhead.sdk_ms)} vs ${f3(r.overhead.raw_ms)} ms)`,
      `<= ${GOALS.call_overhead_ratio}: ${mark(r.call_overhead_ratio <= GOALS.call_overhead_ratio)}`,
    ]);
    const c = r.call_breakdown;
    if (c) {
      rows.push(
        [
          "call_breakdown: one call's own time around its fetch, µs (SDK before fetch / after the body; raw after)",
          `${c.around_fetch_us.sdk_before} / ${c.around_fetch_us.sdk_after}; ${c.around_fetch_us.raw_after}`,
          "",
        ],
        ["call_breakdown: the same with a fetch that answers at once, back to back, µs per call (SDK / raw)", `${c.hot_us.sdk} / ${c.hot_us.raw}`, ""],
        [
          `call_breakdown: a hand-written JS call with the same checks / raw (SDK / raw in the same pairs)`,
          `${iqr(c.hand_written_ratio_iqr)} (${f3(c.sdk_ratio_same_pairs)})`,
          "",
        ],
      );
    }
    for (const b of r.batch) {
      const goal = b.n === 1000 ? GOALS.batch_1000_ratio : b.n === 5000 ? GOALS.batch_5000_ratio : undefined;
      rows.push([
        `batch of ${b.n} IDs: SDK / raw (${b.pairs} pairs)`,
        `${iqr(b.ratio_iqr)} (${f3(b.sdk_ms)} vs ${f3(b.raw_ms)} ms)`,
        goal ? `<= ${goal}: ${mark(b.ratio <= goal)}` : "",
      ]);
    }
  }
  if (r.wait_scaling) {
    for (const w of r.wait_scaling) {
      rows.push([
        `wait_scaling: one round of ${w.jobs} jobs answered at once (${w.rounds_measured} rounds)`,
        `${iqr(w.round_ms_iqr, f2)} ms = ${f2(w.per_job_us)} µs/job`,
        w.jobs === 10000 ? `<= ${GOALS.wait_10000_over_1000}x the 1,000 figure: ${f2(r.wait_scaling_ratio)}x, ${mark(r.wait_scaling_ratio <= GOALS.wait_10000_over_1000)}` : "",
      ]);
    }
    const m = r.wait_memory_10000;
    rows.push(["memory a wait on 10,000 jobs holds (JS heap after GC / wasm growth)", `${kb(m.js_heap_held_bytes)} / ${kb(m.wasm_growth_bytes)} (wasm ${kb(m.wasm_during_bytes)} in all)`, ""]);
    for (const w of r.waits) {
      rows.push([
        `wait: ${w.jobs} jobs of ${w.durations_ms.join("/")} ms, ${w.mode === "one" ? "one wait" : "Promise.all of waits"} (minPollMs ${w.min_poll_ms}, maxPollMs ${w.max_poll_ms})`,
        `${w.polls} polls = ${f2(w.polls_per_job)}/job; resolves ${f2(w.late_ms)} ms after the last job's end; ratio ${f3(w.overhead_ratio)}`,
        `backoff alone: ${f2(w.min_polls_per_job)} to ${f2(w.max_polls_per_job)} polls/job (median ${f2(w.simulated.polls_per_job_median)}); resolving after the last end: median ${w.simulated.late_ms_median.toFixed(0)} ms, 90% within ${w.simulated.late_ms_p90.toFixed(0)} ms (${w.simulated.runs} simulated waits)`,
      ]);
    }
  }
  if (r.memory) {
    rows.push([
      "wasm memory before / after 10,000 calls",
      `${kb(r.memory.before)} / ${kb(r.memory.after)} (after 500 calls: ${kb(r.memory.after_first_500)})`,
      `flat after the first 500: ${mark(r.memory.flat_after_500)}`,
    ]);
  }
  const line = (cells) => `| ${cells.join(" | ")} |`;
  return [line(rows[0]), line(rows[0].map(() => "---")), ...rows.slice(1).map(line)].join("\n");
}

// ---- the run ----------------------------------------------------------------------------------------------------
async function main() {
  const result = { date: new Date().toISOString(), sandbox: base };
  result.size = sizes();
  result.size.total_gz = result.size.wasm_gz + result.size.js_gz;
  log("size", result.size.wasm_raw, result.size.wasm_gz, result.size.js_gz, Object.keys(result.size.js_files));
  result.plain = plainModule(result.size.total_gz);
  log("plain baseline", result.plain);

  const browser = await chromium.launch({ executablePath: "/usr/bin/chromium", args: ARGS });
  try {
    result.browser = browser.version();
    if (ONLY.has("init")) {
      result.init = await init(browser);
      result.init_ms = result.init.init_ms;
      log("init", { ratio: result.init.ratio_iqr, sdk: result.init.sdk_ms, plain: result.init.plain_ms });
      log("init breakdown", JSON.stringify(result.init.breakdown));
    }

    // Pages are cross-origin isolated (performance.now() at 5 µs) by the sandbox's --isolate (bench/run.sh).
    const context = await browser.newContext();
    const page = await context.newPage();
    watch(page);
    await page.goto(`${base}/page.html`);
    await page.waitForFunction(() => window.bench || window.benchError, null, { timeout: 30000 });
    const err = await page.evaluate(() => window.benchError);
    if (err) throw new Error(`bench page: ${err}`);
    const ev = (fn, ...args) => page.evaluate(([fn, args]) => window.bench[fn](...args), [fn, args]);

    result.page = await ev("setup");
    log("page", result.page);

    if (ONLY.has("calls")) {
      // In a page of its own, in a browser no inspector watches (bench/bare.mjs says why).
      const bare = await openBare("/usr/bin/chromium", ARGS, `${base}/page.html`, "window.bench || window.benchError");
      try {
        const bev = (fn, ...args) => bare.evaluate(`window.bench.${fn}(...${JSON.stringify(args)})`);
        const err = await bare.evaluate("window.benchError");
        if (err) throw new Error(`bench page: ${err}`);
        result.calls_page = await bev("setup");
        log("calls page", result.calls_page);
        if (!result.calls_page.crossOriginIsolated) throw new Error("the calls page is not cross-origin isolated: start the sandbox with --isolate");
        result.overhead = await bev("overhead", PAIRS);
        result.call_overhead_ratio = result.overhead.ratio;
        result.call_overhead_ratio_iqr = result.overhead.ratio_iqr;
        log("overhead", result.overhead.ratio_iqr);
        result.call_breakdown = await bev("callBreakdown", 300);
        log("call breakdown", result.call_breakdown);

        result.batch = [];
        for (const [n, count] of [[1, 150], [100, 100], [1000, 150], [5000, 60]]) {
          const b = await bev("batch", n, count);
          result.batch.push(b);
          log("batch", n, b.ratio_iqr);
        }
      } finally {
        bare.close();
      }
    }

    // Before the waits: a 10,000-job wait grows the wasm memory, which never shrinks.
    if (ONLY.has("memory")) {
      const mem = await ev("memory", 10000, 500);
      result.memory = mem;
      log("memory", { before: mem.before, after: mem.after });
    }

    if (ONLY.has("waits")) {
      // The wait loop's own time per round, for 1,000 and 10,000 distinct jobs answered at once from memory.
      result.wait_scaling = [];
      for (const [jobs, rounds, budgetMs] of [[1000, 40, 15000], [10000, 20, 25000]]) {
        const w = await ev("waitScaling", jobs, rounds, budgetMs);
        result.wait_scaling.push(w);
        log("wait_scaling", jobs, w.round_ms_iqr, w.memory);
      }
      const [w1, w10] = result.wait_scaling;
      result.wait_scaling_ratio = w10.round_ms / w1.round_ms;
      result.wait_memory_10000 = {
        js_heap_held_bytes: w10.memory.js_heap_held,
        wasm_growth_bytes: w10.memory.wasm_growth,
        wasm_during_bytes: w10.memory.wasm_during,
      };

      // Jobs of known, different durations; polling bounds stated so the minimum can be computed.
      const durations = [600, 1200, 1800, 2500, 3200];
      const minPollMs = 250;
      const maxPollMs = 2000;
      result.waits = [];
      for (const mode of ["one", "all"]) {
        const w = await ev("waiting", durations, mode, minPollMs, maxPollMs);
        // What the backoff itself gives for these job ends: its sparsest and densest schedules bound the polls;
        // the delay after the last end depends on where the jitter of each round lands, so it is simulated.
        const sparse = pollsNeeded(w.end_offsets_ms, minPollMs, maxPollMs, () => 1);
        const dense = pollsNeeded(w.end_offsets_ms, minPollMs, maxPollMs, () => 0);
        w.min_polls_per_job = sparse.polls / durations.length;
        w.max_polls_per_job = dense.polls / durations.length;
        w.backoff_resolves_ms = [dense.resolvesAt, sparse.resolvesAt];
        w.simulated = simulate(w.end_offsets_ms, minPollMs, maxPollMs, durations.length);
        result.waits.push(w);
        log("wait", mode, { polls: w.polls, late_ms: w.late_ms, ratio: w.overhead_ratio });
      }
      const w = result.waits[0];
      result.wait = {
        jobs: w.jobs,
        polls: w.polls,
        polls_per_job: w.polls_per_job,
        overhead_ratio: w.overhead_ratio,
        late_ms: w.late_ms,
        min_poll_ms: minPollMs,
        max_poll_ms: maxPollMs,
        min_polls_per_job: w.min_polls_per_job,
        max_polls_per_job: w.max_polls_per_job,
      };
    }

    const b1000 = result.batch?.find((b) => b.n === 1000);
    const missed =
      result.call_overhead_ratio > GOALS.call_overhead_ratio || (b1000 && b1000.ratio > GOALS.batch_1000_ratio);
    await context.close();
    if (process.env.BENCH_PROFILE === "1" || (process.env.BENCH_PROFILE !== "0" && ONLY.has("calls") && missed)) {
      // A page of its own whose wasm is the named build (same glue), so the profile names Rust functions.
      const pctx = await browser.newContext();
      if (named) {
        const wasmBytes = readFileSync(join(named, "clc_wasm_bg.wasm"));
        await pctx.route(/\/pkg\/clc_wasm_bg\.wasm$/, (route) =>
          route.fulfill({ status: 200, contentType: "application/wasm", body: wasmBytes }),
        );
      }
      const ppage = await pctx.newPage();
      watch(ppage);
      await ppage.goto(`${base}/page.html`);
      await ppage.waitForFunction(() => window.bench || window.benchError, null, { timeout: 30000 });
      await ppage.evaluate(() => window.bench.setup());
      result.profile = {
        wasm: named ? "named build (pkg/'s module with its names)" : "pkg/ (no names)",
        runs: [await profile(ppage, 1, 300), await profile(ppage, 1000, 40), await profile(ppage, 5000, 10)],
      };
      await pctx.close();
      log("profile written to results.json (.profile)");
    }
  } finally {
    await browser.close();
  }
  result.duration_s = (Date.now() - started) / 1000;
  writeFileSync(OUT, JSON.stringify(result, null, 2) + "\n");
  console.log(table(result));
  if (result.profile) {
    for (const p of result.profile.runs) {
      console.log(
        `\nProfile, ${p.calls} calls of ${p.n} ID(s): SDK ${p.sdk.ms} ms wall, ${p.sdk.top.busy_ms.toFixed(1)} ms busy vs raw ${p.raw.ms} ms wall, ${p.raw.top.busy_ms.toFixed(1)} ms busy; top self time (SDK, idle excluded):`,
      );
      console.log("  by area: " + p.sdk.top.by_area.slice(0, 8).map((a) => `${a.area} ${a.self_ms.toFixed(0)} ms`).join("; "));
      for (const f of p.sdk.top.functions.slice(0, 12)) console.log(`  ${f.self_ms.toFixed(1).padStart(8)} ms  ${(f.share * 100).toFixed(1).padStart(5)}%  ${f.fn}`);
    }
  }
  console.log(`\nwrote ${OUT} in ${result.duration_s.toFixed(0)} s`);
}

/**
 * The poll times of src/wait.rs's Waiter (relative to the wait's start): the first poll after minPollMs, then after
 * round r a pause of base = min(minPollMs * 2^r, maxPollMs) with "equal jitter" (between base/2 and base, never
 * below minPollMs). `random()` is drawn once per round: always 1 gives the sparsest schedule, always 0 the densest.
 */
function pollSchedule(minPollMs, maxPollMs, random, horizonMs) {
  const times = [minPollMs];
  for (let round = 1; times[times.length - 1] < horizonMs; round++) {
    const base = Math.min(minPollMs * 2 ** round, maxPollMs);
    times.push(times[times.length - 1] + Math.max(base / 2 + (random() * base) / 2, minPollMs));
  }
  return times;
}

/** The backoff's own spread for these job ends, from many schedules with random jitter (network time excluded). */
function simulate(endOffsets, minPollMs, maxPollMs, jobs, runs = 5000) {
  const lastEnd = Math.max(...endOffsets);
  const polls = [];
  const late = [];
  for (let i = 0; i < runs; i++) {
    const r = pollsNeeded(endOffsets, minPollMs, maxPollMs, Math.random);
    polls.push(r.polls / jobs);
    late.push(r.resolvesAt - lastEnd);
  }
  const at = (xs, q) => [...xs].sort((a, b) => a - b)[Math.floor(q * (xs.length - 1))];
  return { runs, polls_per_job_median: at(polls, 0.5), late_ms_median: at(late, 0.5), late_ms_p90: at(late, 0.9) };
}

/** Status requests a job ending at each offset needs under a schedule: polls up to the first one at or after its end. */
function pollsNeeded(endOffsets, minPollMs, maxPollMs, random) {
  const schedule = pollSchedule(minPollMs, maxPollMs, random, Math.max(...endOffsets));
  const perJob = endOffsets.map((e) => schedule.findIndex((t) => t >= e) + 1);
  const lastEnd = Math.max(...endOffsets);
  return { polls: perJob.reduce((a, b) => a + b, 0), resolvesAt: schedule.find((t) => t >= lastEnd) };
}

main().catch((e) => {
  console.error(e);
  process.exit(1);
});
