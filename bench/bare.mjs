// A Chromium page driven over --remote-debugging-pipe with nothing but Runtime.evaluate: no Network, Page or
// Fetch domain is enabled, so the page runs as it does for a user with DevTools closed.
//
// Why not Playwright for the call figures: it enables the Network domain on every page, and then Chromium records
// each request for the inspector, with the JavaScript stack of each fetch() as its initiator. Measured on this
// machine: a raw fetch to the sandbox took 3.0 ms under Playwright and 2.0 ms here; a fetch called from 40 frames
// deep cost 0.2-0.3 ms more under Playwright and nothing more here. A route on the context (used before to add
// COOP/COEP) is worse: it pauses every request, not just the matched ones, and took a raw fetch to 5.4 ms. Both
// padded both sides of every ratio.
import { spawn } from "node:child_process";

/**
 * Opens `url` in a fresh headless Chromium; resolves once `ready` (an expression) is truthy in the page.
 * Returns `{ evaluate(expression), close() }`; `evaluate` awaits a promise result and returns it as JSON.
 */
export async function openBare(executablePath, args, url, ready, timeoutMs = 30000) {
  const chrome = spawn(executablePath, [...args, "--remote-debugging-pipe", url], {
    stdio: ["ignore", "ignore", "ignore", "pipe", "pipe"],
  });
  const toChrome = chrome.stdio[3];
  const fromChrome = chrome.stdio[4];
  const pending = new Map();
  let nextId = 0;
  let buffered = "";
  let exited = null;
  const failAll = (error) => {
    for (const { reject } of pending.values()) reject(error);
    pending.clear();
  };
  chrome.on("exit", (code, signal) => {
    exited = new Error(`chromium exited (${signal || code})`);
    failAll(exited);
  });
  chrome.on("error", (e) => {
    exited = e;
    failAll(e);
  });
  fromChrome.setEncoding("utf8");
  fromChrome.on("data", (chunk) => {
    buffered += chunk;
    let end;
    while ((end = buffered.indexOf("\0")) >= 0) {
      const message = JSON.parse(buffered.slice(0, end));
      buffered = buffered.slice(end + 1);
      const waiter = message.id !== undefined && pending.get(message.id);
      if (!waiter) continue;
      pending.delete(message.id);
      if (message.error) waiter.reject(new Error(`${waiter.method}: ${message.error.message}`));
      else waiter.resolve(message.result);
    }
  });
  const send = (method, params = {}, sessionId = undefined) =>
    new Promise((resolve, reject) => {
      if (exited) return reject(exited);
      const id = ++nextId;
      pending.set(id, { resolve, reject, method });
      toChrome.write(JSON.stringify({ id, method, params, sessionId }) + "\0");
    });
  const close = () => {
    if (!exited) chrome.kill();
  };
  try {
    const started = Date.now();
    let sessionId;
    while (!sessionId) {
      const { targetInfos } = await send("Target.getTargets");
      const page = targetInfos.find((t) => t.type === "page" && t.url.startsWith(url.split("?")[0]));
      if (page) ({ sessionId } = await send("Target.attachToTarget", { targetId: page.targetId, flatten: true }));
      else if (Date.now() - started > timeoutMs) throw new Error(`no page for ${url}`);
      else await new Promise((r) => setTimeout(r, 50));
    }
    const evaluate = async (expression) => {
      const r = await send("Runtime.evaluate", { expression, awaitPromise: true, returnByValue: true }, sessionId);
      if (r.exceptionDetails) {
        const d = r.exceptionDetails;
        throw new Error(`in the page: ${d.exception?.description || d.text}`);
      }
      return r.result.value;
    };
    // Until the page has loaded, there may be no context to evaluate in yet ("Cannot find default execution context").
    const isReady = () => evaluate(`Boolean(${ready})`).catch((e) => (exited ? Promise.reject(e) : false));
    while (!(await isReady())) {
      if (Date.now() - started > timeoutMs) throw new Error(`${url}: ${ready} not true after ${timeoutMs} ms`);
      await new Promise((r) => setTimeout(r, 50));
    }
    return { evaluate, close };
  } catch (e) {
    close();
    throw e;
  }
}
