// End-to-end test of the demo page (issues 6 and 14): a user drives a whole dashboard session of www/ in headless
// Chromium against the sandbox.
//
//   scripts/with-sandbox.sh --www www --pkg pkg --job-ms 1500 -- node tests/e2e/demo.mjs
//
// Needs pkg/ built (`make build`), Debian's /usr/bin/chromium (never a downloaded browser), and CLC_SANDBOX_URL
// pointing at a sandbox that serves the page at / and the package at /pkg/. Prints one line per step, saves a
// full-page screenshot to target/demo.png, exits non-zero on the first failure. Locators are the accessible ones
// a user sees (roles, labels, visible names). Any console error or page error that a step did not expect fails it.
import { chromium } from "playwright-core";
import { mkdirSync, rmSync } from "node:fs";
import net from "node:net";
import path from "node:path";
import { fileURLToPath } from "node:url";

const ROOT = path.resolve(path.dirname(fileURLToPath(import.meta.url)), "../..");
const BASE = process.env.CLC_SANDBOX_URL;
const SCREENSHOT = process.env.DEMO_SCREENSHOT ?? path.join(ROOT, "target/demo.png");
const TOTAL_MS = Number(process.env.DEMO_TEST_TIMEOUT_MS ?? 300_000); // the whole run
const WAIT_MS = 20_000; // one expectation
const CHROMIUM = process.env.CHROMIUM ?? "/usr/bin/chromium";

if (!BASE) {
  console.error("CLC_SANDBOX_URL is not set: run me through scripts/with-sandbox.sh --www www --pkg pkg -- node tests/e2e/demo.mjs");
  process.exit(2);
}

// Bounded in time whatever happens: a hung browser or page ends the run as a failure.
const watchdog = setTimeout(() => {
  console.error(`FAIL: the whole test took longer than ${TOTAL_MS / 1000} s`);
  process.exit(1);
}, TOTAL_MS);
watchdog.unref();

const sleep = (ms) => new Promise((resolve) => setTimeout(resolve, ms));
const started = Date.now();

// ---- the browser, and what it reports ----------------------------------------------------------------

const browser = await chromium.launch({
  executablePath: CHROMIUM,
  args: ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
    "--disable-background-networking", "--disable-component-update", "--disable-sync"],
  timeout: 30_000,
});
const context = await browser.newContext({ viewport: { width: 1440, height: 900 }, locale: "en-US" });
context.setDefaultTimeout(WAIT_MS);
const page = await context.newPage();

let currentStep = "start";
let allowedFailedLoads = []; // URL patterns whose "Failed to load resource" console errors the current step causes on purpose
const problems = []; // console errors and page errors nobody expected
const requests = []; // every request the page sends: { step, method, url }

page.on("console", (message) => {
  const type = message.type();
  const text = message.text();
  const url = message.location()?.url ?? "";
  if (type === "error") {
    const expected = /^Failed to load resource/.test(text) && allowedFailedLoads.some((pattern) => pattern.test(url));
    if (!expected) problems.push(`console error during "${currentStep}": ${text} ${url}`);
  } else if (type === "warning") {
    console.log(`    (console warning during "${currentStep}": ${text})`);
  }
});
page.on("pageerror", (error) => problems.push(`page error during "${currentStep}": ${error.message}`));
page.on("crash", () => problems.push(`the page crashed during "${currentStep}"`));
page.on("request", (request) => requests.push({ step: currentStep, method: request.method(), url: request.url() }));

// ---- helpers ---------------------------------------------------------------------------------------------

class Failure extends Error {}

function assert(condition, message) {
  if (!condition) throw new Failure(message);
}

/** Polls `probe` until it returns [true, ...]; fails with what it last saw. */
async function until(what, probe, timeout = WAIT_MS) {
  const end = Date.now() + timeout;
  let last;
  for (;;) {
    try {
      const [ok, seen] = await probe();
      last = seen;
      if (ok) return seen;
    } catch (error) {
      last = `(${error.message.split("\n")[0]})`;
    }
    if (Date.now() > end) throw new Failure(`timed out after ${timeout} ms waiting for ${what}; last seen: ${JSON.stringify(last)}`);
    await sleep(100);
  }
}

/** Waits until a locator's text matches `pattern`. */
const textOf = async (locator) => (await locator.textContent({ timeout: 2_000 }))?.replace(/\s+/g, " ").trim() ?? "";
const untilText = (what, locator, pattern, timeout) =>
  until(what, async () => {
    const text = await textOf(locator);
    return [pattern.test(text), text];
  }, timeout);

/** Sandbox control endpoints (not the page's doing: sent from Node, not the browser). */
async function sandbox(method, route, body) {
  const res = await fetch(`${BASE}${route}`, { method, body: body && JSON.stringify(body) });
  assert(res.ok, `${method} ${route} answered ${res.status}: ${await res.text()}`);
}

/** Another user of the same account, outside the page (Node's fetch): the page's table is then out of date. */
async function elsewhere(operation, servers) {
  const login = await fetch(`${BASE}/v2/authentication/login`, {
    method: "POST", headers: { "content-type": "application/json" },
    body: JSON.stringify({ username: "demo", password: "demo-password" }),
  });
  assert(login.ok, `the outside login answered ${login.status}`);
  const { bearerToken, accountAlias } = await login.json();
  const headers = { authorization: `Bearer ${bearerToken}`, "content-type": "application/json" };
  const res = await fetch(`${BASE}/v2/operations/${accountAlias}/servers/${operation}`, { method: "POST", headers, body: JSON.stringify(servers) });
  assert(res.ok, `the outside ${operation} answered ${res.status}`);
  const ids = [...new Set((await res.json()).flatMap((r) => r.links ?? []).filter((l) => l.rel === "status").map((l) => l.id))];
  for (const id of ids) {
    await until(`the outside ${operation} job to end`, async () => {
      const status = await (await fetch(`${BASE}/v2/operations/${accountAlias}/status/${id}`, { headers })).json();
      return [status.status === "succeeded", status.status];
    });
  }
}

const apiRequests = (since) => requests.slice(since).filter((r) => new URL(r.url).pathname.startsWith("/v2/"));

let stepCount = 0;
async function step(name, body, { failedLoads = [] } = {}) {
  stepCount++;
  currentStep = name;
  allowedFailedLoads = failedLoads;
  const t0 = Date.now();
  try {
    await body();
    // Console messages arrive asynchronously: give those caused by this step time to land here.
    await sleep(150);
    assert(problems.length === 0, problems.join("\n"));
  } catch (error) {
    console.log(`FAIL ${String(stepCount).padStart(2)} ${name}`);
    console.log(`     ${error instanceof Failure ? error.message : error.stack}`);
    try {
      mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
      const shot = SCREENSHOT.replace(/\.png$/, "-failure.png");
      await page.screenshot({ path: shot, fullPage: true, timeout: 10_000 });
      console.log(`     screenshot of the failure: ${path.relative(process.cwd(), shot)}`);
    } catch { /* the browser may be gone */ }
    await browser.close().catch(() => {});
    process.exit(1);
  } finally {
    allowedFailedLoads = [];
  }
  console.log(`ok   ${String(stepCount).padStart(2)} ${name} (${((Date.now() - t0) / 1000).toFixed(1)} s)`);
}

// Page regions, found the way a user (or a screen reader) finds them.
const serversTable = () => page.getByRole("table", { name: "Servers" });
const box = (server) => page.getByRole("checkbox", { name: server, exact: true }); // relative, for `has:`
const checkbox = (server) => serversTable().getByRole("checkbox", { name: server, exact: true });
const serverRow = (server) => serversTable().getByRole("row").filter({ has: box(server) });
const button = (name) => page.getByRole("button", { name, exact: true });
const operations = () => page.getByRole("list", { name: "Operations" }).getByRole("article");

/** The text of a server's cell under the column header `column`. */
async function cell(server, column) {
  const headers = (await serversTable().getByRole("columnheader").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
  const index = headers.findIndex((h) => h === column || h.endsWith(` ${column}`));
  assert(index >= 0, `no column "${column}" in ${JSON.stringify(headers)}`);
  return textOf(serverRow(server).locator(":scope > td, :scope > th").nth(index));
}

const untilCell = (server, column, pattern, timeout) =>
  until(`${server}'s ${column} to match ${pattern}`, async () => {
    const text = await cell(server, column);
    return [pattern.test(text), text];
  }, timeout);

/** Selects exactly these servers, the way a user would: clear every ticked box, tick the wanted ones. */
async function select(...servers) {
  const ticked = serversTable().getByRole("checkbox", { checked: true });
  for (let i = 0; i < 50 && (await ticked.count()) > 0; i++) await ticked.first().uncheck();
  for (const server of servers) await checkbox(server).check();
  const summary = await textOf(page.getByText(/selected$/));
  const expected = servers.length ? `${servers.length} server${servers.length === 1 ? "" : "s"} selected` : "No servers selected";
  assert(summary === expected, `the selection summary says "${summary}", expected "${expected}"`);
}


const OPERATION_BUTTONS = ["Power on", "Power off", "Pause", "Reboot", "Shut down", "Reset", "Start maintenance",
  "Stop maintenance", "Create snapshot", "Archive"];
const requestLog = () => page.getByRole("log", { name: "Requests" });
const isTableRead = (r) => r.method === "GET" && /\/v2\/groups\/[^/]+\/[^/?]+\?(.*&)?serverDetail=detailed/.test(r.url);
const isPoll = (r) => /\/v2\/operations\/[^/]+\/status\//.test(r.url);

/** Whether an operation's button is offered for the current selection, and the reason it gives when not. */
async function offer(name) {
  const b = button(name);
  return { disabled: (await b.getAttribute("aria-disabled")) === "true", why: (await b.getAttribute("aria-description")) ?? "" };
}

/** Waits for an entry's final state; returns its text. */
async function untilEnded(entry, heading) {
  const status = entry.getByRole("status");
  await untilText(`"${heading}" to end`, status, /^(Succeeded|Failed|Partly done|Not queued|Timed out|Error|Cancelled)$/);
  return textOf(status);
}

/**
 * Clicks `trigger`, then follows the new activity entry to its final state; checks that each server's row in it
 * shows `outcome`, that its progress bar (the share of settled servers) is full, and that the table was read
 * again afterwards.
 */
async function runOperation({ click, title, servers, state = /^Succeeded$/, outcome = /Succeeded/, confirm }) {
  const before = await operations().count();
  const since = requests.length;
  await click();
  if (confirm) {
    const dialog = page.getByRole("dialog");
    await dialog.waitFor();
    await dialog.getByRole("button", { name: confirm, exact: true }).click();
    await dialog.waitFor({ state: "hidden" });
  }
  await until("a new activity entry", async () => [(await operations().count()) === before + 1, await operations().count()]);
  const entry = operations().first();
  const heading = await textOf(entry.getByRole("heading"));
  assert(title.test(heading), `the new activity entry is titled "${heading}", expected ${title}`);
  const final = await untilEnded(entry, heading);
  const error = await entry.getByRole("alert").count() ? await textOf(entry.getByRole("alert")) : "";
  assert(state.test(final), `"${heading}" ended "${final}", expected ${state} ${error}`);
  for (const server of servers) {
    const row = entry.getByRole("row").filter({ has: page.getByRole("rowheader", { name: server, exact: true }) });
    const text = await textOf(row);
    assert(outcome.test(text), `${server}'s line in "${heading}" says "${text}", expected ${outcome}`);
  }
  const bars = await entry.getByRole("progressbar").all();
  assert(bars.length === 1, `"${heading}" has ${bars.length} progress bars, expected one`);
  const [value, max] = await bars[0].evaluate((node) => [node.value, node.max]);
  assert(value === max, `the progress bar of "${heading}" stopped at ${value} of ${max}`);
  // The table is read again once the operation ended: a detailed group read after its POST and last poll.
  await until("the table to be read again after the operation", async () => {
    const mine = requests.slice(since);
    let last = -1;
    mine.forEach((r, i) => { if (r.method === "POST" || isPoll(r)) last = i; });
    const reads = mine.slice(last + 1).filter(isTableRead).length;
    return [last >= 0 && reads > 0, { last, reads }];
  });
  // ...and drawn: the rows of the next step are the new ones, not the ones about to be replaced.
  await until("the table to be drawn again", async () => {
    const busy = await serversTable().getAttribute("aria-busy");
    return [busy === "false", busy];
  });
  return { entry, heading };
}

// ---- the steps -------------------------------------------------------------------------------------------------

console.log(`demo e2e against ${BASE} with ${CHROMIUM}`);
rmSync(SCREENSHOT.replace(/\.png$/, "-failure.png"), { force: true }); // a picture of an earlier failure would mislead
await sandbox("POST", "/sandbox/reset");

await step("the page loads with the login form filled in, the base URL set to its origin, nothing else to type", async () => {
  // app.js runs once the SDK's module has its wasm (a top-level await). Until then the form must not be sendable: a
  // browser would send it as a plain GET, the password in the address. The wasm is held back to look at that time.
  let release;
  const held = new Promise((resolve) => (release = resolve));
  const wasm = "**/pkg/clc_wasm_bg.wasm";
  let passed;
  const through = new Promise((resolve) => (passed = resolve));
  await page.route(wasm, async (route) => { await held; await route.continue(); passed(); });
  const res = await page.goto(`${BASE}/`, { waitUntil: "domcontentloaded" });
  assert(res?.ok(), `GET / answered ${res?.status()}`);
  await page.getByRole("heading", { name: "Log in to your account" }).waitFor();
  assert(await button("Log in").isDisabled(), "the Log in button is enabled before the page's script runs");
  await page.getByLabel("Password", { exact: true }).press("Enter");
  await sleep(300);
  assert(page.url() === new URL(`${BASE}/`).href, `Enter before the page's script ran sent the form: the page went to ${page.url()}`);
  release();
  await through;
  await page.unroute(wasm);
  await until("the Log in button to be enabled by app.js", async () => {
    const enabled = await button("Log in").isEnabled();
    return [enabled, { enabled }];
  });
  assert((await page.getByLabel("Username", { exact: true }).inputValue()) === "demo", "Username is not prefilled with demo");
  assert((await page.getByLabel("Password", { exact: true }).inputValue()) === "demo-password", "Password is not prefilled");
  const base = await page.getByLabel("Base URL").inputValue();
  assert(base === new URL(BASE).origin, `Base URL is "${base}", expected the page's origin ${new URL(BASE).origin}`);
  assert((await page.getByRole("textbox").count()) === 3, "the login form asks for more than a username, a password and a URL");
  await button("Log in").waitFor();
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await page.screenshot({ path: SCREENSHOT.replace(/\.png$/, "-login.png"), fullPage: true });
});

await step("a wrong password is refused with a message next to the form", async () => {
  await page.getByLabel("Password", { exact: true }).fill("not-the-password");
  await button("Log in").click();
  const alert = page.locator("#login-form").getByRole("alert");
  await untilText("the login error", alert, /the username or password was not recognized/);
  assert(await page.getByRole("heading", { name: "Log in to your account" }).isVisible(), "the login form went away");
}, { failedLoads: [/\/v2\/authentication\/login$/] });

// A port nobody listens on: the browser's fetch fails at once, as when the API is down.
const deadPort = await new Promise((resolve) => {
  const server = net.createServer();
  server.listen(0, "127.0.0.1", () => {
    const { port } = server.address();
    server.close(() => resolve(port));
  });
});

await step("the API being unreachable (a wrong base URL) is shown as a readable message", async () => {
  await page.getByLabel("Password", { exact: true }).fill("demo-password");
  await page.getByLabel("Base URL").fill(`http://127.0.0.1:${deadPort}`);
  await button("Log in").click();
  const alert = page.locator("#login-form").getByRole("alert");
  const text = await untilText("the network error", alert, /Cannot reach 127\.0\.0\.1:\d+/);
  assert(/base URL/.test(text), `the message does not say what to check: "${text}"`);
  await page.getByLabel("Base URL").fill(new URL(BASE).origin);
}, { failedLoads: [new RegExp(`^http://127\\.0\\.0\\.1:${deadPort}/`)] });

await step("logging in shows both data centers, picked, and their servers by group, with no request per server", async () => {
  const since = requests.length;
  await button("Log in").click();
  await page.getByRole("heading", { name: "Servers", level: 1 }).waitFor();
  await untilText("the session in the top bar", page.getByRole("banner"), /DEMO · WA1.*demo/);
  const picker = page.getByRole("group", { name: "Data centers" });
  for (const dc of ["WA1", "VA1"]) {
    const dcBox = picker.getByRole("checkbox", { name: new RegExp(`^${dc}\\b`) });
    await dcBox.waitFor();
    assert(await dcBox.isChecked(), `data center ${dc} is not picked by default`);
  }
  assert((await picker.getByRole("checkbox").count()) === 2, "the picker does not list exactly the account's two data centers");
  await checkbox("WA1DEMOWEB01").waitFor();
  for (const [server, group] of [["WA1DEMOWEB01", "WA1 Hardware / Web"], ["WA1DEMODB01", "WA1 Hardware / Database"],
    ["WA1DEMONGT01", "WA1 Hardware / Batch / Nightly"], ["VA1DEMORPT01", "VA1 Hardware / Reports"]]) {
    await checkbox(server).waitFor();
    // The server's row comes after its group's heading row, in the same row group.
    const body = serversTable().getByRole("rowgroup").filter({ has: box(server) });
    const heading = await textOf(body.getByRole("rowheader").first());
    assert(heading.includes(group), `${server} is under "${heading}", expected group ${group}`);
  }
  assert((await cell("WA1DEMOWEB01", "Power")) === "started", "WA1DEMOWEB01 is not shown started");
  assert((await cell("WA1DEMOOLD01", "Status")) === "archived", "WA1DEMOOLD01 is not shown archived");
  assert((await cell("WA1DEMODB03", "Maintenance")) === "maintenance", "WA1DEMODB03 is not shown in maintenance");
  assert((await cell("WA1DEMOWEB01", "Snapshot")) === "none", "WA1DEMOWEB01 shows a snapshot it does not have");
  const rows = await serversTable().getByRole("checkbox").count();
  assert(rows === 12 + 6 + 1, `expected 12 server, 6 group and 1 select-all checkboxes, got ${rows}`);
  // What loading the account cost: the login, the data center list, and a few reads per data center; never one
  // per server (12 servers here).
  await sleep(300);
  const sent = apiRequests(since).map((r) => `${r.method} ${new URL(r.url).pathname}${new URL(r.url).search}`);
  console.log(`     loading the account: ${sent.length} API requests: ${sent.join(", ")}`);
  assert(!sent.some((r) => /^GET \/v2\/servers\//.test(r)), `a Get Server request was sent: ${sent.join(", ")}`);
  assert(sent.filter((r) => /^GET \/v2\/datacenters\/DEMO$/i.test(r)).length === 1, `not one data center list: ${sent.join(", ")}`);
  assert(sent.filter((r) => /serverDetail=detailed/.test(r)).length === 2, `not one detailed read per data center: ${sent.join(", ")}`);
  assert(sent.length <= 2 + 4 * 2, `${sent.length} requests to load two data centers: ${sent.join(", ")}`);
});

await step("every control has a label, every operation has its button, and every server's checkbox its name", async () => {
  const unlabelled = await page.evaluate(() => {
    const visible = (node) => node.offsetParent !== null || node.getClientRects().length > 0;
    const named = (node) =>
      (node.labels && [...node.labels].some((l) => l.textContent.trim())) ||
      node.getAttribute("aria-label")?.trim() ||
      (node.getAttribute("aria-labelledby") ?? "").split(/\s+/).some((id) => document.getElementById(id)?.textContent.trim()) ||
      (node.tagName === "BUTTON" && node.textContent.trim());
    return [...document.querySelectorAll("input, select, textarea, button, progress")]
      .filter((node) => visible(node) && !named(node))
      .map((node) => node.outerHTML.slice(0, 120));
  });
  assert(unlabelled.length === 0, `controls without a label: ${unlabelled.join(" | ")}`);
  for (const name of [...OPERATION_BUTTONS, "Archive group", "Refresh"]) {
    assert(await button(name).isVisible(), `no visible "${name}" button`);
  }
  assert(await page.getByLabel("Days").isVisible(), "no Days field");
  assert(await page.getByLabel("Group", { exact: true }).isVisible(), "no Group picker");
});

await step("each operation is offered only when the selected servers' state allows it, and says why not", async () => {
  await select();
  for (const name of OPERATION_BUTTONS) {
    const { disabled, why } = await offer(name);
    assert(disabled && /Select/.test(why), `with nothing selected, "${name}" is offered (or says "${why}")`);
  }
  const expect = async (servers, allowed, refused) => {
    await select(...servers);
    for (const name of OPERATION_BUTTONS) {
      const { disabled, why } = await offer(name);
      const reason = refused[name];
      if (reason) assert(disabled && reason.test(why), `for ${servers}, "${name}" should be refused with ${reason}; got ${disabled} "${why}"`);
      else if (allowed === "all" || allowed.includes(name)) assert(!disabled, `for ${servers}, "${name}" is refused: "${why}"`);
    }
  };
  await expect(["WA1DEMOWEB01"], "all", { "Power on": /WA1DEMOWEB01 is already started/, "Stop maintenance": /not in maintenance/ });
  await expect(["WA1DEMOWEB03"], ["Power on", "Start maintenance", "Create snapshot", "Archive"], {
    "Power off": /already stopped/, "Shut down": /already stopped/, Pause: /stopped/, Reboot: /stopped/, Reset: /stopped/,
  });
  await expect(["WA1DEMODB03"], ["Stop maintenance", "Reboot"], { "Start maintenance": /already in maintenance/ });
  await expect(["WA1DEMOOLD01"], [], Object.fromEntries(OPERATION_BUTTONS.map((name) => [name, /WA1DEMOOLD01 is archived/])));
  // A mixed selection: one server that cannot take it is enough to refuse, and it is named.
  await expect(["WA1DEMOWEB01", "WA1DEMOWEB03"], ["Start maintenance", "Archive"], { Reboot: /WA1DEMOWEB03 is stopped/ });
  // A refused button still reaches the keyboard, and pressing it says why, visibly, and sends nothing.
  const since = requests.length;
  await button("Reboot").focus();
  await untilText("the visible reason", page.locator("#why-not"), /Reboot is not available: WA1DEMOWEB03 is stopped/);
  await page.keyboard.press("Enter");
  await untilText("the refusal", page.locator("#action-error"), /Reboot is not available/);
  await sleep(300);
  assert(apiRequests(since).length === 0, "a refused operation sent a request");
});

await step("the Requests log lists the session's requests, newest first: method, path, status and time, no secret", async () => {
  const log = requestLog();
  const lines = (await log.locator(":scope > *").allTextContents()).map((t) => t.replace(/\s+/g, " ").trim());
  assert(lines.length >= 4, `the log has ${lines.length} entries`);
  assert(lines.some((l) => /^POST \/v2\/authentication\/login 400 \d+ ms$/.test(l)), `no refused login: ${lines.join(" | ")}`);
  assert(lines.some((l) => /^GET \/v2\/datacenters\/DEMO 200 \d+ ms$/i.test(l)), `no data center list: ${lines.join(" | ")}`);
  assert(lines.some((l) => /^GET \/v2\/groups\/DEMO\/[0-9a-f]{32}\?serverDetail=detailed 200 \d+ ms$/i.test(l)), `no detailed group read: ${lines.join(" | ")}`);
  // Newest first: the successful login comes after (below) the group reads it led to.
  const login = lines.findIndex((l) => /^POST \/v2\/authentication\/login 200/.test(l));
  const read = lines.findIndex((l) => /serverDetail=detailed/.test(l));
  assert(login > read && read >= 0, `the log is not newest first: ${lines.join(" | ")}`);
  const all = await textOf(log);
  assert(!/demo-password|not-the-password|bearer|eyJ[\w-]{8,}/i.test(all), "the request log shows a secret");
});

await step("Shut down WA1DEMOWEB01: queued, a job followed to success, the table shows it stopped", async () => {
  await select("WA1DEMOWEB01");
  const { entry } = await runOperation({
    click: () => button("Shut down").click(), title: /^Shut down WA1DEMOWEB01$/, servers: ["WA1DEMOWEB01"],
  });
  assert(/Job \S+/.test(await textOf(entry)), "the entry does not show the job it followed");
  assert(/1 of 1 server settled/.test(await textOf(entry)), "the entry does not count the settled server");
  await untilCell("WA1DEMOWEB01", "Power", /^stopped$/);
});

await step("Power on WA1DEMOWEB01 brings it back: the table shows it started", async () => {
  await select("WA1DEMOWEB01");
  await runOperation({ click: () => button("Power on").click(), title: /^Power on WA1DEMOWEB01$/, servers: ["WA1DEMOWEB01"] });
  await untilCell("WA1DEMOWEB01", "Power", /^started$/);
});

await step("Reset WA1DEMOWEB02, with the keyboard only (Space ticks the box, Tab reaches Reset, Enter runs it)", async () => {
  await select();
  await checkbox("WA1DEMOWEB02").focus();
  await page.keyboard.press("Space");
  assert(await checkbox("WA1DEMOWEB02").isChecked(), "Space did not tick the checkbox");
  // From the table, Shift+Tab walks back up to the toolbar's Reset button.
  const reached = await until("Shift+Tab to reach the Reset button", async () => {
    await page.keyboard.press("Shift+Tab");
    const focused = await page.evaluate(() => document.activeElement?.textContent?.trim());
    return [focused === "Reset", focused];
  }, 10_000);
  assert(reached === "Reset", "Reset was not reached");
  await runOperation({ click: () => page.keyboard.press("Enter"), title: /^Reset WA1DEMOWEB02$/, servers: ["WA1DEMOWEB02"] });
  await untilCell("WA1DEMOWEB02", "Power", /^started$/);
});

await step("Pause, Power off, Power on, Start maintenance and Stop maintenance of VA1DEMORPT02 each take effect", async () => {
  for (const [name, column, value] of [["Pause", "Power", /^paused$/], ["Power off", "Power", /^stopped$/],
    ["Power on", "Power", /^started$/], ["Start maintenance", "Maintenance", /^maintenance$/], ["Stop maintenance", "Maintenance", /^off$/]]) {
    await select("VA1DEMORPT02");
    await runOperation({ click: () => button(name).click(), title: new RegExp(`^${name} VA1DEMORPT02$`), servers: ["VA1DEMORPT02"] });
    await untilCell("VA1DEMORPT02", column, value);
  }
});

await step("an 11-day snapshot is refused in the page with a visible message, and no request is sent", async () => {
  await select("WA1DEMOWEB02");
  const since = requests.length;
  const entries = await operations().count();
  await page.getByLabel("Days").fill("11");
  await button("Create snapshot").click();
  const message = await untilText("the Days message", page.locator("#action-error"), /1 to 10/);
  assert(await page.getByText(message).isVisible(), "the Days message is not visible");
  assert((await page.getByLabel("Days").getAttribute("aria-invalid")) === "true", "Days is not marked invalid");
  await sleep(500); // anything the click might have sent would be on its way by now
  const sent = requests.slice(since);
  assert(sent.length === 0, `the refused snapshot sent requests: ${sent.map((r) => `${r.method} ${r.url}`).join(", ")}`);
  assert((await operations().count()) === entries, "a refused snapshot still started an operation");
  for (const bad of ["0", "2.5"]) {
    await page.getByLabel("Days").fill(bad);
    await button("Create snapshot").click();
    await untilText(`the Days message for ${bad}`, page.locator("#action-error"), /1 to 10/);
  }
  assert(requests.length === since, "a refused snapshot (0 or 2.5 days) sent a request");
});

await step("Create snapshot (3 days) of two servers: both succeed and the table lists their snapshots", async () => {
  await select("WA1DEMOWEB01", "WA1DEMOWEB02");
  await page.getByLabel("Days").fill("3");
  const since = requests.length;
  await runOperation({
    click: () => button("Create snapshot").click(), title: /^Create 3-day snapshot of WA1DEMOWEB01, WA1DEMOWEB02$/,
    servers: ["WA1DEMOWEB01", "WA1DEMOWEB02"],
  });
  assert(!(await page.locator("#action-error").isVisible()), "the old Days message is still shown");
  const post = requests.slice(since).find((r) => r.method === "POST" && r.url.endsWith("/servers/createSnapshot"));
  assert(post, "no createSnapshot request was sent");
  for (const server of ["WA1DEMOWEB01", "WA1DEMOWEB02"]) await untilCell(server, "Snapshot", /^\d{4}-\d\d-\d\d\.\d\d:\d\d:\d\d$/);
});

await step("Archive WA1DEMOWEB03 (after confirming): the table shows it archived", async () => {
  await select("WA1DEMOWEB03");
  // Backing out of the confirmation sends nothing.
  const since = requests.length;
  await button("Archive").click();
  await page.getByRole("dialog").getByRole("button", { name: "Cancel" }).click();
  await page.getByRole("dialog").waitFor({ state: "hidden" });
  assert(apiRequests(since).length === 0, "cancelling the confirmation still sent a request");
  await runOperation({
    click: () => button("Archive").click(), confirm: "Archive", title: /^Archive WA1DEMOWEB03$/, servers: ["WA1DEMOWEB03"],
  });
  await untilCell("WA1DEMOWEB03", "Status", /^archived$/);
});

await step("a server the API does not queue (archived meanwhile elsewhere) shows its reason, next to one queued", async () => {
  await select("WA1DEMOBAT01", "WA1DEMONGT02"); // both stopped: Power on applies to both, as far as the page knows
  await elsewhere("archive", ["WA1DEMONGT02"]); // ...but someone else archives NGT02 before the click
  const { entry } = await runOperation({
    click: () => button("Power on").click(), title: /^Power on WA1DEMOBAT01, WA1DEMONGT02$/,
    servers: ["WA1DEMOBAT01"], state: /^Partly done$/,
  });
  const header = entry.getByRole("rowheader", { name: "WA1DEMONGT02", exact: true });
  const line = await textOf(entry.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "WA1DEMONGT02", exact: true }) }));
  assert(/^WA1DEMONGT02 ?Not queued$/.test(line), `WA1DEMONGT02's line is "${line}", expected one "Not queued" badge`);
  assert(!/\bnot queued\b/.test(await textOf(entry)), "another spelling of Not queued is shown");
  const reason = "The operation cannot be queued because the server cannot be found or it is not in a valid state.";
  assert(await entry.getByText(reason, { exact: true }).isVisible(), "the API's errorMessage is not shown");
  // ...tied to the server's row: a screen reader reads it as that row's description.
  const describedBy = await header.getAttribute("aria-describedby");
  const description = describedBy && await textOf(page.locator(`[id="${describedBy}"]`));
  assert(description === reason, `WA1DEMONGT02's row is described by "${description}"`);
  // The server never queued is settled at once: the bar counts it, it is never called done.
  assert(/2 of 2 servers settled/.test(await textOf(entry)), "the bar does not count both servers as settled");
  await untilCell("WA1DEMOBAT01", "Power", /^started$/);
  await untilCell("WA1DEMONGT02", "Status", /^archived$/);
});

await step("Archive group WA1 Hardware / Batch: the group and its subgroup's servers end up archived", async () => {
  await select();
  const picker = page.getByLabel("Group", { exact: true });
  // Nothing chosen: a message, no request.
  const since = requests.length;
  await picker.selectOption({ label: "Choose a group…" });
  await button("Archive group").click();
  await untilText("the choose-a-group message", page.locator("#action-error"), /Choose a group/);
  assert(apiRequests(since).length === 0, "archiving no group sent a request");
  await picker.selectOption({ label: "WA1 Hardware / Batch" });
  await runOperation({
    click: () => button("Archive group").click(), confirm: "Archive group", title: /^Archive group WA1 Hardware \/ Batch$/,
    servers: ["WA1 Hardware / Batch"],
  });
  for (const server of ["WA1DEMOBAT01", "WA1DEMONGT01", "WA1DEMONGT02"]) await untilCell(server, "Status", /^archived$/);
  const option = picker.getByRole("option", { name: "WA1 Hardware / Batch (archived)" });
  assert(await option.isDisabled(), "the archived group can still be chosen");
  assert((await cell("WA1DEMOWEB01", "Status")) === "active", "a server outside the group was archived");
});

await step("while a job executes the bar is indeterminate and says so; Cancel stops the wait, the page keeps working", async () => {
  await sandbox("PUT", "/sandbox/faults", { jobs: "hang" });
  await select("WA1DEMODB01");
  const before = await operations().count();
  await button("Shut down").click();
  await until("the new activity entry", async () => [(await operations().count()) === before + 1, null]);
  const entry = operations().first();
  assert(/^Shut down WA1DEMODB01$/.test(await textOf(entry.getByRole("heading"))), "wrong entry");
  const bar = entry.getByRole("progressbar");
  // Live progress: the job's line counts its checks as wait's onProgress reports them.
  const checks = async () => Number((await textOf(entry.getByText(/\d+ checks?$/))).match(/(\d+) checks?$/)?.[1] ?? 0);
  await until("the job to be executing, with an indeterminate bar", async () => {
    const [position, valueText] = await bar.evaluate((node) => [node.position, node.getAttribute("aria-valuetext")]);
    const row = await textOf(entry.getByRole("row").filter({ has: page.getByRole("rowheader", { name: "WA1DEMODB01" }) }));
    return [position === -1 && valueText === "Executing" && /^WA1DEMODB01 ?Executing$/.test(row), { position, valueText, row }];
  });
  const firstCount = await checks();
  await until("another round of polls", async () => [(await checks()) > firstCount, await checks()], 10_000);
  assert((await bar.evaluate((node) => node.position)) === -1, "the bar shows a share while nothing has settled");
  await untilText("the entry to be waiting", entry.getByRole("status"), /^Waiting$/);
  await entry.getByRole("button", { name: "Cancel" }).click();
  await untilText("the entry to show it was cancelled", entry.getByRole("status"), /^Cancelled$/, 5_000);
  const note = await textOf(entry.getByRole("alert"));
  assert(/keeps running/.test(note), `the cancelled entry does not explain itself: "${note}"`);
  assert((await entry.getByRole("button", { name: "Cancel" }).count()) === 0 ||
    !(await entry.getByRole("button", { name: "Cancel" }).isVisible()), "Cancel is still offered");
  const polls = () => requests.filter(isPoll).length;
  const after = polls();
  await sleep(3_500); // longer than the largest poll interval the page uses
  assert(polls() === after, `the page kept polling after Cancel (${polls() - after} more status requests)`);
  await sandbox("PUT", "/sandbox/faults", { jobs: "normal" });
  // The SDK instance still works after the abort.
  await select("WA1DEMODB02");
  await runOperation({ click: () => button("Power on").click(), title: /^Power on WA1DEMODB02$/, servers: ["WA1DEMODB02"] });
  await untilCell("WA1DEMODB02", "Power", /^started$/);
});

await step("a data center that fails to load (HTML 502) shows its error beside its own rows; the other loads", async () => {
  await sandbox("PUT", "/sandbox/faults", { failNext: ["html502"] });
  await button("Refresh").click();
  const alert = serversTable().getByRole("alert");
  const text = await untilText("the 502 message", alert, /502/);
  assert(!/<[a-z!]/i.test(text), `the error shows raw markup: "${text}"`);
  assert(/Try again/.test(text), `the error does not say what to do: "${text}"`);
  const failed = text.match(/data center (WA1|VA1)/)?.[1];
  assert(failed, `the message does not name the data center that failed: "${text}"`);
  // The failed data center's rows stay, beside its error, marked as not updated (not selectable); the other's are fresh.
  const [mine, other] = failed === "WA1" ? ["WA1DEMOWEB01", "VA1DEMORPT01"] : ["VA1DEMORPT01", "WA1DEMOWEB01"];
  const section = serversTable().getByRole("rowgroup").filter({ has: page.getByRole("alert") });
  assert((await textOf(section)).startsWith(failed), `the error is not in ${failed}'s section: "${await textOf(section)}"`);
  assert(await checkbox(mine).isDisabled(), `${mine}, not updated, can still be selected`);
  assert(await checkbox(other).isEnabled(), `${other}, loaded, cannot be selected`);
  await button("Refresh").click();
  await until("the error to clear", async () => [(await alert.count()) === 0, await alert.count()]);
  assert(await checkbox(mine).isEnabled(), `${mine} is still marked not updated`);
}, { failedLoads: [/\/v2\/(datacenters|groups)\//] });

await step("the token expires: a dialog asks for the password, and the running wait and the table carry on", async () => {
  await page.evaluate(() => { window.__sameDocument = true; });
  await sandbox("PUT", "/sandbox/faults", { jobMs: 4000 });
  await select("WA1DEMOWEB02");
  const before = await operations().count();
  await button("Reboot").click();
  await until("the reboot entry", async () => [(await operations().count()) === before + 1, null]);
  const entry = operations().first();
  await untilText("the reboot to be waiting", entry.getByRole("status"), /^Waiting$/);
  await sandbox("PUT", "/sandbox/faults", { expireTokens: true, jobMs: 1500 });
  // The table's reload and the reboot's next poll both meet the 401; whichever comes first opens the dialog (a
  // modal: if the poll was first, the click cannot land, and the table reloads when the reboot ends instead).
  await button("Refresh").click({ timeout: 1_500 }).catch(() => {});
  const dialog = page.getByRole("dialog", { name: "Your session has expired" });
  await dialog.waitFor();
  // The page is not emptied while it asks: the rows are still there behind the dialog.
  assert((await checkbox("WA1DEMOWEB01").count()) === 1, "the table was emptied when the token expired");
  await dialog.getByLabel("Password").fill("not-the-password");
  await dialog.getByRole("button", { name: "Log in" }).click();
  await untilText("the dialog's error", dialog.getByRole("alert"), /the username or password was not recognized/);
  // A user slower than the page's 15 s time limit per request: whatever gave up meanwhile carries on afterwards.
  await sleep(16_000);
  assert(await dialog.isVisible(), "the dialog went away by itself");
  await dialog.getByLabel("Password").fill("demo-password");
  await dialog.getByRole("button", { name: "Log in" }).click();
  await dialog.waitFor({ state: "hidden" });
  assert((await page.getByLabel("Password", { exact: true }).count()) === 1, "the dialog's password field stayed in the page");
  await untilText("the reboot to end", entry.getByRole("status"), /^Succeeded$/);
  await until("the table to be back, without a data center error", async () => {
    const errors = await serversTable().getByRole("alert").count();
    return [errors === 0 && (await checkbox("WA1DEMOWEB01").isEnabled()), errors];
  });
  assert(await page.evaluate(() => window.__sameDocument === true), "the page was reloaded");
  const lines = (await requestLog().locator(":scope > *").allTextContents()).join(" | ");
  assert(/ 401 /.test(lines), `the log shows no 401: ${lines}`);
  assert(!/demo-password|not-the-password|bearer|eyJ[\w-]{8,}/i.test(lines), "the request log shows a secret");
}, { failedLoads: [/\/v2\//] });

await step("a reboot's wait survives a page reload: log in again, the activity comes back and ends succeeded", async () => {
  await sandbox("PUT", "/sandbox/faults", { jobMs: 6000 });
  await select("WA1DEMOWEB01");
  const before = await operations().count();
  await button("Reboot").click();
  await until("the reboot entry", async () => [(await operations().count()) === before + 1, null]);
  await untilText("the reboot to be waiting", operations().first().getByRole("status"), /^Waiting$/);
  await page.reload({ waitUntil: "load" });
  await page.getByRole("heading", { name: "Log in to your account" }).waitFor();
  await untilText("the note about the running operation", page.getByRole("status").filter({ hasText: /still running/ }), /1 operation was still running/);
  const kept = await page.evaluate(() => JSON.stringify(sessionStorage));
  assert(kept.includes("WA1DEMOWEB01"), "the running reboot is not kept in sessionStorage");
  assert(!/demo-password|bearer|eyJ[\w-]{8,}/i.test(kept), "sessionStorage holds the password or a token");
  await button("Log in").click();
  await page.getByRole("heading", { name: "Servers", level: 1 }).waitFor();
  await until("the activity list to come back", async () => [(await operations().count()) === before + 1, await operations().count()]);
  const entry = operations().first();
  assert(/^Reboot WA1DEMOWEB01$/.test(await textOf(entry.getByRole("heading"))), "the reboot is not the newest entry");
  const final = await untilEnded(entry, "Reboot WA1DEMOWEB01");
  assert(final === "Succeeded", `the resumed reboot ended "${final}"`);
  assert(/1 of 1 server settled/.test(await textOf(entry)), "the resumed entry does not count its server");
  assert(await operations().filter({ hasText: "Archive group WA1 Hardware / Batch" }).count() === 1, "the earlier entries did not come back");
  await sandbox("PUT", "/sandbox/faults", { jobMs: 1500 });
});

await step("server-provided strings are shown as text, never run as HTML", async () => {
  const hostile = `<img src=x onerror="window.__injected=1">Web <b>front</b>`;
  const detailed = (url) => url.pathname.startsWith("/v2/groups/") && url.searchParams.get("serverDetail") === "detailed";
  const tamper = (group) => {
    for (const server of group.servers ?? []) {
      if (server.id === "WA1DEMOWEB01") {
        server.description = hostile;
        server.details.snapshots = [{ name: "<script>window.__injected=2</script>", links: [] }];
      }
    }
    for (const child of group.groups ?? []) tamper(child);
  };
  await page.route(detailed, async (route) => {
    const response = await route.fetch();
    const json = await response.json();
    tamper(json);
    await route.fulfill({ response, json });
  });
  await button("Refresh").click();
  await untilText("the hostile description", serverRow("WA1DEMOWEB01"), /<img src=x/);
  const row = serverRow("WA1DEMOWEB01");
  assert((await row.locator("img, b, script").count()) === 0, "markup from the API became elements");
  assert((await row.getByText(hostile, { exact: true }).count()) === 1, "the description is not shown verbatim");
  assert((await page.evaluate(() => window.__injected)) === undefined, "markup from the API ran");
  await page.unroute(detailed);
  await button("Refresh").click();
  await untilText("the real description", serverRow("WA1DEMOWEB01"), /Web front end 1/);
});

await step("the Requests log stays bounded", async () => {
  const count = await requestLog().locator(":scope > *").count();
  assert(count > 0 && count <= 50, `the log holds ${count} entries`);
});

await step("full-page screenshot saved", async () => {
  mkdirSync(path.dirname(SCREENSHOT), { recursive: true });
  await select("WA1DEMOWEB02");
  await page.locator("body").click({ position: { x: 1, y: 1 } }); // no focus ring or hover in the picture
  // Tall enough that the side panels (sticky, as tall as the window) show their entries in the picture.
  await page.setViewportSize({ width: 1440, height: 1500 });
  await page.screenshot({ path: SCREENSHOT, fullPage: true });
  console.log(`     ${path.relative(process.cwd(), SCREENSHOT)}`);
});

await step("Log out returns to the login form and forgets the account's data", async () => {
  await button("Log out").click();
  await page.getByRole("heading", { name: "Log in to your account" }).waitFor();
  assert(!(await serversTable().isVisible()), "the servers table is still shown");
  assert((await checkbox("WA1DEMOWEB01").count()) === 0, "the old rows are still in the page");
  assert((await operations().count()) === 0, "the old activity is still in the page");
  assert(!(await page.getByRole("banner").getByText("DEMO · WA1").isVisible()), "the top bar still shows the account");
  assert(!(await page.evaluate(() => JSON.stringify(sessionStorage))).includes("WA1DEMOWEB01"), "sessionStorage still holds the operations");
});

await step("no console error and no page error in the whole run", async () => {
  assert(problems.length === 0, problems.join("\n"));
});

await browser.close();
console.log(`demo e2e: ${stepCount} steps passed in ${((Date.now() - started) / 1000).toFixed(1)} s`);
process.exit(0);
