// Benchmark phases that run inside the page (see page.html); bench/run.mjs calls them through page.evaluate and
// gets plain JSON back. Everything talks to the sandbox that served this page, on the same origin.
//
// Fairness rules, applied in every phase:
// - the "raw" side sends the byte-identical request the SDK would send (taken from clc.requests.*), checks
//   res.ok and JSON.parses the text, as a hand-written client would;
// - A and B alternate which goes first, on the same page, against the same sandbox state;
// - sandbox control requests (/sandbox/reset, /sandbox/faults) happen outside the timed regions.

const ORIGIN = location.origin;
const CREDENTIALS = { username: "demo", password: "demo-password" };

let mod; // the package's browser entry (auto-inits the wasm)
let wasm; // the wasm exports, for memory.buffer.byteLength
let clc; // a logged-in client using the page's own fetch

const now = () => performance.now();

/** The median of a list of numbers. */
export function median(values) {
  const s = [...values].sort((a, b) => a - b);
  const m = s.length >> 1;
  return s.length % 2 ? s[m] : (s[m - 1] + s[m]) / 2;
}

function quantile(values, q) {
  const s = [...values].sort((a, b) => a - b);
  return s[Math.min(s.length - 1, Math.floor(q * s.length))];
}

/** A median with its interquartile range beside it, as every figure of results.json reports it. */
export function spread(values) {
  return { median: median(values), q1: quantile(values, 0.25), q3: quantile(values, 0.75), n: values.length };
}

async function sandbox(method, path, body) {
  const res = await fetch(ORIGIN + path, {
    method,
    headers: body === undefined ? {} : { "content-type": "application/json" },
    body: body === undefined ? undefined : JSON.stringify(body),
  });
  if (!res.ok) throw new Error(`${method} ${path}: HTTP ${res.status}`);
  return res.status === 204 ? undefined : res.json();
}

const reset = () => sandbox("POST", "/sandbox/reset");
const setFaults = (f) => sandbox("PUT", "/sandbox/faults", f);

/** The request a hand-written client would send, then JSON.parse of the answer. */
async function raw(req, send = fetch) {
  const res = await send(req.url, { method: req.method, headers: req.headers, body: req.body });
  const text = await res.text();
  if (!res.ok) throw new Error(`HTTP ${res.status}: ${text.slice(0, 200)}`);
  return JSON.parse(text);
}

/**
 * The wasm Memory of the instance index.js made: the browser entry exports the glue's initSync, which returns the
 * exports of the instance already made (with `memory`) without loading anything. (clc-wasm/init is not used: once
 * the entry has the glue inlined, init.js holds a glue of its own, and its init would make a second instance.)
 */
async function wasmExports() {
  const exports = typeof mod.initSync === "function" ? mod.initSync() : undefined;
  if (!exports || !exports.memory) throw new Error("the entry's initSync did not return the wasm exports with memory");
  return exports;
}

const memoryBytes = () => wasm.memory.buffer.byteLength;

/** Loads the package, logs in, and describes the page (timer isolation matters for sub-ms timings). */
export async function setup() {
  mod = await import("/pkg/index.js");
  wasm = await wasmExports();
  await resetAndLogin();
  return { crossOriginIsolated: self.crossOriginIsolated, memory: memoryBytes(), userAgent: navigator.userAgent };
}

/** A reset also forgets every token (the sandbox's "keeps nothing"), so the page's client logs in again. */
export async function resetAndLogin() {
  await reset();
  clc = await mod.Clc.login(CREDENTIALS, { baseUrl: ORIGIN });
}

/**
 * Works out how shutting down one server can be repeated with the same answer every time. run.sh starts the sandbox
 * with jobs lasting 10 minutes, and a shutDown only stops the server when its job ends, so a started server keeps
 * queuing; if it did not (another sandbox), reset and log in again before each call, outside the timing.
 */
async function repeatableShutDown() {
  const server = "WA1DEMOWEB01";
  await resetAndLogin();
  const req = clc.requests.shutDownServer(server);
  const first = await raw(req);
  const second = await raw(req);
  if (first[0].isQueued && second[0].isQueued) {
    return { server, prepare: async () => {}, strategy: "none: a started server keeps queuing while its job runs", rebuilds: false };
  }
  return { server, prepare: resetAndLogin, strategy: "POST /sandbox/reset + login before each call", rebuilds: true };
}

/**
 * SDK vs raw fetch for one shutDown call of `ids`, `pairs` times, alternating which side goes first.
 * Returns medians and the median of per-pair ratios (sdk / raw).
 */
async function pairs(ids, count, warmup, prepare, rebuilds) {
  let req = clc.requests.shutDownServer(ids);
  const sdkMs = [];
  const rawMs = [];
  const ratios = [];
  let sdkLen = -1;
  let rawLen = -1;
  const queued = { sdk: 0, raw: 0 }; // answers saying isQueued:true, to show both sides got the same answers
  const countQueued = (r) => r.filter((op) => op.isQueued).length;
  const sdk = async () => {
    await prepare();
    const t0 = now();
    const r = await clc.shutDownServer(ids);
    const t = now() - t0;
    sdkLen = r.length;
    queued.sdk += countQueued(r);
    return t;
  };
  const rawSide = async () => {
    await prepare();
    if (rebuilds) req = clc.requests.shutDownServer(ids); // new token after a re-login; outside the timing
    const t0 = now();
    const r = await raw(req);
    const t = now() - t0;
    rawLen = r.length;
    queued.raw += countQueued(r);
    return t;
  };
  for (let i = 0; i < warmup + count; i++) {
    let a;
    let b;
    if (i % 2 === 0) {
      a = await sdk();
      b = await rawSide();
    } else {
      b = await rawSide();
      a = await sdk();
    }
    if (i < warmup) continue;
    sdkMs.push(a);
    rawMs.push(b);
    ratios.push(a / b);
  }
  if (sdkLen !== rawLen) throw new Error(`SDK answered ${sdkLen} results, raw ${rawLen}`);
  if (queued.sdk !== queued.raw) throw new Error(`SDK got ${queued.sdk} queued answers, raw ${queued.raw}: unequal work`);
  return {
    n: Array.isArray(ids) ? ids.length : 1,
    pairs: count,
    sdk_ms: median(sdkMs),
    raw_ms: median(rawMs),
    ratio: median(ratios),
    ratio_p25: quantile(ratios, 0.25),
    ratio_p75: quantile(ratios, 0.75),
    ratio_iqr: spread(ratios),
    sdk_ms_iqr: spread(sdkMs),
    raw_ms_iqr: spread(rawMs),
    sdk_minus_raw_ms: median(sdkMs) - median(rawMs),
    queued_answers_per_side: queued.sdk,
  };
}

/** Call overhead: shutDown of one real server, SDK vs raw. */
export async function overhead(count = 1000) {
  const { server, prepare, strategy, rebuilds } = await repeatableShutDown();
  const result = await pairs(server, count, 30, prepare, rebuilds);
  await resetAndLogin();
  return { ...result, server, strategy };
}

/**
 * Where one call's time goes (the "where the time goes" for calls), three ways, 300 calls each:
 * - `around_fetch_us`: the SDK's own time before `fetch` is called and after the body is read, against the raw
 *   side's time after its body (JSON.parse), medians in µs; a client whose `fetch` wraps the page's one records the
 *   two instants, so the network time itself is left out of both;
 * - `hot_us`: the SDK's whole cost per call with a `fetch` that answers at once, calls back to back, against the
 *   same raw steps: what the call costs when its code is in the caches, i.e. all it computes;
 * - `hand_written_ratio`: a hand-written JS call with the checks a careful client makes (the ID, an
 *   AbortController and a stop promise raced against, though no timer is armed; no redirect; the answer's fields;
 *   the caller's spelling back), against the raw side, alternated with it and the SDK: what those checks cost when
 *   written in JS.
 */
export async function callBreakdown(count = 300) {
  const server = "WA1DEMOWEB01";
  await resetAndLogin();
  let fetchedAt = 0;
  let readAt = 0;
  const timed = (url, init) => {
    fetchedAt = now();
    return fetch(url, init).then((r) => ({
      ok: r.ok,
      status: r.status,
      type: r.type,
      headers: r.headers,
      text: () => r.text().then((t) => ((readAt = now()), t)),
    }));
  };
  const watched = await mod.Clc.login(CREDENTIALS, { baseUrl: ORIGIN, fetch: timed });
  const req = watched.requests.shutDownServer(server);
  const around = { sdk_before: [], sdk_after: [], raw_after: [] };
  for (let i = 0; i < 30 + count; i++) {
    let t0 = now();
    await watched.shutDownServer(server);
    let t1 = now();
    if (i >= 30) {
      around.sdk_before.push(fetchedAt - t0);
      around.sdk_after.push(t1 - readAt);
    }
    await raw(req, timed);
    t1 = now();
    if (i >= 30) around.raw_after.push(t1 - readAt);
  }
  const us = (values) => +(median(values) * 1000).toFixed(1);

  const body = JSON.stringify([{ server: server.toLowerCase(), isQueued: true, links: [] }]);
  const answer = { status: 200, type: "basic", headers: { get: () => null }, text: async () => body };
  const atOnce = async () => answer;
  const instant = new mod.Clc({ token: "t", accountAlias: "DEMO", baseUrl: ORIGIN, fetch: atOnce });
  const hot = { sdk: [], raw: [] };
  for (let round = 0; round < 5; round++) {
    let t0 = now();
    for (let i = 0; i < 2000; i++) {
      const r = await atOnce(req.url, { method: req.method, headers: req.headers, body: req.body });
      JSON.parse(await r.text());
    }
    hot.raw.push((now() - t0) / 2000);
    t0 = now();
    for (let i = 0; i < 2000; i++) await instant.shutDownServer(server);
    hot.sdk.push((now() - t0) / 2000);
  }

  const token = req.headers.Authorization;
  const handWritten = async (id) => {
    if (!/^[A-Za-z0-9]{1,32}$/.test(id)) throw new Error("bad server ID");
    const controller = new AbortController();
    let stop;
    const stopped = new Promise((resolve) => (stop = resolve));
    const exchange = (async () => {
      await undefined;
      const headers = { Accept: "application/json", "Content-Type": "application/json", Authorization: token };
      const r = await fetch(req.url, { method: "POST", headers, body: `["${id}"]`, signal: controller.signal, redirect: "manual" });
      return [r.status, (await r.text()).trim()];
    })();
    const [status, text] = await Promise.race([exchange, stopped]);
    stop();
    if (status < 200 || status > 299 || !text.isWellFormed()) throw new Error(`HTTP ${status}`);
    const value = JSON.parse(text);
    const entry = Array.isArray(value) && value.length === 1 ? value[0] : undefined;
    if (typeof entry?.server !== "string" || typeof entry.isQueued !== "boolean") throw new Error("unexpected answer");
    if (entry.links === undefined) entry.links = [];
    if (entry.server.toLowerCase() === id.toLowerCase()) entry.server = id;
    return value;
  };
  const sides = { raw: () => raw(req), hand: () => handWritten(server), sdk: () => clc.shutDownServer(server) };
  const ratios = { hand: [], sdk: [] };
  for (let i = 0; i < 30 + count; i++) {
    const order = i % 2 ? ["raw", "hand", "sdk"] : ["sdk", "hand", "raw"];
    const ms = {};
    for (const side of order) {
      const t0 = now();
      await sides[side]();
      ms[side] = now() - t0;
    }
    if (i < 30) continue;
    ratios.hand.push(ms.hand / ms.raw);
    ratios.sdk.push(ms.sdk / ms.raw);
  }
  return {
    calls: count,
    around_fetch_us: { sdk_before: us(around.sdk_before), sdk_after: us(around.sdk_after), raw_after: us(around.raw_after) },
    hot_us: { sdk: us(hot.sdk), raw: us(hot.raw) },
    hand_written_ratio: median(ratios.hand),
    hand_written_ratio_iqr: spread(ratios.hand),
    sdk_ratio_same_pairs: median(ratios.sdk),
  };
}

/** Distinct server IDs the sandbox does not know (answered isQueued:false). */
export function unknownIds(n, prefix = "WA1BENCH") {
  return Array.from({ length: n }, (_, i) => `${prefix}${String(i).padStart(5, "0")}`);
}

/** Batch scaling: one call with n distinct IDs, SDK vs raw. */
export async function batch(n, count) {
  const ids = unknownIds(n);
  return pairs(ids, count, Math.min(10, count), async () => {}, false);
}

/** Runs `f` `k` times: used to profile one side under the CDP profiler (run.mjs starts/stops it). */
export async function repeatSdk(n, k) {
  const ids = n === 1 ? "WA1BENCH00000" : unknownIds(n);
  for (let i = 0; i < k; i++) await clc.shutDownServer(ids);
}

export async function repeatRaw(n, k) {
  const req = clc.requests.shutDownServer(n === 1 ? "WA1BENCH00000" : unknownIds(n));
  for (let i = 0; i < k; i++) await raw(req);
}

/**
 * Waiting: one job per duration (PUT jobMs before each creation, one shutDown of a started server per job), then
 * `mode` "one" (one wait over all batches' results) or "all" (Promise.all of one wait per batch).
 * Counts status requests through a counting fetch given to the client.
 */
export async function waiting(durations, mode, minPollMs, maxPollMs) {
  const servers = ["WA1DEMOWEB01", "WA1DEMOWEB02", "WA1DEMODB01", "WA1DEMONGT01", "VA1DEMORPT01", "VA1DEMORPT02"];
  if (durations.length > servers.length) throw new Error("more jobs than started servers");
  await reset();
  const statusPolls = new Map(); // job id -> status requests
  const pollTimes = []; // [ms since the wait started, job id] of each status request
  let t0 = 0;
  const countingFetch = (input, init) => {
    const url = typeof input === "string" ? input : input.url;
    const m = /\/status\/([^/?#]+)/.exec(url);
    if (m) {
      statusPolls.set(m[1], (statusPolls.get(m[1]) || 0) + 1);
      pollTimes.push([+(now() - t0).toFixed(1), m[1]]);
    }
    return fetch(input, init);
  };
  const wclc = await mod.Clc.login(CREDENTIALS, { baseUrl: ORIGIN, fetch: countingFetch });
  const batches = [];
  const ends = [];
  for (let i = 0; i < durations.length; i++) {
    await setFaults({ jobMs: durations[i] });
    const sent = now();
    const ops = await wclc.shutDownServer(servers[i]);
    const received = now();
    if (!ops[0] || !ops[0].isQueued) throw new Error(`${servers[i]} was not queued: ${JSON.stringify(ops)}`);
    // The job's clock starts while the sandbox handles the request: between sent and received (< 1 ms apart here).
    ends.push((sent + received) / 2 + durations[i]);
    batches.push(ops);
  }
  statusPolls.clear(); // only count the wait's requests
  pollTimes.length = 0;
  const options = { minPollMs, maxPollMs };
  t0 = now();
  let results;
  if (mode === "one") {
    results = [await wclc.wait(batches.flat(), options)];
  } else {
    results = await Promise.all(batches.map((ops) => wclc.wait(ops, options)));
  }
  const t1 = now();
  const lastEnd = Math.max(...ends);
  const ok = results.every((r) => r.ok);
  const jobs = results.flatMap((r) => r.jobs);
  const polls = [...statusPolls.values()].reduce((a, b) => a + b, 0);
  const reportedPolls = jobs.reduce((a, j) => a + j.polls, 0);
  await resetAndLogin();
  return {
    mode,
    jobs: durations.length,
    durations_ms: durations,
    min_poll_ms: minPollMs,
    max_poll_ms: maxPollMs,
    ok,
    outcomes: results.flatMap((r) => r.servers.map((s) => s.outcome)),
    polls,
    polls_reported_by_wait: reportedPolls,
    polls_by_job: jobs.map((j) => ({ id: j.id, polls: statusPolls.get(j.id) || 0, outcome: j.outcome })),
    polls_per_job: polls / durations.length,
    wait_ms: t1 - t0,
    ideal_ms: lastEnd - t0,
    end_offsets_ms: ends.map((e) => e - t0),
    poll_times_ms: pollTimes,
    late_ms: t1 - lastEnd,
    overhead_ratio: (t1 - t0) / (lastEnd - t0),
  };
}

/**
 * Memory: 10,000 calls (request builders, validation errors, real calls answered and failing), sampling the wasm
 * memory size every `every` calls.
 */
export async function memory(total = 10000, every = 500) {
  await resetAndLogin();
  const before = memoryBytes();
  const samples = [{ calls: 0, bytes: before }];
  const ten = unknownIds(10, "WA1MEM");
  let errors = 0;
  for (let i = 1; i <= total; i++) {
    switch (i % 10) {
      case 0: // a real call (not queued: unknown server)
        await clc.shutDownServer(`WA1MEMREAL${i % 97}`);
        break;
      case 1:
        clc.requests.createSnapshot(ten, { expirationDays: 7 });
        break;
      case 2: // the validation error path (duplicate IDs) must not leak either
        try {
          clc.requests.shutDownServer(["WA1MEMDUP", "wa1memdup"]);
        } catch (e) {
          errors++;
        }
        break;
      case 3:
        clc.requests.getServer("WA1DEMOWEB01");
        break;
      case 4:
        clc.requests.getStatus("wa1-12345");
        break;
      case 5:
        if (i % 50 === 5) {
          // a real call that fails (404), through the error decoding path
          try {
            await clc.getServer("WA1NOSUCH01");
          } catch (e) {
            errors++;
          }
        } else {
          clc.requests.archiveGroup("2a5c0b9662cf4fc8bf6180f139facdc2");
        }
        break;
      default:
        clc.requests.shutDownServer(ten);
    }
    if (i % every === 0) samples.push({ calls: i, bytes: memoryBytes() });
  }
  const after = memoryBytes();
  const at500 = samples.find((s) => s.calls >= 500);
  return { before, after, after_first_500: at500 ? at500.bytes : before, flat_after_500: at500 ? at500.bytes === after : true, errors, samples };
}

/**
 * The wait loop's own cost per round for `jobs` distinct jobs, through the public API only (so it measures any
 * implementation of `clc.wait`): a client whose `fetch` answers every Get Status at once from memory (a constant
 * object, no network, no Response construction), minPollMs = maxPollMs = 1, and the time between successive
 * onProgress calls. Jobs stay "executing" until enough rounds are seen (or `budgetMs` has passed), then every job
 * answers "succeeded" and the wait ends. On the last measured round the callback also reads what the wait holds:
 * JS heap after a forced GC (needs --js-flags=--expose-gc and --enable-precise-memory-info) and the wasm memory.
 */
export async function waitScaling(jobs, rounds, budgetMs) {
  const gc = typeof globalThis.gc === "function" ? () => globalThis.gc() : () => {};
  const heap = () => (performance.memory ? performance.memory.usedJSHeapSize : NaN);
  let answer = '{"status":"executing"}';
  const reply = { ok: true, status: 200, statusText: "OK", headers: new Headers({ "content-type": "application/json" }) };
  let reads = 0;
  const memFetch = () => {
    reads++;
    const text = answer;
    return Promise.resolve({ ...reply, text: () => Promise.resolve(text), json: () => Promise.resolve(JSON.parse(text)) });
  };
  const wclc = new mod.Clc({ token: "bench-token", accountAlias: "DEMO", baseUrl: ORIGIN, fetch: memFetch });
  const ops = Array.from({ length: jobs }, (_, i) => {
    const id = `wa1-${String(i).padStart(6, "0")}`;
    return {
      server: `WA1BENCHW${String(i).padStart(6, "0")}`,
      isQueued: true,
      links: [{ rel: "status", href: `/v2/operations/DEMO/status/${id}`, id }],
    };
  });
  gc();
  const before = { heap: heap(), wasm: memoryBytes() };
  const stamps = [];
  let held;
  let probe = -1; // index of the stamp after which the GC ran
  const t0 = now();
  const onProgress = () => {
    stamps.push(now());
    // stamps[0] ends the first round (which includes reading the ops); intervals start after it.
    const intervals = stamps.length - 1;
    if (answer !== '{"status":"executing"}') return;
    if (intervals >= rounds || (intervals >= 3 && now() - t0 > budgetMs)) {
      gc(); // outside every counted interval: this is the last one
      held = { heap: heap(), wasm: memoryBytes() };
      probe = stamps.length - 1;
      answer = '{"status":"succeeded"}';
    }
  };
  const result = await wclc.wait(ops, { minPollMs: 1, maxPollMs: 1, timeoutMs: 3_600_000, onProgress });
  const t1 = now();
  const succeeded = result.servers.filter((s) => s.outcome === "succeeded").length;
  if (succeeded !== jobs) throw new Error(`wait on ${jobs} jobs: ${succeeded} succeeded`);
  // Intervals between onProgress calls while every job was still executing, up to the GC (excluded).
  const counted = [];
  for (let i = 1; i <= probe; i++) counted.push(stamps[i] - stamps[i - 1]);
  gc();
  const after = { heap: heap(), wasm: memoryBytes() };
  wclc.free?.();
  const round = spread(counted);
  return {
    jobs,
    round_ms: round.median,
    round_ms_iqr: round,
    per_job_us: (round.median / jobs) * 1000,
    first_round_ms: stamps[0] - t0,
    rounds_measured: counted.length,
    status_reads: reads,
    reads_per_job: reads / jobs,
    total_ms: t1 - t0,
    memory: {
      js_heap_before: before.heap,
      js_heap_during: held ? held.heap : NaN,
      js_heap_held: held ? held.heap - before.heap : NaN,
      js_heap_after: after.heap,
      wasm_before: before.wasm,
      wasm_during: held ? held.wasm : NaN,
      wasm_growth: held ? held.wasm - before.wasm : NaN,
      wasm_after: after.wasm,
      precise: typeof globalThis.gc === "function",
    },
  };
}
