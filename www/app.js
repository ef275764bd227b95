// The demo console: a whole dashboard session on the clc-wasm SDK against a CLC API v2 (by default the local
// sandbox): the account's data centers and servers, the ten server operations with their jobs followed to the
// end, every request in a log, a session that survives a token's expiry and operations that survive a reload.
// Every string that comes from a server reaches the page as text (textContent / text nodes), never as HTML.
import { Clc, isClcError } from "/pkg/index.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** How the page follows jobs: first poll soon, back off to 3 s, give up after 10 minutes. */
const WAIT = { minPollMs: 300, maxPollMs: 3000, timeoutMs: 10 * 60_000 };
const REQUEST_LOG_MAX = 50; // entries kept in the Requests panel
const ACTIVITY_MAX = 20; // operations kept in sessionStorage
const STORE_KEY = "clc-demo-console";

let clc = null; // the logged-in client
let sessionUser = ""; // who logged in: the re-login dialog asks for this user's password
let centers = []; // the account's data centers, from listDataCenters
let groups = []; // [{ id, path, archived }] for the group picker
let servers = new Map(); // server ID -> the Server of the last load (fresh rows only)
const lastGood = new Map(); // data center ID (lower case) -> { servers, trees, at }: shown, marked, when a reload fails
const trees = new Map(); // data center ID (lower case) -> the last group tree read
const running = new Map(); // activity ID -> AbortController of a wait in flight
const activities = new Map(); // activity ID -> its Activity (the entries on the page)

// ---- what is kept across a reload: operations and their results, the base URL and user name ----------
// Never the password, and not the token either: a reload asks to log in again, then follows the waits on.

function readStore() {
  try {
    const value = JSON.parse(sessionStorage.getItem(STORE_KEY) ?? "{}");
    return value && typeof value === "object" ? value : {};
  } catch {
    return {};
  }
}

const store = readStore();
store.activities = Array.isArray(store.activities) ? store.activities : [];

function save() {
  store.activities = store.activities.slice(0, ACTIVITY_MAX);
  try {
    sessionStorage.setItem(STORE_KEY, JSON.stringify(store));
  } catch { /* storage full or disabled: the page still works, it only forgets on reload */ }
}

// ---- small DOM helpers --------------------------------------------------------------------------------

/** Builds an element. Children are nodes or strings; strings become text nodes, never markup. */
function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (value === undefined || value === null || value === false) continue;
    if (key === "class") node.className = value;
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children.flat()) {
    if (child === null || child === undefined || child === false) continue;
    node.append(child instanceof Node ? child : String(child));
  }
  return node;
}

/**
 * One badge per state, one spelling: every state an operation, a job or a server's request can be in.
 * Server facts (power state, status) are shown as the API spells them, in their own columns.
 */
const STATES = {
  sending: ["Sending", "info"],
  queued: ["Queued", "info"],
  waiting: ["Waiting", "info"],
  notStarted: ["Not started", "info"],
  executing: ["Executing", "info"],
  resumed: ["Resumed", "info"],
  succeeded: ["Succeeded", "ok"],
  failed: ["Failed", "bad"],
  notQueued: ["Not queued", "bad"],
  timedOut: ["Timed out", "warn"],
  unknown: ["Unknown", "warn"],
  pending: ["Still running", "warn"],
  partly: ["Partly done", "warn"],
  cancelled: ["Cancelled", "neutral"],
  error: ["Error", "bad"],
  notSent: ["Not sent", "bad"],
};

/** Colours for the API's own values (power state, server status). Anything else is neutral, still as text. */
const TONES = { started: "ok", active: "ok", stopped: "neutral", paused: "warn", maintenance: "warn", archived: "archive" };

function stateBadge(state) {
  const [text, tone] = STATES[state] ?? [String(state ?? "Unknown"), "neutral"];
  return el("span", { class: `badge ${tone}`, "data-state": state }, text);
}

function valueBadge(value) {
  const text = value ?? "unknown";
  return el("span", { class: `badge ${TONES[text] ?? "neutral"}` }, text);
}

const clock = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;
const upper = (id) => String(id ?? "").toUpperCase();

/** A data center's name without its ID in front ("WA1 - US West (Seattle)" is shown as WA1 and "US West (Seattle)"). */
function placeName(center) {
  const name = String(center.name ?? "");
  const prefix = `${upper(center.id)} - `;
  return name.toUpperCase().startsWith(prefix) ? name.slice(prefix.length) : name;
}

function hostOf(url) {
  try {
    return new URL(url).host;
  } catch {
    return "the API";
  }
}

/** A readable sentence for any error, saying what the user can do about it. */
function describe(error) {
  if (!isClcError(error)) return String(error?.message ?? error);
  const message = error.message || "no message";
  switch (error.kind) {
    case "network":
      return `Cannot reach ${hostOf(error.url)}: the request got no answer (${message}). ` +
        "Check the base URL and your network connection.";
    case "unauthorized":
      return `${message} Your session has ended: log in again to carry on.`;
    case "forbidden":
      return `Not allowed: ${message}`;
    case "timeout":
      return "The API did not answer in time. Try again in a moment.";
    case "validation":
      return error.details?.length
        ? error.details.map((d) => `${d.field}: ${d.message}`).join("; ")
        : message;
    case "decode":
      return `The API sent an answer this page could not read (${message}).`;
    default:
      if (error.status >= 500 || error.status === 429) {
        const code = message.includes(String(error.status)) ? message : `HTTP ${error.status}: ${message}`;
        return `The API is having trouble (${code}). Try again in a moment.`;
      }
      return error.status && !message.includes(String(error.status)) ? `${message} (HTTP ${error.status})` : message;
  }
}

/**
 * Why a login failed. A refusal (a 400 or 401 from the login, kind `unauthorized`) is said in the page's words:
 * the SDK keeps the service's text out of it, since a login error can echo the password.
 */
function loginFailure(error) {
  if (isClcError(error) && (error.kind === "unauthorized" || error.status === 400)) return "Could not log in: the username or password was not recognized.";
  return `Could not log in. ${describe(error)}`;
}

/** A modal confirmation; resolves true when the user confirms. Escape or Cancel resolve false. */
function confirmDialog({ title, body, items = [], action }) {
  const dialog = $("#confirm");
  $("#confirm-title").textContent = title;
  $("#confirm-body").textContent = body;
  $("#confirm-list").replaceChildren(...items.map((item) => el("li", {}, item)));
  $("#confirm-list").hidden = items.length === 0;
  $("#confirm-button").textContent = action;
  dialog.returnValue = "";
  return new Promise((resolve) => {
    dialog.addEventListener("close", () => resolve(dialog.returnValue === "confirm"), { once: true });
    dialog.showModal();
  });
}

// ---- the Requests panel, fed by the SDK's trace ---------------------------------------------------------

let requestCount = 0;

/** The part of a URL worth showing: the path and query (the SDK never puts a secret there). */
function pathOf(url) {
  try {
    const parsed = new URL(url);
    return parsed.pathname + parsed.search;
  } catch {
    return String(url);
  }
}

/** `trace` callback: one line per settled request, newest first, at most REQUEST_LOG_MAX lines. */
function logRequest(entry) {
  requestCount++;
  const ok = typeof entry.status === "number" && entry.status < 400;
  const outcome = typeof entry.status === "number" ? String(entry.status) : (entry.kind ?? "no answer");
  // Spaces between the parts, so that the line reads (and is announced) as "GET /v2/... 200 12 ms".
  const parts = [
    el("span", { class: "req-method" }, entry.method),
    el("span", { class: "req-path", title: pathOf(entry.url) }, pathOf(entry.url)),
    el("span", { class: "req-status" }, outcome),
    el("span", { class: "req-time" }, `${Math.round(entry.durationMs ?? 0)} ms`),
    entry.attempt > 1 ? el("span", { class: "req-attempt" }, `attempt ${entry.attempt}`) : null,
  ].filter(Boolean);
  const line = el("div", { class: `req ${ok ? "" : "bad"}` }, parts.flatMap((part, i) => (i ? [" ", part] : [part])));
  const log = $("#requests");
  log.prepend(line);
  while (log.children.length > REQUEST_LOG_MAX) log.lastElementChild.remove();
  $("#requests-count").textContent = `${plural(requestCount, "request")} this session`;
}

// ---- session: login, the re-login dialog that refreshes the token, logout --------------------------------

const baseUrlInput = $("#base-url");
baseUrlInput.value = typeof store.baseUrl === "string" && store.baseUrl ? store.baseUrl : location.origin;
if (typeof store.username === "string" && store.username) $("#username").value = store.username;

function clientOptions(baseUrl) {
  return { baseUrl, timeoutMs: 15_000, trace: logRequest, refreshToken: () => askPassword(baseUrl) };
}

let relogin = null; // the pending re-login, shared by every caller that meets the 401
let spareToken = null; // a token from the dialog that the SDK no longer waited for: the next refresh gets it

/**
 * `refreshToken`: the SDK calls it when the API answers 401. A dialog asks for the password again; its login
 * gives the new token, and the request that met the 401 is sent again. Cancelling rejects: the call fails.
 */
function askPassword(baseUrl) {
  if (spareToken) {
    const token = spareToken;
    spareToken = null;
    return Promise.resolve(token);
  }
  if (relogin) return relogin;
  relogin = new Promise((resolve, reject) => {
    const dialog = $("#relogin");
    const password = el("input", { id: "relogin-password", type: "password", required: true, autocomplete: "current-password" });
    const error = el("p", { class: "error", role: "alert" });
    const submit = el("button", { type: "submit", class: "primary" }, "Log in");
    const cancel = el("button", { type: "button", class: "ghost" }, "Cancel");
    const form = el("form", { novalidate: true },
      el("h2", { id: "relogin-title" }, "Your session has expired"),
      el("p", { id: "relogin-body" }, `Enter the password of ${sessionUser} to carry on. What you were doing continues ` +
        "where it stopped; nothing is lost."),
      el("div", { class: "field" }, el("label", { htmlFor: "relogin-password" }, "Password"), password),
      error,
      el("div", { class: "dialog-actions" }, cancel, submit));
    dialog.replaceChildren(form);
    let settled = false;
    const finish = () => {
      settled = true;
      dialog.close();
      dialog.replaceChildren(); // the password field leaves the page with the dialog
      relogin = null;
    };
    form.addEventListener("submit", async (event) => {
      event.preventDefault();
      error.textContent = "";
      if (!password.value) {
        error.textContent = "Enter your password.";
        password.focus();
        return;
      }
      submit.disabled = true;
      submit.textContent = "Logging in…";
      try {
        const fresh = await Clc.login({ username: sessionUser, password: password.value }, { baseUrl, timeoutMs: 15_000, trace: logRequest });
        const token = fresh.token;
        fresh.free();
        finish();
        resolve(token);
        setTimeout(() => afterRelogin(token)); // the SDK takes the new token once this promise settles
      } catch (failure) {
        error.textContent = loginFailure(failure);
        password.select();
        submit.disabled = false;
        submit.textContent = "Log in";
      }
    });
    const giveUp = () => {
      if (settled) return;
      finish();
      reject(new Error("logging in again was cancelled"));
    };
    cancel.addEventListener("click", giveUp);
    dialog.addEventListener("cancel", (event) => { event.preventDefault(); giveUp(); }, { once: true });
    dialog.showModal();
    password.focus();
  });
  return relogin;
}

/**
 * The SDK waits for `refreshToken` at most the client's time limit; a user who took longer at the dialog finds
 * the calls that met the 401 failed. Then the token is kept for the next refresh, and the work carries on: the
 * table is read again and the waits the 401 cut short are followed again (their records have all `wait` needs).
 */
function afterRelogin(token) {
  showExpiry();
  const client = clc;
  if (!client) return;
  if (client.token !== token) spareToken = token;
  let resumed = 0;
  for (const activity of activities.values()) {
    const { state, kind, answer } = activity.record;
    if (state === "error" && kind === "unauthorized" && answer !== undefined) {
      follow(client, activity);
      resumed++;
    }
  }
  if (resumed || spareToken || tableFailed) loadServers();
}

function showExpiry() {
  const at = clc?.tokenExpiresAt;
  $("#session-expiry-fact").hidden = typeof at !== "number";
  if (typeof at === "number") {
    const date = new Date(at);
    $("#session-expiry").textContent = date.toLocaleString([], { month: "short", day: "numeric", hour: "2-digit", minute: "2-digit" });
    $("#session-expiry").title = date.toString();
  }
}

function showResumeNote() {
  const waiting = store.activities.filter((a) => a.state === "waiting").length;
  $("#resume-note").hidden = waiting === 0;
  $("#resume-note").textContent = waiting
    ? `${plural(waiting, "operation was", "operations were")} still running when the page was reloaded. Log in to follow ${waiting === 1 ? "it" : "them"} to the end.`
    : "";
}
showResumeNote();

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("#login-button");
  const error = $("#login-error");
  error.textContent = "";
  const username = $("#username").value.trim();
  const password = $("#password").value;
  const baseUrl = baseUrlInput.value.trim();
  if (!username || !password) {
    error.textContent = "Enter your username and password.";
    (username ? $("#password") : $("#username")).focus();
    return;
  }
  if (!baseUrl) {
    $("#advanced").open = true;
    error.textContent = "Enter the API's base URL, for example https://api.ctl.io.";
    baseUrlInput.focus();
    return;
  }
  button.disabled = true;
  button.textContent = "Logging in…";
  try {
    const client = await Clc.login({ username, password }, clientOptions(baseUrl));
    clc = client;
    sessionUser = client.session.userName || username;
    store.baseUrl = baseUrl;
    store.username = username;
    save();
    const { userName, accountAlias, locationAlias } = client.session;
    $("#session-account").textContent = locationAlias ? `${accountAlias} · ${locationAlias}` : accountAlias;
    $("#session-user").textContent = userName;
    showExpiry();
    $("#password").value = "";
    $("#session").hidden = false;
    $("#login-card").hidden = true;
    $("#console").hidden = false;
    $("#resume-note").hidden = true;
    document.title = `Servers · ${accountAlias} · Cloud Console`;
    $("#servers-title").focus();
    restoreActivities(client);
    await loadAccount();
  } catch (failure) {
    error.textContent = loginFailure(failure);
    if (isClcError(failure) && failure.kind === "network") $("#advanced").open = true;
  } finally {
    button.disabled = false;
    button.textContent = "Log in";
  }
});
// The form is ours now (see index.html): until here a "Log in" would have sent it as a plain GET.
$("#login-button").disabled = false;

$("#logout").addEventListener("click", () => {
  for (const controller of running.values()) controller.abort(new Error("logged out"));
  running.clear();
  clc?.free();
  clc = null;
  sessionUser = "";
  centers = [];
  groups = [];
  servers = new Map();
  lastGood.clear();
  trees.clear();
  activities.clear();
  spareToken = null;
  store.activities = [];
  save();
  $("#session").hidden = true;
  $("#console").hidden = true;
  $("#login-card").hidden = false;
  $("#servers").querySelectorAll("tbody").forEach((body) => body.remove());
  $("#loading").hidden = false;
  $("#servers-meta").textContent = "";
  $("#group").replaceChildren();
  $("#dc-options").replaceChildren(el("span", { class: "muted" }, "Loading the account's data centers…"));
  $("#dc-picker").disabled = true;
  for (const id of ["#action-error", "#table-error", "#login-error"]) $(id).textContent = "";
  $("#activity").replaceChildren();
  $("#no-activity").hidden = false;
  $("#clear-activity").hidden = true;
  $("#requests").replaceChildren();
  $("#requests-count").textContent = "";
  requestCount = 0;
  showResumeNote();
  $("#password").value = "demo-password";
  document.title = "Cloud Console · clc-wasm demo";
  $("#username").focus();
});

// ---- the account: data centers, then servers -------------------------------------------------------------

/** The data centers ticked in the picker (all of them until the user unticks some). */
function pickedCenters() {
  const ticked = new Set($$("#dc-options input:checked").map((box) => box.value));
  return centers.filter((c) => ticked.has(c.id));
}

async function loadAccount() {
  const client = clc;
  $("#table-error").textContent = "";
  try {
    const list = await client.listDataCenters();
    if (client !== clc) return;
    centers = list;
  } catch (failure) {
    if (client !== clc) return;
    $("#table-error").textContent = `Could not list the account's data centers. ${describe(failure)}`;
    $("#loading").hidden = true;
    $("#refresh").disabled = false;
    return;
  }
  $("#dc-options").replaceChildren(...centers.map((c) => el("label", { class: "dc-option" },
    el("input", { type: "checkbox", value: c.id, checked: true }),
    el("span", { class: "dc-id" }, upper(c.id)),
    el("span", { class: "dc-name" }, placeName(c)))));
  if (centers.length === 0) $("#dc-options").replaceChildren(el("span", { class: "muted" }, "This account has no data centers."));
  $("#dc-picker").disabled = false;
  await loadServers();
}

$("#dc-options").addEventListener("change", () => loadServers());

/** Walks a group tree depth-first: [{ group, path }]. */
function flatten(group, parents = []) {
  const path = [...parents, group.name];
  return [{ group, path }, ...(group.groups ?? []).flatMap((child) => flatten(child, path))];
}

/** A data center's group tree (names and paths for the table's headings and the group picker). */
async function readTree(client, center) {
  let root = center.links?.find((link) => link.rel === "group" && link.id)?.id;
  if (!root) root = (await client.getDataCenter(center.id)).links.find((link) => link.rel === "group" && link.id)?.id;
  if (!root) return null;
  return client.getGroup(root);
}

let loading = null; // the table load in flight
let tableFailed = false; // some data center of the last table load failed (perhaps while the dialog was open)
let loadAgain = false; // something changed while it ran: load once more when it ends

/** Reads the picked data centers' servers (and group trees) and redraws the table; loads coalesce. */
function loadServers() {
  if (loading) {
    loadAgain = true;
    return loading;
  }
  loading = (async () => {
    do {
      loadAgain = false;
      await loadOnce();
    } while (loadAgain && clc);
  })().finally(() => { loading = null; });
  return loading;
}

/** The group IDs of a tree, to see whether a server names a group the kept tree does not know. */
const groupIds = (tree) => new Set(tree ? flatten(tree).map(({ group }) => group.id) : []);

async function loadOnce() {
  const client = clc;
  if (!client) return;
  const picked = pickedCenters();
  $("#refresh").disabled = true;
  $("#servers").setAttribute("aria-busy", "true");
  const errors = new Map(); // data center ID (lower case) -> error
  const key = (c) => c.id.toLowerCase();
  let list = [];
  if (picked.length) {
    // Trees are kept between loads (groups change only through group operations): a refresh is listServers alone.
    const missing = picked.filter((c) => !trees.has(key(c)));
    const [listed, ...read] = await Promise.allSettled([
      client.listServers({ dataCenters: picked.map((c) => c.id) }), ...missing.map((c) => readTree(client, c))]);
    if (listed.status === "fulfilled") list = listed.value;
    else {
      // Some data centers failed: the servers of the others are in `partial`, the failures are named.
      const failure = listed.reason;
      list = Array.isArray(failure?.partial) ? failure.partial : [];
      const named = Array.isArray(failure?.failures) ? failure.failures : [];
      for (const { dataCenter, error } of named) errors.set(String(dataCenter).toLowerCase(), error);
      if (named.length === 0) for (const c of picked) errors.set(key(c), failure);
    }
    missing.forEach((c, i) => {
      if (read[i].status === "fulfilled" && read[i].value) trees.set(key(c), read[i].value);
      else if (read[i].status === "rejected" && !errors.has(key(c))) errors.set(key(c), read[i].reason);
    });
    // A server in a group the kept tree does not name: someone changed the groups; read that tree again.
    const outdated = picked.filter((c) => trees.has(key(c)) && !errors.has(key(c)) &&
      list.some((s) => String(s.locationId ?? "").toLowerCase() === key(c) && !groupIds(trees.get(key(c))).has(s.groupId)));
    const again = await Promise.allSettled(outdated.map((c) => readTree(client, c)));
    outdated.forEach((c, i) => { if (again[i].status === "fulfilled" && again[i].value) trees.set(key(c), again[i].value); });
  }
  if (client !== clc) return; // logged out meanwhile

  const now = new Date();
  const sections = picked.map((center) => {
    const key = center.id.toLowerCase();
    const mine = list.filter((s) => String(s.locationId ?? "").toLowerCase() === key);
    const error = errors.get(key);
    if (!error) {
      lastGood.set(key, { servers: mine, at: now });
      return { center, servers: mine, tree: trees.get(key) };
    }
    // A data center that failed keeps the rows it showed before, marked as not updated, beside its error.
    const before = lastGood.get(key);
    return { center, servers: before?.servers ?? [], stale: before?.at ?? null, error, tree: trees.get(key) };
  });
  tableFailed = errors.size > 0;
  servers = new Map(sections.filter((s) => !s.error).flatMap((s) => s.servers.map((server) => [server.id, server])));
  $("#refresh").disabled = false;
  $("#servers").setAttribute("aria-busy", "false");
  $("#loading").hidden = true;
  renderTable(sections);

  groups = sections.flatMap(({ center, tree }) => (tree ? flatten(tree) : [])
    .filter(({ group }, i) => i > 0 && group.type !== "archive")
    .map(({ group, path }) => ({ id: group.id, path: path.join(" / "), archived: group.status === "archived", center: center.id })));
  renderGroupPicker();

  const shown = sections.reduce((n, s) => n + (s.error ? 0 : s.servers.length), 0);
  const failed = sections.filter((s) => s.error).length;
  $("#servers-meta").textContent = picked.length === 0
    ? "Choose at least one data center."
    : `${plural(shown, "server")} in ${plural(picked.length - failed, "data center")}` +
      `${failed ? ` (${failed} could not be loaded)` : ""} · updated ${clock(now)}`;
}

function serverRow(server, { checked, stale }) {
  const details = server.details ?? {};
  const name = server.name || server.id;
  const box = el("input", { type: "checkbox", value: server.id, checked: !stale && checked.has(server.id), disabled: Boolean(stale) });
  const snapshot = (details.snapshots ?? []).map((s) => s.name).join(", ");
  const ip = (details.ipAddresses ?? []).map((a) => a.public ?? a.internal).filter(Boolean).join(", ");
  const classes = ["server", server.status === "archived" ? "archived" : "", stale ? "stale" : ""].filter(Boolean).join(" ");
  return el("tr", { class: classes },
    el("td", { class: "col-name" },
      el("label", { class: "check" }, box, el("span", { class: "server-name" }, name)),
      server.description ? el("span", { class: "description" }, server.description) : null),
    el("td", { class: "mono muted" }, ip || "—"),
    el("td", {}, details.powerState ? valueBadge(details.powerState) : el("span", { class: "muted" }, "—")),
    el("td", {}, valueBadge(server.status)),
    el("td", {}, details.inMaintenanceMode ? valueBadge("maintenance") : el("span", { class: "muted" }, "off")),
    el("td", { class: snapshot ? "mono" : "muted" }, snapshot || "none"));
}

const COLUMNS = 6;

function renderTable(sections) {
  const table = $("#servers");
  const checked = new Set(selectedIds());
  table.querySelectorAll("tbody").forEach((body) => body.remove());
  for (const { center, servers: list, tree, error, stale } of sections) {
    const id = upper(center.id);
    const head = el("div", { class: "dc-head" },
      el("span", { class: "dc-title" }, id),
      placeName(center) ? el("span", { class: "dc-name" }, placeName(center)) : null,
      el("span", { class: "group-count" }, error ? "not updated" : plural(list.length, "server")));
    const dcBody = el("tbody", { class: "dc-section" },
      el("tr", { class: "dc-row" }, el("th", { scope: "rowgroup", colSpan: COLUMNS }, head)));
    if (error) {
      const note = stale ? ` The rows below are as loaded at ${clock(stale)}.` : "";
      dcBody.append(el("tr", { class: "dc-error-row" }, el("td", { colSpan: COLUMNS },
        el("p", { class: "error dc-error", role: "alert" }, `Could not load data center ${id}. ${describe(error)}${note}`))));
    }
    table.append(dcBody);
    // Servers under their groups, in the tree's order; any server of a group the tree does not name comes last.
    const walk = tree ? flatten(tree) : [];
    const known = new Set(walk.map(({ group }) => group.id));
    const sectionsOf = [...walk.map(({ group, path }) => ({ group, path, rows: list.filter((s) => s.groupId === group.id) })),
      { group: { status: "active" }, path: [`${id} (group not read)`], rows: list.filter((s) => !known.has(s.groupId)) }];
    for (const { group, path, rows } of sectionsOf) {
      if (rows.length === 0) continue;
      const body = el("tbody", { class: error ? "stale" : "" });
      const pathText = path.join(" / ");
      const groupBox = el("input", { type: "checkbox", class: "group-box", disabled: Boolean(error) });
      body.append(el("tr", { class: "group-row" },
        el("th", { scope: "rowgroup", colSpan: COLUMNS },
          el("div", { class: "group-head" },
            el("label", { class: "check" }, groupBox,
              el("span", { class: "visually-hidden" }, `Select all servers in ${pathText}`)),
            el("span", { class: "group-path" }, pathText),
            group.status === "archived" ? valueBadge("archived") : null,
            group.type && group.type !== "default" ? el("span", { class: "badge archive" }, `${group.type} group`) : null,
            el("span", { class: "group-count" }, plural(rows.length, "server"))))));
      for (const server of rows) body.append(serverRow(server, { checked, stale: error ? (stale ?? true) : null }));
      table.append(body);
    }
  }
  if (!sections.some((s) => s.servers.length)) {
    table.append(el("tbody", {}, el("tr", {}, el("td", { colSpan: COLUMNS, class: "empty" },
      sections.length ? "No servers to show." : "Choose at least one data center above."))));
  }
  updateSelection();
}

function renderGroupPicker() {
  const select = $("#group");
  const current = select.value;
  select.replaceChildren(
    el("option", { value: "" }, groups.length ? "Choose a group…" : "No groups"),
    ...groups.map((g) => el("option", { value: g.id, disabled: g.archived }, g.archived ? `${g.path} (archived)` : g.path)));
  if (groups.some((g) => g.id === current && !g.archived)) select.value = current;
}

function selectedIds() {
  return $$("#servers tr.server input[type=checkbox]:checked:not(:disabled)").map((box) => box.value);
}

/** The selection summary, the select-all boxes' checked / mixed states, and which operations apply. */
function updateSelection() {
  const n = selectedIds().length;
  $("#selection").textContent = n ? `${plural(n, "server")} selected` : "No servers selected";
  const mark = (box, boxes) => {
    const live = boxes.filter((b) => !b.disabled);
    const on = live.filter((b) => b.checked).length;
    box.checked = live.length > 0 && on === live.length;
    box.indeterminate = on > 0 && on < live.length;
  };
  for (const body of $$("#servers tbody")) {
    const groupBox = $(".group-box", body);
    if (groupBox) mark(groupBox, $$("tr.server input[type=checkbox]", body));
  }
  mark($("#select-all"), $$("#servers tr.server input[type=checkbox]"));
  updateOperations();
}

$("#servers").addEventListener("change", (event) => {
  const box = event.target;
  const live = (root) => $$("tr.server input[type=checkbox]", root).filter((b) => !b.disabled);
  if (box.id === "select-all") live($("#servers")).forEach((b) => { b.checked = box.checked; });
  else if (box.classList.contains("group-box")) live(box.closest("tbody")).forEach((b) => { b.checked = box.checked; });
  $("#action-error").textContent = "";
  updateSelection();
});

$("#refresh").addEventListener("click", () => (centers.length ? loadServers() : loadAccount()));

// ---- operations: which apply to the selection, and why not ---------------------------------------------------

const power = (s) => s.details?.powerState;
const needsStarted = (verb) => (s) => (power(s) === "started" ? null : `is ${power(s) ?? "in an unknown power state"}: only a started server can be ${verb}`);

/** The ten server operations: label, and why a server cannot take it (null: it can). */
const OPERATIONS = {
  powerOnServer: { label: "Power on", refuse: (s) => (power(s) === "started" ? "is already started" : null) },
  powerOffServer: { label: "Power off", refuse: (s) => (power(s) === "stopped" ? "is already stopped" : null) },
  pauseServer: { label: "Pause", refuse: needsStarted("paused") },
  rebootServer: { label: "Reboot", refuse: needsStarted("rebooted") },
  shutDownServer: { label: "Shut down", refuse: (s) => (power(s) === "stopped" ? "is already stopped" : null) },
  resetServer: { label: "Reset", refuse: needsStarted("reset") },
  startMaintenance: { label: "Start maintenance", refuse: (s) => (s.details?.inMaintenanceMode ? "is already in maintenance" : null) },
  stopMaintenance: { label: "Stop maintenance", refuse: (s) => (s.details?.inMaintenanceMode ? null : "is not in maintenance") },
  createSnapshot: { label: "Create snapshot", refuse: () => null },
  archiveServer: { label: "Archive", refuse: () => null },
};

/** Why `op` cannot run on the selection, as a sentence; null when it can. */
function whyNot(op, ids) {
  if (ids.length === 0) return "Select one or more servers in the table first.";
  const reasons = [];
  for (const id of ids) {
    const server = servers.get(id);
    if (!server) continue;
    const name = server.name || server.id;
    if (server.status !== "active") reasons.push(`${name} is ${server.status ?? "not active"}; it takes no operation`);
    else {
      const reason = OPERATIONS[op].refuse(server);
      if (reason) reasons.push(`${name} ${reason}`);
    }
  }
  if (reasons.length === 0) return null;
  const more = reasons.length > 1 ? ` (and ${plural(reasons.length - 1, "other server")})` : "";
  return `${OPERATIONS[op].label} is not available: ${reasons[0]}${more}.`;
}

function updateOperations() {
  const ids = selectedIds();
  for (const button of $$("[data-op]")) {
    const reason = whyNot(button.dataset.op, ids);
    if (reason) {
      button.setAttribute("aria-disabled", "true");
      button.setAttribute("aria-description", reason);
      button.title = reason;
    } else {
      button.removeAttribute("aria-disabled");
      button.removeAttribute("aria-description");
      button.removeAttribute("title");
    }
  }
  const focused = document.activeElement?.dataset?.op ? document.activeElement : null;
  showWhyNot(focused);
}

/** The visible reason of the operation button under the pointer or the keyboard focus. */
function showWhyNot(button) {
  $("#why-not").textContent = button?.getAttribute("aria-disabled") === "true" ? button.getAttribute("aria-description") : "";
}

function actionError(message, focus) {
  $("#action-error").textContent = message;
  focus?.focus();
}

/** Reads the Days field: a whole number from 1 to 10, or a visible message and no request. */
function snapshotDays() {
  const input = $("#days");
  const raw = input.value.trim();
  const days = Number(raw);
  if (raw === "" || !Number.isInteger(days) || days < 1 || days > 10) {
    input.setAttribute("aria-invalid", "true");
    actionError(`Snapshots are kept 1 to 10 days: enter a whole number from 1 to 10 in Days${raw ? ` (not ${raw})` : ""}.`, input);
    return null;
  }
  input.removeAttribute("aria-invalid");
  return days;
}

$("#days").addEventListener("input", () => {
  if ($("#days").hasAttribute("aria-invalid")) {
    $("#days").removeAttribute("aria-invalid");
    $("#action-error").textContent = "";
  }
});

function titleFor(label, names) {
  return names.length <= 3 ? `${label} ${names.join(", ")}` : `${label} ${names.length} servers`;
}

for (const button of $$("[data-op]")) {
  for (const type of ["focus", "mouseenter"]) button.addEventListener(type, () => showWhyNot(button));
  for (const type of ["blur", "mouseleave"]) button.addEventListener(type, () => showWhyNot(null));
  button.addEventListener("click", async () => {
    const op = button.dataset.op;
    actionError("");
    const ids = selectedIds();
    const reason = whyNot(op, ids);
    if (reason) {
      actionError(reason);
      return;
    }
    let options;
    if (op === "createSnapshot") {
      const days = snapshotDays();
      if (days === null) return;
      options = { expirationDays: days };
    }
    if (op === "archiveServer") {
      const ok = await confirmDialog({
        title: `Archive ${plural(ids.length, "server")}?`,
        body: "Archived servers are stopped and kept in storage; they take no other operation until restored.",
        items: ids,
        action: "Archive",
      });
      if (!ok) return;
    }
    const label = op === "createSnapshot" ? `Create ${options.expirationDays}-day snapshot of` : OPERATIONS[op].label;
    start({ title: titleFor(label, ids), servers: ids }, (client) => client[op](ids, options));
  });
}

$("#archive-group").addEventListener("click", async () => {
  actionError("");
  const group = groups.find((g) => g.id === $("#group").value);
  if (!group) {
    actionError("Choose a group to archive.", $("#group"));
    return;
  }
  const ok = await confirmDialog({
    title: `Archive the group ${group.path}?`,
    body: "The group, its subgroups and every server in them are archived.",
    action: "Archive group",
  });
  if (!ok) return;
  start({ title: `Archive group ${group.path}`, group: group.path }, (client) => client.archiveGroup(group.id));
});

$("#clear-activity").addEventListener("click", () => {
  store.activities = store.activities.filter((a) => a.state === "waiting" || a.state === "sending");
  save();
  const keep = new Set(store.activities.map((a) => a.id));
  $$("#activity > li").filter((li) => !keep.has(li.dataset.id)).forEach((li) => {
    activities.delete(li.dataset.id);
    li.remove();
  });
  const empty = $("#activity").children.length === 0;
  $("#no-activity").hidden = !empty;
  $("#clear-activity").hidden = empty;
});

// ---- the activity list: one entry per operation, kept in sessionStorage ------------------------------------

/** The job each server's request was queued under (its status link), by lower-cased server name. */
function jobsOf(answer) {
  const jobs = new Map();
  if (!Array.isArray(answer)) return jobs;
  for (const entry of answer) {
    const link = (entry.links ?? []).find((l) => l.rel === "status" && l.id);
    if (link) jobs.set(String(entry.server).toLowerCase(), link.id);
  }
  return jobs;
}

/** The activity entry of one operation record: it draws the record, and redraws as the record moves on. */
class Activity {
  constructor(record) {
    this.record = record;
    this.item = $("#activity-item").content.firstElementChild.cloneNode(true);
    this.item.dataset.id = record.id;
    activities.set(record.id, this);
    const article = $("article", this.item);
    const heading = $(".op-title", this.item);
    heading.id = `${record.id}-title`;
    heading.textContent = record.title;
    article.setAttribute("aria-labelledby", heading.id);
    const started = new Date(record.startedAt);
    const time = $(".op-time", this.item);
    time.dateTime = started.toISOString();
    time.textContent = clock(started);
    this.state = $(".op-state", this.item);
    this.summary = $(".op-summary", this.item);
    this.cancel = $(".cancel", this.item);
    this.cancel.hidden = true;
    this.bar = $(".op-bar", this.item);
    this.bar.setAttribute("aria-label", `Progress of ${record.title}`);
    this.count = $(".op-count", this.item);
    this.jobs = new Map();
    this.rows = new Map();
    for (const name of record.group ? [record.group] : record.servers) this.row(name);
    $("#no-activity").hidden = true;
    $("#clear-activity").hidden = false;
  }

  setState(state) {
    const [text, tone] = STATES[state];
    this.state.replaceChildren(text);
    this.state.className = `op-state badge ${tone}`;
  }

  /** A server's line (or the group's, keyed ""), created on first use; never dropped if unexpected. */
  row(name) {
    const key = this.record.group ? "" : String(name).toLowerCase();
    let row = this.rows.get(key);
    if (!row) {
      row = { cell: el("td", {}, stateBadge("sending")), header: el("th", { scope: "row", class: "mono" }, name) };
      row.tr = el("tr", {}, row.header, row.cell);
      $(".op-servers tbody", this.item).append(row.tr);
      this.rows.set(key, row);
    }
    return row;
  }

  /** A line under a server's row, spanning the table, saying why (the API's own words, as text). */
  explain(row, message) {
    if (row.why) {
      row.why.firstChild.textContent = message;
      return;
    }
    const id = `${this.record.id}-why-${this.rows.size}-${Math.random().toString(36).slice(2, 8)}`;
    row.why = el("tr", { class: "reason-row" }, el("td", { colSpan: 2, id, class: "reason" }, message));
    row.tr.after(row.why);
    row.header.setAttribute("aria-describedby", id);
  }

  setRow(row, state, message) {
    if (row.cell.firstChild?.dataset?.state !== state) row.cell.replaceChildren(stateBadge(state));
    if (message) this.explain(row, message);
  }

  /** What the API answered to the operation: per server queued or not (with its reason), or a status link. */
  showQueued(answer) {
    if (!Array.isArray(answer)) {
      this.setRow(this.row(""), "queued");
      return;
    }
    for (const entry of answer) {
      const row = this.row(entry.server);
      if (entry.isQueued) this.setRow(row, "queued");
      else this.setRow(row, "notQueued", entry.errorMessage ?? "The API gave no reason."); // already final
    }
  }

  /**
   * A round of `wait`: the bar is the share of servers (or jobs) that settled; while nothing settled and a job
   * is still notStarted or executing, the bar is indeterminate and says that status: never an invented share.
   */
  progress(p) {
    const settled = p.total - p.pending;
    const statuses = new Map(p.jobs.map((j) => [j.id, j.status]));
    const busy = p.jobs.filter((j) => j.status !== "succeeded" && j.status !== "failed");
    $(".op-progress", this.item).hidden = false;
    if (settled === 0 && p.pending > 0) {
      this.bar.removeAttribute("value");
      const status = busy[0]?.status;
      this.bar.setAttribute("aria-valuetext", status ? STATES[status]?.[0] ?? status : "Waiting for the first answer");
    } else {
      this.bar.max = Math.max(p.total, 1);
      this.bar.value = settled;
      this.bar.setAttribute("aria-valuetext", `${settled} of ${p.total} settled`);
    }
    this.count.textContent = `${settled} of ${plural(p.total, this.record.group ? "job" : "server")} settled`;
    this.item.querySelector(".op-progress").dataset.status = p.pending === 0 ? "done" : (busy[0]?.status ?? "waiting");
    for (const job of p.jobs) {
      let line = this.jobs.get(job.id);
      if (!line) {
        line = { status: el("span", { class: "job-state" }), polls: el("span", { class: "job-polls" }) };
        line.li = el("li", { class: "job" }, el("span", { class: "job-id mono" }, `Job ${job.id}`), line.status, line.polls);
        $(".jobs", this.item).append(line.li);
        this.jobs.set(job.id, line);
      }
      const state = job.status ?? "waiting";
      if (line.status.firstChild?.dataset?.state !== state) line.status.replaceChildren(stateBadge(state));
      line.polls.textContent = plural(job.polls, "check");
    }
    // Servers still running show their job's last status; notQueued ones are already final.
    const jobs = jobsOf(this.record.answer);
    for (const [key, row] of this.rows) {
      const current = row.cell.firstChild?.dataset?.state;
      if (current === "notQueued" || current === "succeeded" || current === "failed") continue;
      const status = this.record.group ? p.jobs[0]?.status : statuses.get(jobs.get(key));
      if (status === "notStarted" || status === "executing" || status === "resumed") this.setRow(row, status);
    }
  }

  /** How it ended, per server (or for the group's job). `partial`: a wait that had to stop early. */
  finish(result, { partial = false } = {}) {
    const lines = result.servers.length
      ? result.servers.map((s) => [this.row(s.server), s.outcome, s.errorMessage])
      : result.jobs.map((j) => [this.row(this.record.group ?? `job ${j.id}`), j.outcome, j.lastError]);
    for (const [row, outcome, message] of lines) this.setRow(row, outcome, outcome === "notQueued" && row.why ? null : message);
    const outcomes = lines.map(([, outcome]) => outcome);
    $(".op-progress", this.item).hidden = false;
    const settled = outcomes.filter((o) => o !== "pending").length;
    this.bar.max = Math.max(outcomes.length, 1);
    this.bar.value = settled;
    this.bar.setAttribute("aria-valuetext", `${settled} of ${outcomes.length} settled`);
    $(".op-progress", this.item).dataset.status = result.ok ? "succeeded" : "ended";
    this.count.textContent = `${settled} of ${plural(outcomes.length, this.record.group ? "job" : "server")} settled`;
    for (const [id, line] of this.jobs) {
      const job = result.jobs.find((j) => j.id === id);
      if (job) line.status.replaceChildren(stateBadge(job.outcome));
    }
    if (partial) return;
    if (result.ok) this.setState("succeeded");
    else if (outcomes.every((o) => o === "notQueued")) this.setState("notQueued");
    else if (outcomes.some((o) => o === "succeeded")) this.setState("partly");
    else if (outcomes.every((o) => o === "timedOut")) this.setState("timedOut");
    else this.setState("failed");
    const end = this.record.finishedAt ? new Date(this.record.finishedAt) : new Date();
    this.summary.textContent = `finished in ${((end - new Date(this.record.startedAt)) / 1000).toFixed(1)} s`;
  }

  fail(message, state) {
    this.setState(state);
    const note = $(".op-error", this.item);
    note.textContent = message;
    note.classList.toggle("note", state === "cancelled");
    for (const row of this.rows.values()) {
      if (row.cell.firstChild?.dataset?.state === "sending") this.setRow(row, "notSent");
    }
    this.summary.textContent = "";
  }

  /** Draws a record that is no longer moving (after a reload, or when it ends). */
  draw() {
    const r = this.record;
    if (r.answer !== undefined) this.showQueued(r.answer);
    if (r.state === "done" && r.result) this.finish(r.result);
    else if (r.state === "error" || r.state === "cancelled") {
      if (r.result) this.finish(r.result, { partial: true });
      this.fail(r.error ?? "", r.state);
    } else if (r.state === "waiting") this.setState("waiting");
    else this.setState("sending");
  }

  done() {
    if (document.activeElement === this.cancel) {
      // Keep the keyboard user where they were: on this entry, not lost at the top of the page.
      const heading = $(".op-title", this.item);
      heading.tabIndex = -1;
      heading.focus();
    }
    this.cancel.hidden = true;
  }
}

const CANCELLED = "Stopped following the job. It keeps running on the server: refresh later to see its effect.";

/** Runs an operation: a record kept in sessionStorage, the request, then its jobs followed to the end. */
async function start(what, send) {
  const client = clc;
  const record = { id: `op-${Date.now().toString(36)}-${Math.random().toString(36).slice(2, 8)}`, startedAt: Date.now(), state: "sending", servers: [], ...what };
  store.activities.unshift(record);
  save();
  const activity = new Activity(record);
  activity.setState("sending");
  $("#activity").prepend(activity.item);
  try {
    record.answer = await send(client);
  } catch (error) {
    record.state = "error";
    record.error = describe(error);
    save();
    activity.fail(record.error, "error");
    activity.done();
    if (client === clc) loadServers();
    return;
  }
  record.state = "waiting";
  save();
  activity.showQueued(record.answer);
  await follow(client, activity);
}

/** Follows a record's jobs with `wait` (also after a reload: the record's answer is all `wait` needs). */
async function follow(client, activity) {
  const record = activity.record;
  if (running.has(record.id)) return;
  record.state = "waiting";
  delete record.error;
  delete record.kind;
  activity.setState("waiting");
  $(".op-error", activity.item).textContent = "";
  const controller = new AbortController();
  running.set(record.id, controller);
  activity.cancel.hidden = false;
  activity.cancel.disabled = false;
  const onCancel = () => {
    controller.abort(new Error("cancelled from the page"));
    activity.cancel.disabled = true;
  };
  activity.cancel.addEventListener("click", onCancel);
  try {
    const result = await client.wait(record.answer, { ...WAIT, signal: controller.signal, onProgress: (p) => activity.progress(p) });
    record.state = "done";
    record.result = result;
    record.finishedAt = Date.now();
    activity.finish(result);
  } catch (error) {
    if (client !== clc) return; // logged out: the record is gone with the account's data
    if (isClcError(error) && error.partial) record.result = error.partial;
    if (isClcError(error) && error.kind === "aborted") {
      record.state = "cancelled";
      record.error = CANCELLED;
    } else {
      record.state = "error";
      record.error = describe(error);
      record.kind = isClcError(error) ? error.kind : undefined;
    }
    if (record.result) activity.finish(record.result, { partial: true });
    activity.fail(record.error, record.state);
  } finally {
    activity.cancel.removeEventListener("click", onCancel);
    running.delete(record.id);
    activity.done();
  }
  if (client !== clc) return;
  save();
  if (record.group) trees.clear(); // the group tree changed: read it again with the servers
  loadServers();
}

/** After a login: the kept operations come back; the ones still running are followed again. */
function restoreActivities(client) {
  $("#activity").replaceChildren();
  activities.clear();
  for (const record of store.activities) {
    if (record.state === "sending") {
      // The page went away before the API answered: whether the operation was queued is not known here.
      record.state = "error";
      record.error = "The page was reloaded before the API answered; check the servers' state in the table.";
    }
    const activity = new Activity(record);
    $("#activity").append(activity.item);
    activity.draw();
    if (record.state === "waiting") follow(client, activity);
  }
  save();
  const empty = store.activities.length === 0;
  $("#no-activity").hidden = !empty;
  $("#clear-activity").hidden = empty;
}
