// A small W3C WebDriver client over Node's fetch, for browsers that Playwright's Chromium build does not cover:
// Firefox through geckodriver and WebKitGTK through WebKitWebDriver. Each driver is started here on 127.0.0.1 on a
// port the OS picked, and stopped (with its browser) by quit(), or when this process exits.
import { spawn } from "node:child_process";
import { existsSync } from "node:fs";
import net from "node:net";

const ELEMENT = "element-6066-11e4-a52e-4f735466cecf";
const sleep = (ms) => new Promise((r) => setTimeout(r, ms));

/** A free 127.0.0.1 port: bound by the OS, then released for the driver to take. */
export function freePort() {
  return new Promise((resolve, reject) => {
    const s = net.createServer();
    s.on("error", reject);
    s.listen(0, "127.0.0.1", () => { const { port } = s.address(); s.close(() => resolve(port)); });
  });
}

/** The drivers this client knows: how to start each, and the capabilities of a session of its browser. */
export const BROWSERS = {
  firefox: {
    name: "Firefox ESR",
    driver: process.env.GECKODRIVER || "geckodriver",
    // --websocket-port 0: WebDriver BiDi on a free port (its default, 9222, would collide between parallel runs).
    args: (port) => ["--host", "127.0.0.1", "--port", String(port), "--websocket-port", "0"],
    capabilities: () => ({
      browserName: "firefox",
      webSocketUrl: true,
      "moz:firefoxOptions": { binary: process.env.FIREFOX || "/usr/bin/firefox-esr", args: ["-headless"] },
    }),
  },
  webkit: {
    name: "WebKitGTK MiniBrowser",
    driver: process.env.WEBKIT_WEBDRIVER || "/usr/bin/WebKitWebDriver",
    args: (port) => ["--host=127.0.0.1", `--port=${port}`],
    capabilities: () => ({
      "webkitgtk:browserOptions": { binary: miniBrowser(), args: ["--automation"] },
    }),
  },
};

/** Debian puts the MiniBrowser beside the WebKitGTK library; the API version in the path moves with releases. */
export function miniBrowser() {
  const candidates = [
    process.env.MINIBROWSER,
    "/usr/lib/x86_64-linux-gnu/webkitgtk-6.0/MiniBrowser",
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
    "/usr/lib/x86_64-linux-gnu/webkit2gtk-4.0/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkitgtk-6.0/MiniBrowser",
    "/usr/lib/aarch64-linux-gnu/webkit2gtk-4.1/MiniBrowser",
  ].filter(Boolean);
  const found = candidates.find((p) => existsSync(p));
  if (!found) throw new Error(`no MiniBrowser in ${candidates.join(", ")} (Debian's webkit2gtk-driver)`);
  return found;
}

/** Starts the driver for `browser` and opens a session; resolves to a Session. */
export async function start(browser, { timeoutMs = 60_000 } = {}) {
  const spec = BROWSERS[browser];
  if (!spec) throw new Error(`unknown browser ${browser}`);
  const port = await freePort();
  const child = spawn(spec.driver, spec.args(port), { stdio: ["ignore", "pipe", "pipe"] });
  let log = "";
  child.stdout.on("data", (d) => { log += d; });
  child.stderr.on("data", (d) => { log += d; });
  const kill = () => { try { child.kill("SIGKILL"); } catch { /* gone already */ } };
  process.on("exit", kill);
  const base = `http://127.0.0.1:${port}`;
  const limit = Date.now() + timeoutMs;
  for (;;) {
    if (child.exitCode !== null) throw new Error(`${spec.driver} exited ${child.exitCode}:\n${log}`);
    try {
      const r = await fetch(`${base}/status`);
      if (r.ok) break;
    } catch { /* not listening yet */ }
    if (Date.now() > limit) { kill(); throw new Error(`${spec.driver} did not listen in ${timeoutMs / 1000} s:\n${log}`); }
    await sleep(100);
  }
  const session = new Session(base, spec, child, () => log);
  try {
    const value = await session.command("POST", "/session", { capabilities: { alwaysMatch: spec.capabilities() } }, timeoutMs);
    session.id = value.sessionId;
    session.capabilities = value.capabilities;
  } catch (e) {
    kill();
    throw new Error(`${spec.name}: no session: ${e.message}\n${log}`);
  }
  return session;
}

export class Session {
  constructor(base, spec, child, log) {
    this.base = base;
    this.spec = spec;
    this.child = child;
    this.log = log;
    this.id = undefined;
  }

  /** One WebDriver command; resolves to its `value`, rejects with the driver's error and message. */
  async command(method, path, body, timeoutMs = 30_000) {
    const url = this.base + (path.startsWith("/session") || !this.id ? path : `/session/${this.id}${path}`);
    const r = await fetch(url, {
      method,
      headers: body === undefined ? {} : { "content-type": "application/json; charset=utf-8" },
      body: body === undefined ? undefined : JSON.stringify(body),
      signal: AbortSignal.timeout(timeoutMs),
    });
    const json = await r.json().catch(() => ({}));
    if (!r.ok || json?.value?.error) {
      const err = new Error(`${method} ${path}: ${json?.value?.error ?? r.status}: ${json?.value?.message ?? ""}`);
      err.code = json?.value?.error;
      throw err;
    }
    return json.value;
  }

  navigate(url) { return this.command("POST", "/url", { url }, 60_000); }
  execute(script, args = []) { return this.command("POST", "/execute/sync", { script, args }); }
  executeAsync(script, args = []) { return this.command("POST", "/execute/async", { script, args }); }

  /** Elements matching an XPath (in document order); [] when none. */
  async findAll(xpath) {
    const found = await this.command("POST", "/elements", { using: "xpath", value: xpath });
    return found.map((e) => e[ELEMENT]);
  }

  /** Waits until `check()` resolves to something truthy; rejects with `what` after timeoutMs. */
  async until(what, check, timeoutMs = 20_000) {
    const limit = Date.now() + timeoutMs;
    let last;
    for (;;) {
      try {
        const v = await check();
        if (v) return v;
      } catch (e) { last = e; }
      if (Date.now() > limit) throw new Error(`timed out after ${timeoutMs / 1000} s waiting for ${what}${last ? ` (${last.message})` : ""}`);
      await sleep(200);
    }
  }

  type(element, text) { return this.command("POST", `/element/${element}/value`, { text }); }
  click(element) { return this.command("POST", `/element/${element}/click`, {}); }
  text(element) { return this.command("GET", `/element/${element}/text`); }

  /** Ends the session (closing the browser) and the driver; never throws. */
  async quit() {
    if (this.id) await this.command("DELETE", `/session/${this.id}`, undefined, 15_000).catch(() => {});
    this.id = undefined;
    if (this.child.exitCode === null) {
      this.child.kill("SIGTERM");
      const exited = new Promise((r) => this.child.once("exit", r));
      if (!(await Promise.race([exited.then(() => true), sleep(5000).then(() => false)]))) this.child.kill("SIGKILL");
    }
  }
}

/** An XPath string literal for any text (XPath 1 has no escapes: concat() joins the quote kinds). */
export function xpathLiteral(s) {
  if (!s.includes('"')) return `"${s}"`;
  if (!s.includes("'")) return `'${s}'`;
  return `concat(${s.split('"').map((p) => `"${p}"`).join(`, '"', `)})`;
}

/** A form control by its label, as a user finds it: <label for>, a wrapping <label>, or aria-label. */
export function byLabel(label) {
  const l = xpathLiteral(label);
  return `//input[@id=//label[normalize-space()=${l}]/@for] | //label[normalize-space()=${l}]//input`
    + ` | //input[@aria-label=${l}] | //textarea[@id=//label[normalize-space()=${l}]/@for]`;
}

/** A button by its visible name. */
export function byButton(name) {
  const n = xpathLiteral(name);
  return `//button[normalize-space()=${n}] | //input[(@type="submit" or @type="button") and @value=${n}]`
    + ` | //*[@role="button" and normalize-space()=${n}]`;
}
