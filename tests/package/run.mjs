// Package tests (issues 5 and 16): install the release tarball (`make pack`: target/pack/clc-wasm-<version>.tgz)
// with npm into fresh temporary projects, and use it there as users do, each against the sandbox at CLC_SANDBOX_URL:
//   Node ESM import, Node require (as the running Node resolves it, and the CommonJS entry older Node resolves),
//   Deno and Bun, Cloudflare's workerd (through miniflare, a module worker built as wrangler builds it),
//   Vite 7 and Vite 8 (production build, dev server, a module Worker) and webpack 5 builds loaded in headless
//   Chromium, a plain <script type="module"> page with an import map, the no-auto-init subpath `clc-wasm/init`
//   (in a page and in Node), TypeScript consumers under `tsc --noEmit --strict`, the README's quick start run as
//   written, the size goal, the tarball itself (publint, arethetypeswrong, npm publish --dry-run), and the
//   hostile-case suite of issue 12 (hostile.mjs: throwing inputs, hostile answers and fetches, secrets, redirects).
// Each consumer logs in, runs a batch operation to completion with `wait`, and reports; this script judges the report.
//
// Run: make pack, then scripts/with-sandbox.sh --job-ms 300 -- node tests/package/run.mjs
// Env: CLC_TARBALL (default: the one target/pack/clc-wasm-*.tgz), CLC_SIZE_LIMIT_BYTES (default 69000),
//      CASES (comma-separated names to run).
// Prints one line per case and a closing "package: N passed, N failed"; exits non-zero on any failure.
import { execFileSync, spawn } from "node:child_process";
import { createHash } from "node:crypto";
import { createReadStream, existsSync, readdirSync, statSync } from "node:fs";
import { copyFile, cp, mkdir, mkdtemp, readFile, rm, writeFile } from "node:fs/promises";
import { createServer } from "node:http";
import { tmpdir } from "node:os";
import { dirname, extname, join, normalize, resolve, sep } from "node:path";
import { fileURLToPath } from "node:url";

const here = dirname(fileURLToPath(import.meta.url));
const root = resolve(here, "../..");
const fixtures = join(here, "fixtures");
const packDir = join(root, "target/pack");
const releaseTarball = process.env.CLC_TARBALL
  ? resolve(process.env.CLC_TARBALL)
  : readdirSync(packDir, { withFileTypes: true }).filter((e) => /^clc-wasm-.*\.tgz$/.test(e.name))
    .map((e) => join(packDir, e.name))[0];
const bin = (name) => join(root, "node_modules/.bin", name);
const sandbox = process.env.CLC_SANDBOX_URL;
// Issue 5's budget: 45 KB, read as 45,000 B (the stricter of KB and KiB). Growth past it fails the run, so it is a
// decision, never an accident; the margin left is reported every run.
// Raised from 45,000 B when the dashboard session features (issue 13) went in: they cost about 30 KB gzip, which
// this round could not win back (issue 15 tracks it; the closing note has the per-module figures). The gate still
// fails the build above it, so further growth stays a decision. Lowered from 72,500 B to 70,000 B once the wasm's
// import and export names were shortened (scripts/short-names.mjs), so what that won stays won; to 68,500 B once
// the panic messages' formatting code went (scripts/drop-panic-messages.mjs) and wasm-opt's Relooper pass came in.
// Raised to 70,000 B for the JS fast path of server operations (src/js/accepted.js's fastOp: +1,491 B, after the
// import modules' short names took 278 B back), which brought one call from about 1.07 to 1.04 times a raw fetch.
// Lowered to 69,000 B once the classes' methods shared one export per class (src/js/client.rs's METHODS: -1,094 B),
// and to 67,500 B once core's panic functions trapped at once and the panic locations were zeroed (-1,635 B), and to
// 64,000 B once Error and ApiRequest were boxed and the functions put in the order gzip codes best (-3,321 B).
const SIZE_LIMIT = Number(process.env.CLC_SIZE_LIMIT_BYTES || 64_000);
const CASE_TIMEOUT_MS = 120_000;
const DEADLINE_MS = 480_000;
const CHROMIUM = "/usr/bin/chromium";
const CHROMIUM_ARGS = [
  "--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
  "--disable-background-networking", "--disable-component-update", "--disable-sync",
];

const started = Date.now();
const elapsed = (since = started) => `${((Date.now() - since) / 1000).toFixed(1)} s`;

if (!sandbox) {
  console.error("CLC_SANDBOX_URL is not set: run scripts/with-sandbox.sh --job-ms 300 -- node tests/package/run.mjs");
  process.exit(2);
}
if (!releaseTarball || !existsSync(releaseTarball)) {
  console.error(`no release tarball in ${packDir}: run \`make pack\` first (or set CLC_TARBALL)`);
  process.exit(2);
}

// ---- housekeeping: one temporary root, child processes and servers that end with the run ------------------------
const work = await mkdtemp(join(tmpdir(), "clc-wasm-package-test-"));
const children = new Set();
const closers = new Set();
let cleaned = false;
async function cleanup() {
  if (cleaned) return;
  cleaned = true;
  for (const child of children) child.kill("SIGKILL");
  await Promise.allSettled([...closers].map((close) => close()));
  await rm(work, { recursive: true, force: true });
}
for (const signal of ["SIGINT", "SIGTERM"]) {
  process.on(signal, () => cleanup().finally(() => process.exit(130)));
}
const deadline = setTimeout(() => {
  console.error(`package tests: the whole run passed its ${DEADLINE_MS / 1000} s deadline`);
  cleanup().finally(() => process.exit(1));
}, DEADLINE_MS);

/** Runs a command; resolves to {code, stdout, stderr}; killed after timeoutMs. */
function run(cmd, args, { cwd = root, env = {}, timeoutMs = 90_000 } = {}) {
  return new Promise((resolvePromise, reject) => {
    const child = spawn(cmd, args, { cwd, env: { ...process.env, ...env }, stdio: ["ignore", "pipe", "pipe"] });
    children.add(child);
    let stdout = "";
    let stderr = "";
    child.stdout.on("data", (d) => { stdout += d; });
    child.stderr.on("data", (d) => { stderr += d; });
    const timer = setTimeout(() => {
      child.kill("SIGKILL");
      reject(new Error(`${cmd} ${args.join(" ")} timed out after ${timeoutMs / 1000} s\n${tail(stdout + stderr)}`));
    }, timeoutMs);
    child.on("error", (e) => { clearTimeout(timer); children.delete(child); reject(e); });
    child.on("close", (code) => {
      clearTimeout(timer);
      children.delete(child);
      resolvePromise({ code, stdout, stderr });
    });
  });
}

/** Like run, but a non-zero exit is an error carrying the output. */
async function runOk(cmd, args, options) {
  const r = await run(cmd, args, options);
  if (r.code !== 0) throw new Error(`${cmd} ${args.join(" ")} exited ${r.code}\n${tail(r.stdout + r.stderr)}`);
  return r;
}

const tail = (text, lines = 30) => text.split("\n").filter((l) => !/Unknown user config "nodedir"/.test(l))
  .slice(-lines).join("\n");

// ---- the package: packed once, installed into each project --------------------------------------------------------
let tarball;
let packedFiles;
const unpacked = join(work, "unpacked");

const sha256 = async (file) => createHash("sha256").update(await readFile(file)).digest("hex");
let tarballSha;

async function pack() {
  // A copy of the release tarball, checked to be byte for byte the one `make pack` wrote: someone may re-pack
  // meanwhile, and every case must install the same file.
  const dest = join(work, "tarball");
  await mkdir(dest);
  tarball = join(dest, releaseTarball.split(sep).pop());
  await copyFile(releaseTarball, tarball);
  tarballSha = await sha256(tarball);
  const { stdout } = await runOk("tar", ["-tzf", tarball]);
  packedFiles = new Set(stdout.split("\n").filter((l) => l.startsWith("package/") && !l.endsWith("/"))
    .map((l) => l.slice("package/".length)));
  await mkdir(unpacked);
  await runOk("tar", ["-xzf", tarball, "-C", unpacked, "--strip-components=1"]);
}

/** A fresh project in the temporary root with clc-wasm installed from the tarball, and fixture files copied in. */
async function project(name, { type = "module", files = [] } = {}) {
  const dir = join(work, name);
  await mkdir(dir);
  const manifest = { name: `consumer-${name}`, version: "1.0.0", private: true };
  if (type) manifest.type = type;
  await writeFile(join(dir, "package.json"), JSON.stringify(manifest, null, 2) + "\n");
  await runOk("npm", ["install", tarball, "--no-audit", "--no-fund", "--offline"], { cwd: dir });
  const installed = JSON.parse(await readFile(join(dir, "node_modules/clc-wasm/package.json"), "utf8"));
  if (installed.name !== "clc-wasm") throw new Error(`npm installed ${installed.name}, not clc-wasm`);
  for (const [from, to] of files) {
    await mkdir(dirname(join(dir, to)), { recursive: true });
    await copyFile(join(fixtures, from), join(dir, to));
  }
  return dir;
}

// ---- the scenario's servers (each case its own, so cases can run at once on one sandbox) -------------------------
// createSnapshot and startMaintenance queue on any active server whatever its power state.
const scenarioOf = (servers, operation = "createSnapshot") => ({ baseUrl: sandbox, servers, operation });

/** Judges a consumer's scenario report; returns a short summary or throws what is wrong. */
function judge(report, config) {
  const wrong = [];
  const b = report?.badLogin ?? {};
  if (!(b.isClcError === true && b.name === "ClcError" && b.kind === "unauthorized" && b.status === 400 && b.leaksPassword === false)) {
    wrong.push(`a wrong password should reject with a ClcError (unauthorized, 400) without the password: ${JSON.stringify(b)}`);
  }
  if (report?.accountAlias !== "DEMO" || report?.userName !== "demo") {
    wrong.push(`login: account ${report?.accountAlias}, user ${report?.userName}`);
  }
  const want = config.servers.map((s) => s.toLowerCase()).sort();
  const queued = (report?.queued ?? []).filter((q) => q.isQueued).map((q) => q.server.toLowerCase()).sort();
  if (JSON.stringify(queued) !== JSON.stringify(want)) wrong.push(`queued ${JSON.stringify(report?.queued)}`);
  const w = report?.wait ?? {};
  const succeeded = (w.servers ?? []).filter((s) => s.outcome === "succeeded").map((s) => s.server.toLowerCase()).sort();
  if (w.ok !== true || JSON.stringify(succeeded) !== JSON.stringify(want) || w.servers.length !== want.length) {
    wrong.push(`wait: ${JSON.stringify(w)}`);
  }
  if (!(w.rounds >= 1)) wrong.push(`onProgress was called ${w.rounds} times`);
  if (String(report?.serverId).toUpperCase() !== config.servers[0]) wrong.push(`getServer gave ${report?.serverId}`);
  if (wrong.length) throw new Error(wrong.join("; "));
  return `${config.operation} on ${want.length} servers: ok, ${succeeded.length} succeeded after ${w.rounds} poll rounds`;
}

/** Runs a consumer script in its project (in Node, or the runtime `command`) and returns what it printed. */
async function nodeConsumer(dir, script, config, { nodeArgs = [], command = process.execPath, args = nodeArgs, env = {} } = {}) {
  const { stdout } = await runOk(command, [...args, script], {
    cwd: dir, env: { ...env, CLC_SCENARIO: JSON.stringify(config) }, timeoutMs: 60_000,
  });
  const line = stdout.split("\n").find((l) => l.startsWith("RESULT "));
  if (!line) throw new Error(`no RESULT line from ${script}:\n${tail(stdout)}`);
  return JSON.parse(line.slice("RESULT ".length));
}

// ---- pages: a small static server, and headless Chromium ---------------------------------------------------------
const TYPES = {
  ".html": "text/html; charset=utf-8", ".js": "text/javascript", ".mjs": "text/javascript", ".cjs": "text/javascript",
  ".wasm": "application/wasm", ".json": "application/json", ".css": "text/css", ".map": "application/json",
};

/** Serves dir on 127.0.0.1 (OS-picked port) until closed; records every requested path. */
async function serve(dir) {
  const requested = [];
  const server = createServer((req, res) => {
    const path = decodeURIComponent(new URL(req.url, "http://x").pathname);
    requested.push(path);
    const file = normalize(join(dir, path.endsWith("/") ? `${path}index.html` : path));
    if (!file.startsWith(dir + sep) || !existsSync(file) || !statSync(file).isFile()) {
      res.writeHead(404, { "content-type": "text/plain" }).end("not found");
      return;
    }
    res.writeHead(200, { "content-type": TYPES[extname(file)] || "application/octet-stream", "cache-control": "no-store" });
    createReadStream(file).pipe(res);
  });
  await new Promise((ok, fail) => server.listen(0, "127.0.0.1", ok).on("error", fail));
  const close = () => new Promise((ok) => { server.closeAllConnections(); server.close(() => ok()); });
  closers.add(close);
  return {
    url: `http://127.0.0.1:${server.address().port}`,
    requested,
    close: async () => { closers.delete(close); await close(); },
  };
}

let browserPromise;
function browser() {
  browserPromise ??= (async () => {
    if (!existsSync(CHROMIUM)) throw new Error(`${CHROMIUM} is missing (Debian's chromium package)`);
    const { chromium } = await import("playwright-core");
    // launch() starts Chromium on a fresh, empty user-data-dir of its own (removed on close); each page below also
    // gets a fresh context. Never a downloaded browser: the system one only.
    const b = await chromium.launch({ executablePath: CHROMIUM, headless: true, args: CHROMIUM_ARGS, timeout: 30_000 });
    closers.add(() => b.close());
    return b;
  })();
  return browserPromise;
}

/**
 * Loads `url` in a fresh context, waits for window.__result, and fails on a page error, a console error or warning,
 * a failed request or an HTTP error. Resolves to the page's scenario report. The scenario's deliberately wrong login
 * is the one HTTP error expected: its 400, and the console error Chromium always logs for it, are allowed once.
 */
async function loadPage(url, config) {
  const b = await browser();
  const context = await b.newContext();
  const badLogin = `${config.baseUrl}/v2/authentication/login`;
  const expected = { response: 1, console: 1 };
  try {
    const page = await context.newPage();
    const problems = [];
    page.on("console", (m) => {
      if (m.type() !== "error" && m.type() !== "warning") return;
      if (m.type() === "error" && m.location().url === badLogin && /status of 400/.test(m.text()) && expected.console-- > 0) return;
      problems.push(`console.${m.type()}: ${m.text()} (${m.location().url})`);
    });
    page.on("pageerror", (e) => problems.push(`page error: ${e.message}`));
    page.on("requestfailed", (r) => problems.push(`request failed: ${r.url()} ${r.failure()?.errorText}`));
    page.on("response", (r) => {
      if (r.status() < 400) return;
      if (r.status() === 400 && r.url() === badLogin && expected.response-- > 0) return;
      problems.push(`HTTP ${r.status()} for ${r.request().method()} ${r.url()}`);
    });
    await page.goto(url, { waitUntil: "load", timeout: 30_000 });
    const limit = Date.now() + 30_000;
    let result;
    while (Date.now() < limit) {
      result = await page.evaluate(() => window.__result);
      if (result || problems.length) break;
      await new Promise((r) => setTimeout(r, 100));
    }
    if (problems.length) throw new Error(problems.join("\n"));
    if (!result) throw new Error("the page set no result in 30 s");
    if (result.error) throw new Error(`the page failed: ${result.error}`);
    if (expected.response !== 0) throw new Error("the wrong-password login never answered 400");
    return result.value;
  } finally {
    await context.close();
  }
}

const pageQuery = (config, extra = {}) => "?" + new URLSearchParams({
  api: config.baseUrl, servers: config.servers.join(","), operation: config.operation, ...extra,
});

const html = (body) => `<!doctype html>
<html lang="en"><head><meta charset="utf-8"><title>clc-wasm consumer</title><link rel="icon" href="data:,"></head>
<body>${body}</body></html>
`;

// ---- the cases -----------------------------------------------------------------------------------------------------
const cases = [];
const test = (name, fn, { timeoutMs = CASE_TIMEOUT_MS } = {}) => cases.push({ name, fn, timeoutMs });

test("pack", async () => {
  // Every entry, and every file an entry reaches (imports, requires, the wasm), is in the tarball.
  const manifest = JSON.parse(await readFile(join(unpacked, "package.json"), "utf8"));
  const targets = new Set([manifest.main, manifest.module, manifest.browser, manifest.types].filter(Boolean));
  const walk = (v) => (typeof v === "string" ? targets.add(v) : Object.values(v).forEach(walk));
  walk(manifest.exports);
  const missing = [];
  const seen = new Set();
  const queue = [...targets].map((t) => t.replace(/^\.\//, ""));
  while (queue.length) {
    const file = queue.shift();
    if (seen.has(file)) continue;
    seen.add(file);
    if (!packedFiles.has(file)) { missing.push(file); continue; }
    if (!/\.(c|m)?js$|\.d\.c?ts$/.test(file)) continue;
    const text = await readFile(join(unpacked, file), "utf8");
    for (const m of text.matchAll(/(?:from\s+|import\s*\(\s*|require\(\s*|new URL\(\s*|join\(__dirname,\s*)["'](\.\/)?([\w.-]+\.(?:c?js|mjs|wasm))["']/g)) {
      // A declaration file's "./x.js" names x.d.ts, and "./x.cjs" x.d.cts.
      queue.push(/\.d\.c?ts$/.test(file) ? m[2].replace(/\.(c?)js$/, ".d.$1ts") : m[2]);
    }
  }
  const always = ["README.md", "package.json", "LICENSE-MIT", "LICENSE-APACHE"];
  for (const f of always) if (!packedFiles.has(f)) missing.push(f);
  if (missing.length) throw new Error(`not in the tarball: ${missing.join(", ")} (package.json "files")`);
  const extra = [...packedFiles].filter((f) => !seen.has(f) && !always.includes(f) && !/\.d\.c?ts$/.test(f));
  if (extra.length) throw new Error(`packed but reached by no entry: ${extra.join(", ")}`);
  const expected = `clc-wasm-${manifest.version}.tgz`;
  if (!tarball.endsWith(sep + expected)) throw new Error(`the tarball is ${tarball}, not ${expected}`);
  for (const f of ["LICENSE-MIT", "LICENSE-APACHE"]) {
    if (await readFile(join(unpacked, f), "utf8") !== await readFile(join(root, f), "utf8")) throw new Error(`${f} differs from the repository's`);
  }
  return `${expected}, sha256 ${tarballSha.slice(0, 16)}...: ${packedFiles.size} files, every entry and what it loads included, both licences`;
});

test("size", async () => {
  // As build.sh measures it, from the files a user installs: wasm (gzip -9) + browser entry and glue (gzip -9).
  const dir = await project("size");
  const files = (...names) => Promise.all(names.map((n) => readFile(join(dir, "node_modules/clc-wasm", n))));
  // GNU gzip itself, as the goal is stated: node's zlib at level 9 writes about 1% more for the same bytes.
  const gz = (buf) => execFileSync("gzip", ["-9", "-c"], { input: buf, maxBuffer: 1 << 26 }).length;
  const [wasm] = await files("clc_wasm_bg.wasm");
  // The browser entry is one module (the glue and errors.js inlined by scripts/build.sh): it is all the JS it loads.
  const js = Buffer.concat(await files("index.js"));
  const total = gz(wasm) + gz(js);
  const figure = `wasm ${gz(wasm)} B + JS ${gz(js)} B = ${total} B gzip -9 (limit ${SIZE_LIMIT} B)`;
  if (total > SIZE_LIMIT) throw new Error(`over the size limit by ${total - SIZE_LIMIT} B: ${figure}`);
  return figure;
});

test("node-esm", async () => {
  const dir = await project("node-esm", { files: [["scenario.mjs", "scenario.mjs"], ["node-esm.mjs", "main.mjs"]] });
  const config = scenarioOf(["WA1DEMODB01", "WA1DEMODB02"]);
  const out = await nodeConsumer(dir, "main.mjs", config);
  if (!out.resolved.endsWith("/node_modules/clc-wasm/node.js")) throw new Error(`import resolved to ${out.resolved}`);
  return `${judge(out.result, config)} (Node ${process.version}, node.js)`;
});

// require(): Node >= 20.19 / 22.12 can require ES modules and takes the "module-sync" condition (node.js, the same
// instance as import); older Node takes "require" (node.cjs). With require(esm) turned off, this Node resolves
// exactly as Node 18 does, so both entries are tested for real here.
const requireEsm = process.features.require_module === true;
test("node-require", async () => {
  const dir = await project("node-require", { type: "commonjs", files: [["scenario.mjs", "scenario.mjs"], ["node-require.cjs", "main.js"]] });
  const config = scenarioOf(["WA1DEMODB03", "WA1DEMONGT01"], "startMaintenance");
  const out = await nodeConsumer(dir, "main.js", config);
  const entry = requireEsm ? "node.js" : "node.cjs";
  if (!out.resolved.endsWith(`/node_modules/clc-wasm/${entry}`)) throw new Error(`require resolved to ${out.resolved}, not ${entry}`);
  return `${judge(out.result, config)} (Node ${process.version}, ${entry})`;
});

if (requireEsm) {
  test("node-require-cjs", async () => {
    const dir = await project("node-require-cjs", { type: "commonjs", files: [["scenario.mjs", "scenario.mjs"], ["node-require.cjs", "main.js"]] });
    const config = scenarioOf(["WA1DEMONGT02", "WA1DEMOBAT01"], "startMaintenance");
    const out = await nodeConsumer(dir, "main.js", config, { nodeArgs: ["--no-experimental-require-module"] });
    if (!out.resolved.endsWith("/node_modules/clc-wasm/node.cjs")) throw new Error(`require resolved to ${out.resolved}`);
    return `${judge(out.result, config)} (require(esm) off, as Node 18: node.cjs)`;
  });
}

test("readme-quickstart", async () => {
  // The README's quick start, run as written but for the sandbox's address, credentials and server IDs.
  const readme = await readFile(join(unpacked, "README.md"), "utf8");
  const block = /## Quick start\s+```js\n([\s\S]*?)```/.exec(readme)?.[1];
  if (!block) throw new Error("no ```js block under ## Quick start in README.md");
  // The repository's README shows the same quick start; holding them equal means this run covers both.
  const repoReadme = await readFile(join(root, "README.md"), "utf8");
  if (/## Quick start\s+```js\n([\s\S]*?)```/.exec(repoReadme)?.[1] !== block) {
    throw new Error("the quick start of README.md differs from pkg-template/README.md's");
  }
  const replacements = [
    ['"https://api.ctl.io"', JSON.stringify(sandbox)], ['username: "user"', 'username: "demo"'],
    ['password: "secret"', 'password: "demo-password"'], ["WA1ALIASWEB01", "WA1DEMOWEB01"], ["WA1ALIASWEB02", "WA1DEMOWEB02"],
  ];
  let code = block;
  for (const [from, to] of replacements) {
    if (!code.includes(from)) throw new Error(`the quick start no longer says ${from}; update this test`);
    code = code.replaceAll(from, to);
  }
  const dir = await project("readme");
  await writeFile(join(dir, "quickstart.mjs"), code);
  const { stdout, stderr } = await runOk(process.execPath, ["quickstart.mjs"], { cwd: dir, timeoutMs: 60_000 });
  const want = ["logged in as demo to account DEMO", "WA1DEMOWEB01 succeeded", "WA1DEMOWEB02 succeeded", "all servers shut down"];
  const lines = stdout.split("\n").map((l) => l.trim());
  const absent = want.filter((w) => !lines.includes(w));
  if (absent.length || stderr.trim()) throw new Error(`missing ${JSON.stringify(absent)}\n${tail(stdout + stderr)}`);
  return "runs as written: logged in, shut down 2 servers, all succeeded";
});

// Vite 7 (the repository's pinned dev tool) and Vite 8 (the current major, installed as the alias `vite8`), each with
// the configuration the npm README gives for it (none, where it needs none): a production build, the dev server,
// and a production build whose module Worker imports the SDK.
const VITES = [
  { name: "vite", version: 7, module: "vite" },
  { name: "vite8", version: 8, module: "vite8" },
];

/** The vite.config.js the npm README shows for `what` ("dev server", "worker") in Vite `version`, or undefined. */
async function readmeViteConfig(version, what) {
  const readme = await readFile(join(unpacked, "README.md"), "utf8");
  const re = new RegExp("```js\\n// vite\\.config\\.js \\(Vite " + version + ", ([^)]*)\\)\\n([\\s\\S]*?)```", "g");
  for (const m of readme.matchAll(re)) if (m[1].split(/, | and /).includes(what)) return m[2];
  return undefined;
}

for (const v of VITES) {
  const viteBin = join(root, "node_modules", v.module, "bin/vite.js");

  test(`${v.name}`, async () => {
    const dir = await project(v.name, { files: [["scenario.mjs", "src/scenario.mjs"], ["browser-main.js", "src/main.js"]] });
    await writeFile(join(dir, "index.html"), html('<script type="module" src="/src/main.js"></script>'));
    const built = await runOk(process.execPath, [viteBin, "build", dir, "--logLevel", "warn"], { timeoutMs: 90_000 });
    const warnings = tail(built.stdout + built.stderr).trim();
    const server = await serve(join(dir, "dist"));
    try {
      const config = scenarioOf(v.version === 7 ? ["WA1DEMOWEB03", "WA1DEMODB01"] : ["WA1DEMOWEB01", "WA1DEMONGT01"]);
      const report = await loadPage(`${server.url}/index.html${pageQuery(config)}`, config);
      if (!server.requested.some((p) => p.endsWith(".wasm"))) throw new Error("the page never fetched a .wasm from the build");
      const { version } = JSON.parse(await readFile(join(root, "node_modules", v.module, "package.json"), "utf8"));
      return `${judge(report, config)} (Vite ${version} production build, no config)${warnings ? ` (vite said: ${warnings.split("\n")[0]})` : ""}`;
    } finally {
      await server.close();
    }
  });

  test(`${v.name}-dev`, async () => {
    // Vite's dev server, configured as the README says for this major.
    const dir = await project(`${v.name}-dev`, { files: [["scenario.mjs", "src/scenario.mjs"], ["browser-main.js", "src/main.js"]] });
    await writeFile(join(dir, "index.html"), html('<script type="module" src="/src/main.js"></script>'));
    const viteConfig = await readmeViteConfig(v.version, "dev server");
    if (viteConfig) await writeFile(join(dir, "vite.config.js"), viteConfig);
    // Vite in middleware mode on a server of ours: 127.0.0.1 and an OS-picked port (Vite reads port 0 as "5173").
    const { createServer: createViteServer } = await import(v.module);
    const http = createServer();
    const vite = await createViteServer({
      root: dir, logLevel: "warn", appType: "spa", server: { middlewareMode: true, hmr: { server: http } },
    });
    http.on("request", vite.middlewares);
    const close = async () => {
      await vite.close();
      http.closeAllConnections();
      await new Promise((ok) => http.close(() => ok()));
    };
    closers.add(close);
    try {
      await new Promise((ok, fail) => http.listen(0, "127.0.0.1", ok).on("error", fail));
      const url = `http://127.0.0.1:${http.address().port}/`;
      const config = scenarioOf(v.version === 7 ? ["WA1DEMOWEB02", "WA1DEMODB03"] : ["WA1DEMODB02", "WA1DEMOBAT01"]);
      const how = viteConfig ? `README's config: ${viteConfig.trim().replace(/\s+/g, " ")}` : "no config";
      return `${judge(await loadPage(`${url}index.html${pageQuery(config)}`, config), config)} (Vite ${v.version} dev server, ${how})`;
    } finally {
      closers.delete(close);
      await close();
    }
  });

  test(`${v.name}-worker`, async () => {
    // A page whose module Worker imports the SDK and runs the scenario there; the page only relays the report.
    const dir = await project(`${v.name}-worker`, { files: [["scenario.mjs", "src/scenario.mjs"], ["worker.js", "src/worker.js"], ["worker-page.js", "src/main.js"]] });
    await writeFile(join(dir, "index.html"), html('<script type="module" src="/src/main.js"></script>'));
    const viteConfig = await readmeViteConfig(v.version, "worker");
    if (viteConfig) await writeFile(join(dir, "vite.config.js"), viteConfig);
    const built = await runOk(process.execPath, [viteBin, "build", dir, "--logLevel", "warn"], { cwd: dir, timeoutMs: 90_000 });
    const warnings = tail(built.stdout + built.stderr).trim();
    const server = await serve(join(dir, "dist"));
    try {
      const config = scenarioOf(v.version === 7 ? ["WA1DEMOWEB03", "WA1DEMONGT02"] : ["WA1DEMODB01", "WA1DEMOWEB02"], "startMaintenance");
      const report = await loadPage(`${server.url}/index.html${pageQuery(config)}`, config);
      if (!server.requested.some((p) => p.endsWith(".wasm"))) throw new Error("the worker never fetched a .wasm from the build");
      const how = viteConfig ? `README's config: ${viteConfig.trim().replace(/\s+/g, " ")}` : "no config";
      return `${judge(report, config)} (Vite ${v.version} build, in a module Worker, ${how})${warnings ? ` (vite said: ${warnings.split("\n")[0]})` : ""}`;
    } finally {
      await server.close();
    }
  });
}

// ---- other JavaScript runtimes: Deno and Bun (npm's own binaries of them), workerd through miniflare ---------------
const runtimeBin = (name) => {
  const path = bin(name);
  if (!existsSync(path)) throw new Error(`${path} is missing: run scripts/setup.sh node`);
  return path;
};

test("deno", async () => {
  // Deno reads the project's node_modules (package.json present), as `deno run` does in an npm project.
  const dir = await project("deno", { files: [["scenario.mjs", "scenario.mjs"], ["node-esm.mjs", "main.mjs"]] });
  const config = scenarioOf(["WA1DEMOWEB01", "WA1DEMODB02"]);
  const deno = runtimeBin("deno");
  const { stdout: version } = await runOk(deno, ["--version"]);
  const out = await nodeConsumer(dir, "main.mjs", config, {
    command: deno, args: ["run", "--quiet", "--no-prompt", "--allow-read", "--allow-env=CLC_SCENARIO", "--allow-net=127.0.0.1"],
    env: { DENO_DIR: join(work, "deno-cache"), DENO_NO_UPDATE_CHECK: "1", NO_COLOR: "1" },
  });
  if (!/\/node_modules\/clc-wasm\/node\.js$/.test(out.resolved)) throw new Error(`Deno resolved clc-wasm to ${out.resolved}`);
  return `${judge(out.result, config)} (${version.split("\n")[0]}, node.js; read and net permissions only)`;
});

test("bun", async () => {
  const dir = await project("bun", { files: [["scenario.mjs", "scenario.mjs"], ["node-esm.mjs", "main.mjs"]] });
  const config = scenarioOf(["WA1DEMOWEB03", "WA1DEMOBAT01"]);
  const bun = runtimeBin("bun");
  const { stdout: version } = await runOk(bun, ["--version"]);
  const out = await nodeConsumer(dir, "main.mjs", config, {
    command: bun, args: ["run"], env: { BUN_INSTALL_CACHE_DIR: join(work, "bun-cache"), DO_NOT_TRACK: "1" },
  });
  if (!/\/node_modules\/clc-wasm\/node\.js$/.test(out.resolved)) throw new Error(`Bun resolved clc-wasm to ${out.resolved}`);
  return `${judge(out.result, config)} (Bun ${version.trim()}, node.js)`;
});

test("workerd", async () => {
  // A module worker, bundled as wrangler bundles one (esbuild, conditions workerd/worker/browser, each .wasm import
  // left for workerd to compile as a module), run by workerd through miniflare. The test sends the scenario in a
  // request; the worker runs it against the sandbox and answers with the report.
  const dir = await project("workerd", { files: [["scenario.mjs", "scenario.mjs"], ["workerd-worker.js", "worker.js"]] });
  await runOk(bin("esbuild"), [
    "worker.js", "--bundle", "--format=esm", "--platform=neutral", "--conditions=workerd,worker,browser",
    "--main-fields=module,main", "--external:*.wasm", "--log-level=warning", "--outfile=dist/worker.js",
  ], { cwd: dir });
  const bundle = await readFile(join(dir, "dist/worker.js"), "utf8");
  const wasmImport = /from\s*"(\.\/[^"]*clc_wasm_bg\.wasm)"/.exec(bundle)?.[1];
  if (!wasmImport) throw new Error("the bundle imports no clc_wasm_bg.wasm: the workerd condition was not taken");
  if (/readFileSync|node:fs/.test(bundle)) throw new Error("the workerd bundle took the Node entry (it reads from disk)");
  const { Miniflare } = await import("miniflare");
  const mf = new Miniflare({
    modules: [
      { type: "ESModule", path: join(dir, "dist/worker.js"), contents: bundle },
      { type: "CompiledWasm", path: join(dir, "dist", wasmImport), contents: await readFile(join(dir, "node_modules/clc-wasm/clc_wasm_bg.wasm")) },
    ],
    modulesRoot: join(dir, "dist"),
    compatibilityDate: "2026-01-01",
    host: "127.0.0.1",
    port: 0,
    log: undefined,
  });
  const close = () => mf.dispose();
  closers.add(close);
  try {
    const config = scenarioOf(["WA1DEMODB03", "WA1DEMOWEB02"]);
    const r = await mf.dispatchFetch("http://worker.test/", { method: "POST", body: JSON.stringify(config) });
    const body = await r.json().catch(async () => ({ error: `not JSON: ${await r.text()}` }));
    if (body.error) throw new Error(`the worker failed: ${body.error}`);
    const { version } = JSON.parse(await readFile(join(root, "node_modules/miniflare/package.json"), "utf8"));
    return `${judge(body.value, config)} (workerd via miniflare ${version}, the workerd entry, wasm imported as a module)`;
  } finally {
    closers.delete(close);
    await close();
  }
});

// ---- the tarball as a registry sees it -----------------------------------------------------------------------------
test("publish-lint", async () => {
  // publint (package.json against the files), arethetypeswrong (types as each resolution mode finds them) and
  // npm's own dry run of `npm publish`: each must report nothing.
  const said = [];
  const lint = await run(bin("publint"), ["run", unpacked, "--strict", "--pack", "false"], { timeoutMs: 60_000 });
  if (lint.code !== 0 || /\b(warning|error|suggestion)s?\b/i.test(lint.stdout.replace(/All good!/, ""))) {
    throw new Error(`publint: ${tail(lint.stdout + lint.stderr)}`);
  }
  said.push("publint: all good");
  // The .wasm subpath is an asset for apps that serve it themselves, with no types to resolve: not an entry point.
  const attw = await run(bin("attw"), [tarball, "--format", "ascii", "--exclude-entrypoints", "./clc_wasm_bg.wasm"], { timeoutMs: 60_000 });
  if (attw.code !== 0) throw new Error(`arethetypeswrong:\n${tail(attw.stdout + attw.stderr, 60)}`);
  said.push(`attw: ${attw.stdout.split("\n").find((l) => /No problems found/.test(l))?.trim() ?? "no problems"}`);
  const dry = await run("npm", ["publish", "--dry-run", tarball], { cwd: work, timeoutMs: 60_000 });
  // The one warning allowed: nobody is logged in to the registry here, which a dry run notes and does not need.
  const npmWarnings = (dry.stdout + dry.stderr).split("\n").filter((l) => /npm (warn|error)/i.test(l) && !/nodedir/.test(l)
    && !/^npm warn publish This command requires you to be logged in to .* \(dry-run\)$/.test(l.trim()));
  if (dry.code !== 0 || npmWarnings.length) throw new Error(`npm publish --dry-run:\n${tail(dry.stdout + dry.stderr)}`);
  said.push("npm publish --dry-run: clean");
  return said.join("; ");
});

test("webpack", async () => {
  const dir = await project("webpack", { files: [["scenario.mjs", "src/scenario.mjs"], ["browser-main.js", "src/main.js"]] });
  const built = await runOk(process.execPath, [join(here, "webpack-build.mjs"), dir], { timeoutMs: 90_000 });
  const warnings = built.stdout.split("\n").filter((l) => l.startsWith("webpack warning"));
  await writeFile(join(dir, "dist/index.html"), html('<script src="main.js"></script>'));
  const server = await serve(join(dir, "dist"));
  try {
    const config = scenarioOf(["WA1DEMONGT01", "WA1DEMODB02"]);
    const report = await loadPage(`${server.url}/index.html${pageQuery(config)}`, config);
    if (!server.requested.some((p) => p.endsWith(".wasm"))) throw new Error("the page never fetched a .wasm from the build");
    return `${judge(report, config)}${warnings.length ? ` (${warnings.length} webpack warnings: ${warnings[0]})` : ""}`;
  } finally {
    await server.close();
  }
});

test("plain-page", async () => {
  // No bundler: the page imports the installed package's files through an import map.
  const dir = await project("plain", { files: [["scenario.mjs", "scenario.mjs"], ["browser-main.js", "main.js"]] });
  const importMap = { imports: { "clc-wasm": "./node_modules/clc-wasm/index.js" } };
  await writeFile(join(dir, "index.html"), html(`<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="./main.js"></script>`));
  const server = await serve(dir);
  try {
    const config = scenarioOf(["WA1DEMOWEB01", "WA1DEMOWEB03"]);
    const report = await loadPage(`${server.url}/index.html${pageQuery(config)}`, config);
    if (!server.requested.includes("/node_modules/clc-wasm/clc_wasm_bg.wasm")) throw new Error("the wasm next to index.js was never fetched");
    return judge(report, config);
  } finally {
    await server.close();
  }
});

test("init-subpath-page", async () => {
  // clc-wasm/init loads nothing by itself: the app serves the wasm at a path of its choosing and hands init the URL.
  const dir = await project("init-page", { files: [["scenario.mjs", "scenario.mjs"], ["browser-init.js", "main.js"]] });
  await mkdir(join(dir, "assets"));
  await copyFile(join(dir, "node_modules/clc-wasm/clc_wasm_bg.wasm"), join(dir, "assets/clc-sdk.wasm"));
  const importMap = { imports: { "clc-wasm/init": "./node_modules/clc-wasm/init.js" } };
  await writeFile(join(dir, "index.html"), html(`<script type="importmap">${JSON.stringify(importMap)}</script>
<script type="module" src="./main.js"></script>`));
  const server = await serve(dir);
  try {
    const config = scenarioOf(["WA1DEMODB03", "WA1DEMOBAT01"]);
    const report = await loadPage(`${server.url}/index.html${pageQuery(config, { wasm: "/assets/clc-sdk.wasm" })}`, config);
    const wasms = server.requested.filter((p) => p.endsWith(".wasm"));
    if (JSON.stringify(wasms) !== JSON.stringify(["/assets/clc-sdk.wasm"])) throw new Error(`wasm fetched: ${JSON.stringify(wasms)}`);
    return `${judge(report, config)}; the wasm came from the app's URL only`;
  } finally {
    await server.close();
  }
});

test("init-subpath-node", async () => {
  const dir = await project("init-node", { files: [["scenario.mjs", "scenario.mjs"], ["node-init.mjs", "main.mjs"]] });
  const config = scenarioOf(["WA1DEMOWEB02", "WA1DEMONGT02"]);
  const out = await nodeConsumer(dir, "main.mjs", config);
  if (!out.resolved.endsWith("/node_modules/clc-wasm/init.js")) throw new Error(`clc-wasm/init resolved to ${out.resolved}`);
  if (out.beforeInit !== "threw") throw new Error("a call before init did not fail");
  return `${judge(out.result, config)}; init with the wasm's bytes, calls before init fail`;
});

test("typescript", async () => {
  const dir = await project("typescript", { files: [
    ["consumer.ts", "consumer.ts"], ["consumer-require.cts", "consumer-require.cts"], ["consumer-errors.ts", "errors/consumer-errors.ts"],
  ] });
  // The README's quick start is type-checked too, exactly as written.
  const readme = await readFile(join(unpacked, "README.md"), "utf8");
  await writeFile(join(dir, "quickstart.ts"), /## Quick start\s+```js\n([\s\S]*?)```/.exec(readme)[1] + "\nexport {};\n");
  const common = { strict: true, noEmit: true, target: "es2022", lib: ["es2022", "dom"], skipLibCheck: false, types: [] };
  const configs = {
    "tsconfig.node.json": {
      compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" }, files: ["consumer.ts", "consumer-require.cts", "quickstart.ts"],
    },
    "tsconfig.bundler.json": { compilerOptions: { ...common, module: "esnext", moduleResolution: "bundler" }, files: ["consumer.ts", "quickstart.ts"] },
    "tsconfig.errors.json": { compilerOptions: { ...common, module: "nodenext", moduleResolution: "nodenext" }, files: ["errors/consumer-errors.ts"] },
  };
  for (const [name, config] of Object.entries(configs)) await writeFile(join(dir, name), JSON.stringify(config, null, 2));
  const tsc = join(root, "node_modules/.bin/tsc");
  for (const name of ["tsconfig.node.json", "tsconfig.bundler.json"]) {
    await runOk(tsc, ["-p", name, "--pretty", "false"], { cwd: dir, timeoutMs: 60_000 });
  }
  // The misuses must each fail with the expected code, and nothing else.
  const source = await readFile(join(dir, "errors/consumer-errors.ts"), "utf8");
  const expected = source.split("\n").flatMap((l, i) => [...l.matchAll(/expect (TS\d+)/g)].map((m) => `${i + 1} ${m[1]}`)).sort();
  const r = await run(tsc, ["-p", "tsconfig.errors.json", "--pretty", "false"], { cwd: dir, timeoutMs: 60_000 });
  const got = [...r.stdout.matchAll(/consumer-errors\.ts\((\d+),\d+\): error (TS\d+)/g)].map((m) => `${m[1]} ${m[2]}`).sort();
  if (r.code === 0 || JSON.stringify(got) !== JSON.stringify(expected)) {
    throw new Error(`misuses: expected ${JSON.stringify(expected)}, tsc said ${JSON.stringify(got)}\n${tail(r.stdout + r.stderr)}`);
  }
  const { stdout: version } = await runOk(tsc, ["--version"]);
  return `consumer.ts, a require() consumer and the quick start pass --strict (nodenext and bundler resolution); ${expected.length} misuses refused (${version.trim()})`;
});

// Issue 12's hostile-case suite, on the installed tarball. Each group of cases runs in a Node process of its own, so a
// group that kills the wasm instance or stalls its task queue cannot take the other groups' results with it. The
// suite counts unhandled rejections and uncaught exceptions itself (no --unhandled-rejections=strict).
const HOSTILE_GROUP_MS = 150_000;
test("hostile", async () => {
  const dir = await project("hostile");
  await copyFile(join(here, "hostile.mjs"), join(dir, "hostile.mjs"));
  await copyFile(join(here, "wasm-entries.mjs"), join(dir, "wasm-entries.mjs"));
  const { stdout: list } = await runOk(process.execPath, ["hostile.mjs"], { cwd: dir, env: { HOSTILE_LIST: "1" } });
  const groups = list.trim().split(",");
  const lines = [];
  let passed = 0;
  let failed = 0;
  // Two groups at a time, but "load" (hundreds of calls at once on the shared sandbox) alone at the end, so that it
  // cannot slow another group's calls past their time limits.
  const heavy = groups.filter((g) => g === "load");
  const queue = groups.filter((g) => !heavy.includes(g));
  const drain = async () => {
    for (let g = queue.shift(); g; g = queue.shift()) {
      let r;
      try {
        r = await run(process.execPath, ["hostile.mjs"], { cwd: dir, env: { HOSTILE_GROUPS: g }, timeoutMs: HOSTILE_GROUP_MS });
      } catch (e) {
        failed += 1;
        lines.push(`FAIL ${g}: the group's process: ${String(e.message).split("\n")[0]}`);
        continue;
      }
      const out = r.stdout.split("\n").filter((l) => /^(ok|FAIL) /.test(l));
      lines.push(...out);
      const total = /^hostile: (\d+) passed, (\d+) failed$/m.exec(r.stdout);
      if (!total) {
        failed += 1;
        lines.push(`FAIL ${g}: exited ${r.code} without its closing line\n${tail(r.stdout + r.stderr, 10)}`);
        continue;
      }
      passed += Number(total[1]);
      failed += Number(total[2]);
    }
  };
  await Promise.all([drain(), drain()]);
  queue.push(...heavy);
  await drain();
  const summary = `hostile: ${passed} passed, ${failed} failed`;
  if (failed || process.env.HOSTILE_VERBOSE) {
    const ordered = [...lines.filter((l) => l.startsWith("FAIL")), ...lines.filter((l) => !l.startsWith("FAIL"))];
    const text = `${summary}\n${ordered.join("\n")}`;
    if (failed) throw new Error(text);
    return text;
  }
  return `${summary} (${groups.length} groups, each its own Node process)`;
}, { timeoutMs: 300_000 });

// ---- the run --------------------------------------------------------------------------------------------------------
const only = process.env.CASES ? new Set(process.env.CASES.split(",")) : undefined;
const selected = cases.filter((c) => !only || only.has(c.name) || c.name === "pack");
let passed = 0;
let failed = 0;

async function runCase(c) {
  const t0 = Date.now();
  const limit = c.timeoutMs ?? CASE_TIMEOUT_MS;
  let timer;
  try {
    const summary = await Promise.race([
      c.fn(),
      new Promise((_, reject) => { timer = setTimeout(() => reject(new Error(`timed out after ${limit / 1000} s`)), limit); }),
    ]);
    passed += 1;
    console.log(`ok   ${c.name} (${elapsed(t0)}): ${summary}`);
  } catch (e) {
    failed += 1;
    console.log(`FAIL ${c.name} (${elapsed(t0)}): ${String(e?.message ?? e).split("\n")[0]}`);
    const rest = String(e?.message ?? "").split("\n").slice(1).join("\n").trim();
    if (rest) console.log(rest.replace(/^/gm, "     "));
  } finally {
    clearTimeout(timer);
  }
}

try {
  console.log(`package tests: ${releaseTarball} against ${sandbox}, Node ${process.version}, work in ${work}`);
  // Packing comes first: every other case installs its tarball.
  const packCase = cases.find((c) => c.name === "pack");
  await runCase({ name: "pack", fn: async () => { await pack(); return packCase.fn(); } });
  if (tarball) {
    // Two at a time: the machine has two cores, and most cases wait on npm, bundlers or the sandbox's jobs.
    const queue = selected.filter((c) => c.name !== "pack");
    await Promise.all([0, 1].map(async () => {
      for (let c = queue.shift(); c; c = queue.shift()) await runCase(c);
    }));
  } else {
    failed += selected.length - 1;
  }
} finally {
  clearTimeout(deadline);
  await cleanup();
}
console.log(`package tests took ${elapsed()}`);
console.log(`package: ${passed} passed, ${failed} failed`);
process.exit(failed ? 1 : 0);
