// The demo's walk in a browser other than Chromium, over W3C WebDriver (tests/browsers/webdriver.mjs):
//   node tests/browsers/demo-walk.mjs firefox|webkit      (CLC_SANDBOX_URL: a sandbox serving www/ and pkg/)
// It logs in as a user does (the fields labelled "Username" and "Password", the "Log in" button), waits for the
// table of servers, and fails on any console error or uncaught error the browser reports. Locators are labels and
// roles only (the demo's markup and classes may change). Firefox reports console entries over WebDriver BiDi from
// the first script of the page on; WebKitWebDriver has no log of its own, so there the page's console.error/warn,
// uncaught errors and unhandled rejections are recorded by a hook installed before the login (the load itself is
// covered by the table appearing only if the page's scripts ran).
import { start, byLabel, byButton } from "./webdriver.mjs";

const browser = process.argv[2];
const BASE = process.env.CLC_SANDBOX_URL;
const TOTAL_MS = Number(process.env.DEMO_WALK_TIMEOUT_MS ?? 180_000);
if (!BASE || !["firefox", "webkit"].includes(browser)) {
  console.error("usage: CLC_SANDBOX_URL=... node tests/browsers/demo-walk.mjs firefox|webkit");
  process.exit(2);
}
// Node 20 has WebSocket behind a flag (Node 22 has it on): start again with it, once, for Firefox's BiDi log.
if (browser === "firefox" && typeof WebSocket === "undefined" && !process.execArgv.includes("--experimental-websocket")) {
  const { spawnSync } = await import("node:child_process");
  const r = spawnSync(process.execPath, ["--experimental-websocket", ...process.execArgv, ...process.argv.slice(1)], { stdio: "inherit" });
  process.exit(r.status ?? 1);
}

const watchdog = setTimeout(() => { console.error(`FAIL: the walk took longer than ${TOTAL_MS / 1000} s`); process.exit(1); }, TOTAL_MS);
watchdog.unref();
const started = Date.now();
const step = (what) => console.log(`ok   ${what} (${((Date.now() - started) / 1000).toFixed(1)} s)`);

const session = await start(browser);
const problems = [];
let bidi;
try {
  const caps = session.capabilities ?? {};
  console.log(`${session.spec.name} ${caps.browserVersion ?? "?"} (${caps.browserName ?? "?"}) via ${session.spec.driver}`);

  if (typeof caps.webSocketUrl === "string") {
    bidi = await openBidi(caps.webSocketUrl);
    await bidi.send("session.subscribe", { events: ["log.entryAdded"] });
    bidi.on("log.entryAdded", (p) => {
      if (p.level === "error" || p.level === "warn") problems.push(`${p.type} ${p.level}: ${p.text}${p.source?.url ? ` (${p.source.url})` : ""}`);
    });
    step("console and page errors followed over WebDriver BiDi (log.entryAdded)");
  }

  await session.navigate(`${BASE}/`);
  await session.execute(`
    window.__walkProblems = [];
    const seen = (kind) => (...args) => window.__walkProblems.push(kind + ": " + args.map(String).join(" "));
    for (const level of ["error", "warn"]) {
      const original = console[level].bind(console);
      console[level] = (...args) => { seen("console." + level)(...args); original(...args); };
    }
    window.addEventListener("error", (e) => seen("uncaught")(e.message));
    window.addEventListener("unhandledrejection", (e) => seen("unhandled rejection")(e.reason && e.reason.message || e.reason));
  `);
  step(`opened ${BASE}/`);

  const field = async (label) => (await session.until(`a field labelled "${label}"`, async () => (await session.findAll(byLabel(label)))[0]));
  const username = await field("Username");
  const password = await field("Password");
  await session.command("POST", `/element/${username}/clear`, {});
  await session.type(username, "demo");
  await session.command("POST", `/element/${password}/clear`, {});
  await session.type(password, "demo-password");
  // The button stays disabled until app.js runs (after the wasm's top-level await), and a disabled button ignores
  // the click: wait for an enabled one, as a user would.
  const logIn = await session.until('an enabled "Log in" button', async () => {
    const [button] = await session.findAll(byButton("Log in"));
    return button && (await session.command("GET", `/element/${button}/enabled`)) ? button : undefined;
  });
  await session.click(logIn);
  step('typed demo / demo-password into "Username" and "Password", clicked "Log in"');

  // The servers table: a <table> whose body rows name the fixture's servers (WA1DEMO...).
  const rows = await session.until("a table of servers", () => session.execute(`
    for (const table of document.querySelectorAll("table")) {
      const rows = [...table.querySelectorAll("tr")].filter((tr) => tr.querySelector("td") && /\\bWA1DEMO[A-Z]+\\d+/i.test(tr.textContent));
      const visible = table.getClientRects().length > 0;
      if (rows.length && visible) return rows.map((tr) => (tr.textContent.match(/\\bWA1DEMO[A-Z]+\\d+/i) || [""])[0]);
    }
    return null;
  `), 30_000);
  step(`the table of servers shows ${rows.length} servers (${rows.slice(0, 3).join(", ")}, ...)`);

  // Give late errors (a failed request, a rejected promise after the render) a moment to surface.
  await new Promise((r) => setTimeout(r, 1000));
  const hooked = await session.execute("return window.__walkProblems || []");
  problems.push(...hooked);
  if (problems.length) throw new Error(`the browser reported:\n  ${[...new Set(problems)].join("\n  ")}`);
  step(`no console errors or warnings, no uncaught errors${bidi ? " (BiDi log and page hooks)" : " (page hooks)"}`);
  console.log(`demo walk (${session.spec.name}): 1 passed, 0 failed`);
} catch (e) {
  console.log(`FAIL ${e.message}`);
  const log = session.log().trim();
  if (log) console.log(`driver log (last lines):\n${log.split("\n").slice(-15).join("\n")}`);
  process.exitCode = 1;
} finally {
  bidi?.close();
  await session.quit();
}

/** A WebDriver BiDi connection: send(method, params) resolves to the result; on(event, fn) for events. */
function openBidi(url) {
  return new Promise((resolve, reject) => {
    const ws = new WebSocket(url);
    let id = 0;
    const pending = new Map();
    const handlers = new Map();
    ws.onmessage = (m) => {
      const msg = JSON.parse(m.data);
      if (msg.id !== undefined && pending.has(msg.id)) {
        const { ok, fail } = pending.get(msg.id);
        pending.delete(msg.id);
        if (msg.type === "error") fail(new Error(`${msg.error}: ${msg.message}`)); else ok(msg.result);
      } else if (msg.method) {
        for (const fn of handlers.get(msg.method) ?? []) fn(msg.params);
      }
    };
    ws.onerror = () => reject(new Error(`BiDi: could not connect to ${url}`));
    ws.onopen = () => resolve({
      send: (method, params) => new Promise((ok, fail) => {
        id += 1;
        pending.set(id, { ok, fail });
        ws.send(JSON.stringify({ id, method, params }));
      }),
      on: (event, fn) => handlers.set(event, [...(handlers.get(event) ?? []), fn]),
      close: () => ws.close(),
    });
  });
}
