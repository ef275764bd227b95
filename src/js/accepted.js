// The fast path of every checked answer: JSON.parse, then a check of the parsed value against the answer's shape
// (and a batch put in request order) in JS, so the answer's text never crosses into the wasm. Copying a batch of
// 5,000 results into the wasm, parsing it there into a tree and checking that was 9 ms of the call's 12 ms over a
// raw fetch (Node 20, in-memory fetch); JSON.parse, which a raw fetch pays too, and a walk of its objects are not.
//
// The wasm's parser and checker (src/parsed.rs, src/shape.rs) stay the reference. This check may only accept what
// they accept, with the same value after filling in absent arrays; where it cannot say, it says no (undefined) and
// the wasm reads the answer, so every error message still comes from there. It says no for: anything JSON.parse
// refuses; a `\u` escape of a surrogate or a string that is not well formed (the wasm refuses lone surrogates, and
// reads a lone one in the text as U+FFFD); nesting deeper than the wasm's parser goes (64 levels), in a field the
// shape names or not; and any value that is not the shape. One difference is left on purpose: a name given twice
// in one object keeps only its last value after JSON.parse, so an earlier value nested too deeply is not seen
// here, where the wasm refuses the whole text. Finding it means reading the text (1.1 ms for 5,000 results, as
// much as the rest of the check), for a text no server writes, whose value JSON.parse reads well.
// tests/accepted/run.mjs holds this file to the wasm's answers on random texts.
//
// The file also holds the JS half of a server operation's IDs (idsCopy, idsText; the wasm's half is
// src/request.rs's IdArray::plain).
//
// Every function here is called through a `catch` import. Those that read answers read no property that could run
// code (JSON.parse makes only plain data), and field presence is read with a captured hasOwnProperty, so a
// polluted Object.prototype changes nothing; idsCopy reads the caller's list, each entry once.

// Generated from src/shape.rs, down to the line that says so (`shape::shapes_js`; `CLC_BLESS=1 cargo test --test
// core_shapes_js` rewrites it): the table of shapes, and the check of a batch's entries written out.
const SHAPES = [[7],["rel",0,-1,"href",0,-1,"id",1,-1],["id",0,-1,"name",0,-1,"description",1,-1,"groupId",1,-1,"locationId",1,-1,"osType",1,-1,"status",1,-1,"type",1,-1,"storageType",1,-1,"details",1,8,"links",2,9],["id",0,-1,"name",0,-1,"links",2,9],[3],["id",0,-1,"name",0,-1,"description",1,-1,"locationId",1,-1,"type",1,-1,"status",1,-1,"serversCount",1,-2,"groups",2,10,"links",2,9],["id",0,-1,"name",0,-1,"description",1,-1,"locationId",1,-1,"type",1,-1,"status",1,-1,"serversCount",1,-2,"groups",2,11,"servers",2,12,"links",2,9],["server",0,-1,"isQueued",0,-3,"links",2,9,"errorMessage",1,-1],["powerState",1,-1,"inMaintenanceMode",1,-3,"cpu",1,-2,"memoryMB",1,-2,"storageGB",1,-2,"ipAddresses",2,13,"snapshots",2,14],[15],[5],[6],[2],[16],[17],["rel",0,-1,"href",0,-1,"id",1,-1,"name",1,-1,"verbs",1,18],["internal",1,-1,"public",1,-1],["name",0,-1,"links",2,9],[-1]];
const WRITTEN = 7;
function written(v, d) {
  if (typeof v !== "object" || v === null || isArray(v)) return false;
  let p = 0, x;
  if (!hasOwn.call(v, "server")) return false;
  {
    x = v["server"];
    p++;
    if (!(d < MAX_DEPTH && typeof x === "string")) return false;
  }
  if (!hasOwn.call(v, "isQueued")) return false;
  {
    x = v["isQueued"];
    p++;
    if (!(d < MAX_DEPTH && typeof x === "boolean")) return false;
  }
  if (hasOwn.call(v, "links")) {
    x = v["links"];
    p++;
    if (!(fits(x, 9, d + 1))) return false;
  } else {
    v["links"] = [];
    p++;
  }
  if (hasOwn.call(v, "errorMessage")) {
    x = v["errorMessage"];
    p++;
    if (x !== null && !(d < MAX_DEPTH && typeof x === "string")) return false;
  }
  return others(v, p, SHAPES[7], d);
}
// (The end of what shape::shapes_js writes.)

const MAX_DEPTH = 64;
// The scalar shapes, by -1 - their number in SHAPES.
const KINDS = ["string", "number", "boolean"];
const hasOwn = Object.prototype.hasOwnProperty;
const isArray = Array.isArray;
const objectKeys = Object.keys;
const SURROGATE_ESCAPE = /\\u[dD][89a-fA-F]/;
const SURROGATE = /[\uD800-\uDFFF]/;

// The answer `text` parsed and checked against shape number `shape` (src/shape.rs's CHECKED_IN_JS), its absent
// arrays filled in; undefined when the wasm must read it.
export function accepted(text, shape) {
  if (text.indexOf("\\u") !== -1 && SURROGATE_ESCAPE.test(text)) return undefined;
  if (!(typeof text.isWellFormed === "function" ? text.isWellFormed() : !SURROGATE.test(text))) return undefined;
  let value;
  try {
    value = JSON.parse(text);
  } catch {
    return undefined;
  }
  return fits(value, shape, 0) ? value : undefined;
}

// Whether `value` at `depth` has shape `shape` (src/shape.rs's check_at, and shape::fill where it does).
function fits(value, shape, depth) {
  if (depth > MAX_DEPTH) return false;
  if (shape < 0) return typeof value === KINDS[-1 - shape];
  if (shape === WRITTEN) return written(value, depth);
  const form = SHAPES[shape];
  if (form.length === 1) {
    if (!isArray(value)) return false;
    const item = form[0];
    // A batch's entries go straight to their written check: through fits, a call that serves every shape, the
    // list cost as much as the entries.
    if (item === WRITTEN && depth < MAX_DEPTH) {
      for (let i = 0; i < value.length; i++) if (!written(value[i], depth + 1)) return false;
    } else {
      for (let i = 0; i < value.length; i++) if (!fits(value[i], item, depth + 1)) return false;
    }
    return true;
  }
  if (typeof value !== "object" || value === null || isArray(value)) return false;
  let present = 0;
  for (let i = 0; i < form.length; i += 3) {
    const name = form[i], presence = form[i + 1];
    if (!hasOwn.call(value, name)) {
      if (presence === 0) return false;
      // The wasm fills them in after its check; filling here, before a later field fails, changes nothing the
      // caller sees: a failed check hands the text, not this value, to the wasm. A filled field counts as present,
      // or every entry without `links` would be walked for unknown fields below.
      if (presence === 2) {
        value[name] = [];
        present++;
      }
      continue;
    }
    const field = value[name], inner = form[i + 2];
    present++;
    if (field === null && presence === 1) continue;
    // A text, number or boolean not too deep is checked here: a call per field was a quarter of the walk.
    if (inner < 0 && depth < MAX_DEPTH ? typeof field !== KINDS[-1 - inner] : !fits(field, inner, depth + 1)) return false;
  }
  return others(value, present, form, depth);
}

// Whether the fields of `value` that `form` does not name (`present` are named) nest no deeper than the wasm's
// parser goes: they are not checked, but it refuses them too.
function others(value, present, form, depth) {
  let keys = 0;
  for (const _ in value) keys++;
  if (keys > present) {
    for (const key of objectKeys(value)) {
      if (!named(form, key) && tooDeep(value[key], depth + 1)) return false;
    }
  }
  return true;
}

function named(form, key) {
  for (let i = 0; i < form.length; i += 3) if (form[i] === key) return true;
  return false;
}

function tooDeep(value, depth) {
  if (depth > MAX_DEPTH) return true;
  if (typeof value !== "object" || value === null) return false;
  if (isArray(value)) {
    for (let i = 0; i < value.length; i++) if (tooDeep(value[i], depth + 1)) return true;
  } else {
    for (const key of objectKeys(value)) if (tooDeep(value[key], depth + 1)) return true;
  }
  return false;
}

// A server operation's `ids` (a string, or an array of strings) as a new array, each entry read once, so that
// the checks, the request's body and the names of its answer see the same IDs whatever getters or Proxy traps do;
// undefined for anything else, which the wasm reads itself. (Not `slice` or `Array.from`: they run a species
// constructor and an iterator the caller can replace.)
export function idsCopy(ids) {
  if (typeof ids === "string") ids = [ids];
  else if (!isArray(ids)) return undefined;
  const n = ids.length, copy = new Array(n);
  for (let i = 0; i < n; i++) if (typeof (copy[i] = ids[i]) !== "string") return undefined;
  return copy;
}

// The IDs of a copy (idsCopy) joined as a JSON array, nothing escaped: the wasm takes it only when no ID needs
// escaping and it holds as many IDs as the copy (src/request.rs's IdArray::plain). JSON.stringify, which looks at
// every character, cost 0.2 ms per 1,000 IDs in Chromium.
const join = Array.prototype.join;
export function idsText(copy) {
  return '["' + join.call(copy, '","') + '"]';
}

// A checked batch `answer` (SERVER_OPERATIONS, arrays filled) in the order of `requested`, the array of checked
// IDs: each requested ID takes the first unused entry whose `server` equals it ignoring ASCII case, and is named
// as the caller spelled it; entries nothing asked for follow in their order (src/order.rs's request_order).
// `table`, the IDs' [hashes, slots] when plainIds made them (the IDs are then printable ASCII), saves making them
// again.
export function inRequestOrder(answer, requested, table) {
  const n = requested.length, m = answer.length;
  // The service answers a batch in another order than asked (src/order.rs): no shortcut for request order.
  // An open-addressing table of the requested IDs, walked once by the answer's entries: checked IDs never repeat
  // one another ignoring case, so an entry answers at most one of them, and the first entry that answers an ID
  // in the answer's order is the one request order gives it. A Map keyed by lower-cased names cost 0.9 ms of a
  // 1,000-ID call in Chromium (a new string and a regex test per name); a table of the answer's names probed by
  // the requested IDs, 0.1 ms in Node 20; this, with plainIds' table, 0.07 to 0.09 ms (1,000 IDs answered in
  // reverse order), and 0.65 ms against 1.0 for 5,000.
  let ascii = true, hashes, slots;
  if (table === undefined) {
    hashes = new Array(n);
    for (let i = 0; i < n; i++) {
      hashes[i] = nameHash(requested[i]);
      ascii &&= hashedAscii;
    }
    // Checked IDs never repeat; were they to, no entry would be placed, and all would follow in their order.
    slots = idTable(requested, hashes) || [-1];
  } else [hashes, slots] = table;
  const mask = slots.length - 1, placed = new Array(n).fill(-1);
  // With the hashes, a probe seldom compares two names, which in a batch share long prefixes (WA1ALIASWB01,
  // WA1ALIASWB02).
  const rest = [];
  for (let j = 0; j < m; j++) {
    const entry = answer[j], name = entry.server, hash = nameHash(name);
    let i = -1;
    for (let at = hash & mask, k; (k = slots[at]) >= 0; at = (at + 1) & mask) {
      // An ASCII ID's toLowerCase is its ASCII lower case, the service's spelling; comparing that is a third of
      // the cost of sameName (Node 20, 1,000 IDs in reverse order: 0.37 -> 0.20 ms).
      if (hashes[k] === hash && ((ascii && requested[k].toLowerCase() === name) || sameName(name, requested[k]))) {
        i = k;
        break;
      }
    }
    if (i >= 0 && placed[i] < 0) {
      placed[i] = j;
      entry.server = requested[i];
    } else rest.push(entry);
  }
  const out = new Array(m);
  let k = 0;
  for (let i = 0; i < n; i++) if (placed[i] >= 0) out[k++] = answer[placed[i]];
  for (let i = 0; i < rest.length; i++) out[k++] = rest[i];
  return out;
}

// FNV-1a over the UTF-16 code units, each with bit 5 set: names sameName calls equal hash alike (plainIds writes
// the same hash out inline). It also leaves in hashedAscii whether the name was all ASCII, which the same pass
// finds for free.
let hashedAscii = false;
function nameHash(name) {
  let hash = 0x811c9dc5, bits = 0;
  for (let i = 0; i < name.length; i++) {
    const c = name.charCodeAt(i);
    bits |= c;
    hash = Math.imul(hash ^ (c | 32), 0x01000193);
  }
  hashedAscii = bits < 128;
  return hash;
}

// An open-addressing table of `ids` by their nameHash `hashes`: per slot (a power of two of them), an index into
// `ids` or -1; undefined when an ID repeats an earlier one ignoring ASCII case. Plain arrays of small integers,
// not typed arrays: each typed array is a buffer of its own for the collector.
function idTable(ids, hashes) {
  let size = 2;
  while (size < 2 * ids.length) size *= 2;
  const mask = size - 1, slots = new Array(size).fill(-1);
  for (let i = 0; i < ids.length; i++) {
    const hash = hashes[i];
    let at = hash & mask;
    for (let k; (k = slots[at]) >= 0; at = (at + 1) & mask) if (hashes[k] === hash && sameName(ids[k], ids[i])) return undefined;
    slots[at] = i;
  }
  return slots;
}

// Equal ignoring ASCII case only, as src/text.rs's same_name (`toLowerCase` would also fold non-ASCII letters, the
// Kelvin sign into "k").
function sameName(a, b) {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) {
    const x = a.charCodeAt(i), y = b.charCodeAt(i);
    if (x !== y && ((x ^ y) !== 32 || ((x | 32) - 97) >>> 0 > 25)) return false;
  }
  return true;
}

// One request and its whole answer (src/js/transport.rs's `exchange` import says what it resolves with).
export function exchange(fetch, url, method, headers, body, stop) {
  return Promise.race([send(fetch, url, method, headers, body, stop.controller.signal), stop.stopped]);
}
async function send(fetch, url, method, headers, body, signal) {
  const read = (o, k) => { try { return o[k]; } catch { return undefined; } };
  // Browsers require `this` to be the global object (or undefined) for the built-in fetch.
  const self = fetch === undefined ? globalThis : undefined;
  if (fetch === undefined) fetch = read(globalThis, "fetch");
  if (typeof fetch !== "function") return [-3];
  await undefined;
  // A redirect could carry the token, or the password at login, to another origin: none is followed. In a
  // browser, a redirect under "manual" is an opaque response with status 0.
  const response = await fetch.call(self, url, { method, headers, body, signal, redirect: "manual" });
  if (read(response, "type") === "opaqueredirect") return [0];
  const status = read(response, "status");
  if (typeof status !== "number" || !(status >= 100 && status <= 599) || status % 1 !== 0) return [-1];
  if (status >= 300 && status < 400 && status !== 304) return [status];
  const text = read(response, "text");
  if (typeof text !== "function") return [-2];
  const got = await text.call(response);
  let retryAfter;
  if (status === 429 || status === 503) {
    try {
      const value = response.headers.get("retry-after");
      if (typeof value === "string") retryAfter = value;
    } catch {}
  }
  // Trimmed once here for every reader: JS's trim also drops a byte-order mark, which Rust's does not.
  return [status, typeof got === "string" ? got.trim() : "", retryAfter];
}

// A call's fast path (src/js/session.rs): the request sent, and a 2xx answer this file accepts (a batch put in request
// order) resolved here, without the answer or the call's future ever entering the wasm. `resume(id, how, got)`
// gives the call back to the wasm: how 2 when it is done here (its place in the line and its stop are released
// first, so the caller's next call finds them free); how 0 with what the exchange resolved with, or 1 with what
// it rejected with, for everything else (an error, a 401, a Retry-After, a stop, an answer this file declines),
// and then the wasm's promise is the call's. Nothing here can throw past a resume: a call always ends in one.
export function fastCall(resume, id, fetch, url, method, headers, body, stop, shape, requested) {
  return exchange(fetch, url, method, headers, body, stop).then(
    (got) => {
      const value = taken(got, stop, shape, requested);
      if (value === undefined) return resume(id, 0, got);
      resume(id, 2);
      return value;
    },
    (e) => resume(id, 1, e),
  );
}

// The call's value when its exchange ended in a 2xx answer of shape `shape` that `accepted` takes (a batch put in
// the order of `requested`, when given, with `ids` if plainIds made their table) and no stop came first; undefined
// when the wasm must read it.
function taken(got, stop, shape, requested, ids) {
  if (stop.why !== 0 || !(got[0] >= 200 && got[0] < 300)) return undefined;
  try {
    const value = accepted(got[1], shape);
    return value !== undefined && requested !== undefined ? inRequestOrder(value, requested, ids) : value;
  } catch {
    return undefined;
  }
}

// A call's stop (src/js/stop.rs says what it is for): its AbortController, its promise, the caller's signal's
// listener and its deadline. Deadlines share one timer.
const deadlines = new Set();
let armed, armedAt = Infinity;
function stopWith(s, why) {
  if (s.why !== 0) return;
  s.why = why;
  s.resolve();
  try { s.controller.abort(); } catch {}
}
// Node, Bun and Deno keep a process alive while a timer is pending: the shared timer may only do that while
// some deadline waits on it, as each call's own timer did.
function keepAlive(on) {
  try {
    if (typeof armed === "object" && armed !== null) on ? armed.ref?.() : armed.unref?.();
    else if (armed !== undefined && typeof Deno === "object") on ? Deno.refTimer?.(armed) : Deno.unrefTimer?.(armed);
  } catch {}
}
function arm(at) {
  if (at >= armedAt) return;
  try { if (armed !== undefined) globalThis.clearTimeout(armed); } catch {}
  armedAt = at;
  try {
    armed = globalThis.setTimeout(onTime, Math.min(Math.max(at - Date.now(), 0), 2147483647));
  } catch {
    armed = undefined;
  }
}
function onTime() {
  armed = undefined;
  armedAt = Infinity;
  // Within a millisecond: Date.now() and the timer's clock are not the same clock.
  const now = Date.now() + 1;
  let next = Infinity;
  for (const s of deadlines) {
    if (s.at <= now) {
      deadlines.delete(s);
      stopWith(s, 2);
    } else if (s.at < next) next = s.at;
  }
  if (next !== Infinity) arm(next);
}
export function stopStart(signal, ms) {
  if (signal !== undefined) {
    let aborted = false;
    try { aborted = signal.aborted; } catch {}
    if (aborted) return 1;
  }
  if (typeof AbortController !== "function") return 0;
  const s = { why: 0, controller: new AbortController(), resolve: undefined, stopped: undefined, signal, onAbort: undefined, at: Infinity };
  s.stopped = new Promise((resolve) => { s.resolve = resolve; });
  if (signal !== undefined) {
    s.onAbort = () => stopWith(s, 1);
    try {
      const add = signal.addEventListener;
      if (typeof add === "function") add.call(signal, "abort", s.onAbort);
    } catch {}
  }
  if (ms !== undefined) {
    s.at = Date.now() + ms;
    if (deadlines.size === 0) keepAlive(true);
    deadlines.add(s);
    arm(s.at);
  }
  return s;
}
export function stopWhy(s) {
  return s.why;
}
export function stopAt(s) {
  return s.at;
}
export function stopRace(s, promise) {
  try {
    return Promise.race([promise, s.stopped]);
  } catch (e) {
    return Promise.reject(e);
  }
}
export function stopUntil(s) {
  return s.stopped;
}
export function stopEnd(s) {
  if (deadlines.delete(s) && deadlines.size === 0) keepAlive(false);
  if (s.onAbort === undefined) return;
  try {
    const remove = s.signal.removeEventListener;
    if (typeof remove === "function") remove.call(s.signal, "abort", s.onAbort);
  } catch {}
}

// A plain server operation, wholly in JS (src/js/session.rs's module docs say when and why): the glue's nine
// methods try this first (scripts/fast-methods.mjs writes them so). Entering the wasm right after a network wait
// cost 20 to 40 µs a call in Chromium, its code cold in the caches, where the same steps in JS cost 10: a third
// of what one call cost over a raw fetch. `st` is the client's state (fastState below, made by the wasm): the
// requests' URL and headers, its timeout and `fetch`, how many places the wasm's own requests leave in the line
// (`room`), against `count`, this path's calls in flight, and whether requests wait for a place (`waiters`).
// (A write that finds a place goes at once in the wasm too: the line holds writes back only while it is full.)
// Anything this path is not sure of goes to the wasm, as read: an ID it does not find plain, options it does not
// take (callOptions), a full line. Once sent, every answer but a 2xx it accepts goes to the wasm (fastHandOver), as a fast call of
// the wasm's own goes by `resume`, so every error still comes from there.
const assign = Object.assign;
// `resume` is the client's (fastCall's): how 3 hands a call over, how 4 lets the line go on when a place is freed.
export function fastState(url, headers, gen, ms, fetch, shape, resume) {
  return { url, headers, gen, ms, fetch, shape, resume, room: 0, waiters: false, count: 0, freeLater: undefined };
}
export function fastSet(st, room, waiters) {
  st.room = room;
  st.waiters = waiters;
}
export function fastToken(st, headers, gen) {
  st.headers = headers;
  st.gen = gen;
}
export function fastCount(st) {
  return st.count;
}
// `slow` calls the wasm's method (`Clc`'s `__call` with the method's number, as scripts/fast-methods.mjs writes
// it), with the IDs as read here when this path says no after reading them, so that they are read once (a throwing
// read is read again there, to reject), and with the options as given: this path says no to options only when the
// wasm rejects them (or an aborted signal).
export function fastOp(self, st, segment, ids, options, slow) {
  if (st === undefined || st.count >= st.room) return slow(self.__wbg_ptr, ids, options);
  let copy;
  try {
    copy = idsCopy(ids);
  } catch {}
  if (copy === undefined) return slow(self.__wbg_ptr, ids, options);
  const table = plainIds(copy);
  if (table === undefined) return slow(self.__wbg_ptr, copy, options);
  const call = callOptions(options);
  if (call === undefined) return slow(self.__wbg_ptr, copy, options);
  const ms = call.timeoutMs === undefined ? st.ms : call.timeoutMs;
  const stop = stopStart(call.signal, ms);
  // 1: the signal was aborted already, 0: no AbortController here; the wasm says so.
  if (typeof stop !== "object") return slow(self.__wbg_ptr, copy, options);
  st.count++;
  const gen = st.gen;
  let sent;
  try {
    sent = exchange(st.fetch, st.url + segment, "POST", assign({}, st.headers), idsText(copy), stop);
  } catch (e) {
    sent = Promise.reject(e);
  }
  return sent.then(
    (got) => {
      const value = taken(got, stop, st.shape, copy, table);
      if (value === undefined) return fastHandOver(self, st, [segment, copy, stop, gen, 0, got, ms]);
      st.count--;
      stopEnd(stop);
      if (st.waiters) {
        try { st.resume(0, 4); } catch {}
      }
      fastFreed(self, st);
      return value;
    },
    (e) => fastHandOver(self, st, [segment, copy, stop, gen, 1, e, ms]),
  );
}
// The call given to the wasm, its place in the line with it: `call` is [segment, IDs, stop, token generation,
// how, got, timeout ms], `how` 0 with what the exchange resolved with in `got`, 1 with what it rejected with
// (src/js/session.rs's hand_over reads it). Its promise is the call's from here on.
function fastHandOver(self, st, call) {
  st.count--;
  let out;
  try {
    out = st.resume(0, 3, call);
  } catch (e) {
    stopEnd(call[2]);
    out = Promise.reject(e);
  }
  fastFreed(self, st);
  return out;
}
// A client freed while calls of this path ran is freed when the last one ends (the glue's `free` waits so, with
// `fastHold`): until then the wasm's client must be there to take a call handed over. `self` is the client's JS
// object, which each call holds so that it is not collected (and freed) meanwhile.
function fastFreed(self, st) {
  if (st.count !== 0 || st.freeLater === undefined || self.__wbg_ptr !== 0) return;
  const free = st.freeLater;
  st.freeLater = undefined;
  // The call's own outcome stands whatever freeing does.
  try {
    free();
  } catch {}
}
export function fastHold(st, free) {
  if (st === undefined || st.count === 0) return false;
  st.freeLater = free;
  return true;
}
// A call's options as { signal, timeoutMs } when this path takes them as src/js/convert.rs's CallOptions::read
// would: none (undefined or null), or an object whose `signal` is absent, null or AbortSignal-like (an
// `addEventListener` function and a boolean `aborted`) and whose `timeoutMs` is absent or a finite number above 0.
// undefined for anything else: the wasm reads them again and rejects the call, naming what is wrong.
const NO_OPTIONS = {};
function callOptions(options) {
  if (options == null) return NO_OPTIONS;
  if (typeof options !== "object") return undefined;
  try {
    const signal = options.signal, timeoutMs = options.timeoutMs;
    if (timeoutMs !== undefined && !(typeof timeoutMs === "number" && timeoutMs > 0 && timeoutMs < Infinity)) return undefined;
    if (signal == null) return { timeoutMs };
    if (typeof signal.addEventListener === "function" && typeof signal.aborted === "boolean") return { signal, timeoutMs };
  } catch {}
  return undefined;
}
// The [hashes, slots] (idTable) of a copy's IDs (idsCopy) when they are all plain, so that the text idsText joins is the
// request's body the wasm would write: printable ASCII but `"` and `\`, 1 to 256 long, not "." or "..", none
// twice ignoring case (src/request.rs's IdArray::plain, which takes every list this takes); else undefined.
// One pass over the characters checks and hashes them, and the repeats are found in the table, which
// inRequestOrder reads again: a Set of lower-cased IDs here cost more than the wasm's check of the joined text
// (1,000 and 5,000 IDs in Chromium), so batches of more than 100 IDs used to be left to the wasm. (Exported for
// tests/accepted/run.mjs.)
export function plainIds(copy) {
  const n = copy.length;
  if (n === 0) return undefined;
  const hashes = new Array(n);
  for (let i = 0; i < n; i++) {
    const id = copy[i], length = id.length;
    if (length === 0 || length > 256 || id === "." || id === "..") return undefined;
    let hash = 0x811c9dc5;
    for (let j = 0; j < length; j++) {
      const c = id.charCodeAt(j);
      if (c < 0x21 || c > 0x7e || c === 0x22 || c === 0x5c) return undefined;
      hash = Math.imul(hash ^ (c | 32), 0x01000193);
    }
    hashes[i] = hash;
  }
  const slots = idTable(copy, hashes);
  return slots && [hashes, slots];
}
