// The demo console: every operation of the clc-wasm SDK against a CLC API v2 (by default the local sandbox).
// Every string that comes from a server reaches the page as text (textContent / text nodes), never as HTML.
import { Clc, isClcError } from "/pkg/index.js";

const $ = (selector, root = document) => root.querySelector(selector);
const $$ = (selector, root = document) => [...root.querySelectorAll(selector)];

/** How the page follows jobs: first poll soon, back off to 3 s, give up after 10 minutes. */
const WAIT = { minPollMs: 300, maxPollMs: 3000, timeoutMs: 10 * 60_000 };

let clc = null; // the logged-in client
let groups = []; // [{ id, path, archived }] for the group picker
let displayName = new Map(); // lower-cased server ID -> the name the table shows (operations answer lower-cased)
let loadGeneration = 0; // only the newest table load may render
const running = new Set(); // AbortControllers of the waits in flight

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

/** Colour families for the values the API uses; anything else is shown neutral (and still as text). */
const TONES = {
  started: "ok", active: "ok", succeeded: "ok", queued: "info",
  stopped: "neutral", paused: "warn", maintenance: "warn", timedOut: "warn", pending: "info", sending: "info",
  cancelled: "neutral", archived: "archive", archive: "archive",
  failed: "bad", notQueued: "bad", error: "bad", unknown: "bad", partly: "warn",
};

function badge(text, tone) {
  const value = text ?? "unknown";
  return el("span", { class: `badge ${TONES[tone ?? value] ?? "neutral"}` }, value);
}

const clock = (date) => date.toLocaleTimeString([], { hour: "2-digit", minute: "2-digit", second: "2-digit" });
const plural = (n, one, many = `${one}s`) => `${n} ${n === 1 ? one : many}`;

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
      return `${message} Your session may have expired: log out and log in again.`;
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

// ---- login --------------------------------------------------------------------------------------------

$("#base-url").value = location.origin;

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("#login-button");
  const error = $("#login-error");
  error.textContent = "";
  const username = $("#username").value.trim();
  const password = $("#password").value;
  const baseUrl = $("#base-url").value.trim();
  if (!username || !password) {
    error.textContent = "Enter your username and password.";
    (username ? $("#password") : $("#username")).focus();
    return;
  }
  if (!baseUrl) {
    $("#advanced").open = true;
    error.textContent = "Enter the API's base URL, for example https://api.ctl.io.";
    $("#base-url").focus();
    return;
  }
  button.disabled = true;
  button.textContent = "Logging in…";
  try {
    const client = await Clc.login({ username, password }, { baseUrl, timeoutMs: 15_000 });
    clc = client;
    const { userName, accountAlias, locationAlias } = client.session;
    $("#session-account").textContent = locationAlias ? `${accountAlias} · ${locationAlias}` : accountAlias;
    $("#session-user").textContent = userName;
    $("#password").value = "";
    $("#session").hidden = false;
    $("#login-card").hidden = true;
    $("#console").hidden = false;
    document.title = `Servers · ${accountAlias} · Cloud Console`;
    $("#servers-title").focus();
    await loadServers();
  } catch (failure) {
    error.textContent = `Could not log in. ${describe(failure)}`;
    if (isClcError(failure) && failure.kind === "network") $("#advanced").open = true;
  } finally {
    button.disabled = false;
    button.textContent = "Log in";
  }
});

$("#logout").addEventListener("click", () => {
  for (const controller of running) controller.abort(new Error("logged out"));
  running.clear();
  loadGeneration++;
  clc?.free();
  clc = null;
  groups = [];
  $("#session").hidden = true;
  $("#console").hidden = true;
  $("#login-card").hidden = false;
  $("#servers").querySelectorAll("tbody").forEach((body) => body.remove());
  $("#loading").hidden = false;
  $("#servers-meta").textContent = "";
  $("#group").replaceChildren();
  for (const id of ["#action-error", "#table-error", "#login-error"]) $(id).textContent = "";
  $("#activity").replaceChildren();
  $("#no-activity").hidden = false;
  $("#clear-activity").hidden = true;
  $("#password").value = "demo-password";
  document.title = "Cloud Console · clc-wasm demo";
  $("#username").focus();
});

// ---- the server table ---------------------------------------------------------------------------------

function dataCenters(client) {
  const listed = $("#data-centers").value.split(",").map((dc) => dc.trim()).filter(Boolean);
  return [...new Set([client.session?.locationAlias, ...listed].filter(Boolean).map((dc) => dc.toUpperCase()))];
}

/** Walks a group tree depth-first: [{ group, path }]. */
function flatten(group, parents = []) {
  const path = [...parents, group.name];
  return [{ group, path }, ...(group.groups ?? []).flatMap((child) => flatten(child, path))];
}

/** One data center: its root group (Get Data Center), the tree (Get Group), and every server (Get Server). */
async function loadDataCenter(client, dc) {
  const center = await client.getDataCenter(dc);
  const root = center.links.find((link) => link.rel === "group" && link.id);
  if (!root) return [];
  const tree = await client.getGroup(root.id);
  return Promise.all(flatten(tree).map(async ({ group, path }) => {
    const ids = group.links.filter((link) => link.rel === "server" && link.id).map((link) => link.id);
    const servers = await Promise.all(ids.map((id) => client.getServer(id)));
    return { center, group, path, servers, root: group === tree };
  }));
}

async function loadServers() {
  const client = clc;
  if (!client) return;
  const generation = ++loadGeneration;
  $("#refresh").disabled = true;
  $("#servers").setAttribute("aria-busy", "true");
  const centers = dataCenters(client);
  const results = await Promise.allSettled(centers.map((dc) => loadDataCenter(client, dc)));
  if (generation !== loadGeneration || client !== clc) return; // a newer load, or a logout, won
  $("#refresh").disabled = false;
  $("#servers").setAttribute("aria-busy", "false");
  $("#loading").hidden = true;

  const sections = results.flatMap((r) => (r.status === "fulfilled" ? r.value : []));
  const failures = results.flatMap((r, i) => (r.status === "rejected" ? [`Could not load data center ${centers[i]}. ${describe(r.reason)}`] : []));
  $("#table-error").textContent = failures.join(" ");

  renderTable(sections);
  groups = sections
    .filter((s) => !s.root && s.group.type !== "archive")
    .map((s) => ({ id: s.group.id, path: s.path.join(" / "), archived: s.group.status === "archived" }));
  renderGroupPicker();

  const servers = sections.flatMap((s) => s.servers);
  const groupCount = sections.filter((s) => s.servers.length).length;
  $("#servers-meta").textContent = results.every((r) => r.status === "rejected")
    ? ""
    : `${plural(servers.length, "server")} in ${plural(groupCount, "group")} · updated ${clock(new Date())}`;
}

function renderTable(sections) {
  const table = $("#servers");
  const checked = new Set(selectedIds());
  table.querySelectorAll("tbody").forEach((body) => body.remove());
  displayName = new Map();
  for (const { center, group, path, servers } of sections) {
    if (servers.length === 0) continue;
    const body = el("tbody");
    const archived = group.status === "archived";
    const pathText = path.join(" / ");
    const groupBox = el("input", { type: "checkbox", class: "group-box" });
    body.append(el("tr", { class: "group-row" },
      el("th", { scope: "rowgroup", colSpan: 6 },
        el("div", { class: "group-head" },
          el("label", { class: "check" }, groupBox,
            el("span", { class: "visually-hidden" }, `Select all servers in ${pathText}`)),
          el("span", { class: "group-path" }, pathText),
          el("span", { class: "group-dc" }, center.name ?? center.id),
          archived ? badge("archived") : null,
          group.type && group.type !== "default" ? badge(`${group.type} group`, "archive") : null,
          el("span", { class: "group-count" }, plural(servers.length, "server"))))));
    for (const server of servers) {
      displayName.set(server.id.toLowerCase(), server.name || server.id);
      const details = server.details ?? {};
      const box = el("input", { type: "checkbox", value: server.id, checked: checked.has(server.id) });
      const snapshot = (details.snapshots ?? []).map((s) => s.name).join(", ");
      const ip = (details.ipAddresses ?? []).map((a) => a.public ?? a.internal).filter(Boolean).join(", ");
      body.append(el("tr", { class: server.status === "archived" ? "server archived" : "server" },
        el("td", { class: "col-name" },
          el("label", { class: "check" }, box, el("span", { class: "server-name" }, server.name || server.id)),
          server.description ? el("span", { class: "description" }, server.description) : null),
        el("td", { class: "mono muted" }, ip || "—"),
        el("td", {}, badge(details.powerState)),
        el("td", {}, badge(server.status)),
        el("td", {}, details.inMaintenanceMode ? badge("maintenance") : el("span", { class: "muted" }, "off")),
        el("td", { class: snapshot ? "mono" : "muted" }, snapshot || "none"),
      ));
    }
    table.append(body);
  }
  if (!table.querySelector("tbody")) {
    table.append(el("tbody", {}, el("tr", {}, el("td", { colSpan: 6, class: "empty" }, "No servers to show."))));
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
  return $$("#servers tr.server input[type=checkbox]:checked").map((box) => box.value);
}

/** The selection summary, and the select-all boxes' checked / mixed states. */
function updateSelection() {
  const n = selectedIds().length;
  $("#selection").textContent = n ? `${plural(n, "server")} selected` : "No servers selected";
  const mark = (box, boxes) => {
    const on = boxes.filter((b) => b.checked).length;
    box.checked = boxes.length > 0 && on === boxes.length;
    box.indeterminate = on > 0 && on < boxes.length;
  };
  for (const body of $$("#servers tbody")) {
    const groupBox = $(".group-box", body);
    if (groupBox) mark(groupBox, $$("tr.server input[type=checkbox]", body));
  }
  mark($("#select-all"), $$("#servers tr.server input[type=checkbox]"));
}

$("#servers").addEventListener("change", (event) => {
  const box = event.target;
  if (box.id === "select-all") {
    $$("#servers tr.server input[type=checkbox]").forEach((b) => { b.checked = box.checked; });
  } else if (box.classList.contains("group-box")) {
    $$("tr.server input[type=checkbox]", box.closest("tbody")).forEach((b) => { b.checked = box.checked; });
  }
  $("#action-error").textContent = "";
  updateSelection();
});

$("#refresh").addEventListener("click", () => loadServers());

// ---- operations -------------------------------------------------------------------------------------

const LABELS = {
  shutDownServer: "Shut down",
  resetServer: "Reset",
  powerOnServer: "Power on",
  archiveServer: "Archive",
  createSnapshot: "Create snapshot",
};

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
  button.addEventListener("click", async () => {
    const op = button.dataset.op;
    actionError("");
    const ids = selectedIds();
    if (ids.length === 0) {
      actionError("Select at least one server in the table first.");
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
    const label = op === "createSnapshot" ? `Create ${options.expirationDays}-day snapshot of` : LABELS[op];
    track({ title: titleFor(label, ids), servers: ids }, (client) => client[op](ids, options));
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
  track({ title: `Archive group ${group.path}`, group: group.path }, (client) => client.archiveGroup(group.id));
});

$("#clear-activity").addEventListener("click", () => {
  $$("#activity > li").filter((li) => !li.dataset.running).forEach((li) => li.remove());
  const empty = $("#activity").children.length === 0;
  $("#no-activity").hidden = !empty;
  $("#clear-activity").hidden = empty;
});

const OUTCOME = {
  succeeded: ["Succeeded", "succeeded"],
  failed: ["Failed", "failed"],
  notQueued: ["Not queued", "notQueued"],
  timedOut: ["Timed out", "timedOut"],
  unknown: ["Unknown", "unknown"],
};

/** An activity entry that follows one operation: queue answer, job progress, final outcome per server. */
class Activity {
  constructor({ title, servers = [], group }) {
    this.item = $("#activity-item").content.firstElementChild.cloneNode(true);
    this.item.dataset.running = "true";
    const id = `op-${Math.random().toString(36).slice(2, 10)}`;
    const article = $("article", this.item);
    const heading = $(".op-title", this.item);
    heading.id = `${id}-title`;
    heading.textContent = title;
    article.setAttribute("aria-labelledby", heading.id);
    this.started = new Date();
    const time = $(".op-time", this.item);
    time.dateTime = this.started.toISOString();
    time.textContent = clock(this.started);
    this.state = $(".op-state", this.item);
    this.summary = $(".op-summary", this.item);
    this.cancel = $(".cancel", this.item);
    this.cancel.hidden = true;
    this.bars = new Map();
    this.rows = new Map();
    const tbody = $(".op-servers tbody", this.item);
    for (const name of group ? [group] : servers) {
      const row = { request: el("td", {}, badge("sending")), outcome: el("td", {}, el("span", { class: "muted" }, "—")) };
      row.header = el("th", { scope: "row", class: "mono" }, name);
      row.tr = el("tr", {}, row.header, row.request, row.outcome);
      tbody.append(row.tr);
      this.rows.set(group ? "" : name.toLowerCase(), row);
    }
    this.setState("Sending", "sending");
    $("#no-activity").hidden = true;
    $("#clear-activity").hidden = false;
    $("#activity").prepend(this.item);
  }

  setState(text, tone) {
    this.state.replaceChildren(text);
    this.state.className = `op-state badge ${TONES[tone] ?? "neutral"}`;
  }

  /** A line under a server's row, spanning the table, saying why (the API's own words, as text). */
  explain(row, message) {
    const id = `${this.item.querySelector("article").getAttribute("aria-labelledby")}-why-${this.whys = (this.whys ?? 0) + 1}`;
    const why = el("tr", { class: "reason-row" }, el("td", { colSpan: 3, id, class: "reason" }, message));
    row.tr.after(why);
    row.header.setAttribute("aria-describedby", id);
  }

  row(server) {
    const key = server.toLowerCase();
    if (!this.rows.has(key)) {
      // A server the request did not name (never expected, but shown rather than dropped).
      const row = { request: el("td"), outcome: el("td") };
      row.header = el("th", { scope: "row", class: "mono" }, displayName.get(key) ?? server);
      row.tr = el("tr", {}, row.header, row.request, row.outcome);
      $(".op-servers tbody", this.item).append(row.tr);
      this.rows.set(key, row);
    }
    return this.rows.get(key);
  }

  /** The API's answer to the operation: per server queued or not (with its errorMessage), or a status link. */
  showQueued(answer) {
    if (!Array.isArray(answer)) {
      const row = this.rows.get("");
      row.request.replaceChildren(badge("queued"));
      return;
    }
    for (const entry of answer) {
      const row = this.row(entry.server);
      if (entry.isQueued) {
        row.request.replaceChildren(badge("queued"));
      } else {
        row.request.replaceChildren(badge("not queued", "notQueued"));
        row.outcome.replaceChildren(badge(...OUTCOME.notQueued)); // already final: wait has nothing to follow
        this.explain(row, entry.errorMessage ?? "The API gave no reason.");
      }
    }
  }

  /** A progress bar per job, moved by each onProgress round of `wait`. */
  progress(progress) {
    const share = { notStarted: 10, executing: 55, resumed: 55, succeeded: 100, failed: 100 };
    for (const job of progress.jobs) {
      let bar = this.bars.get(job.id);
      if (!bar) {
        const id = `job-${Math.random().toString(36).slice(2, 10)}`;
        const meter = el("progress", { id, max: 100, value: 0 });
        const status = el("span", { class: "job-status" });
        const wrap = el("div", { class: "job" }, el("label", { htmlFor: id }, `Job ${job.id}`), meter, status);
        $(".jobs", this.item).append(wrap);
        bar = { meter, status, wrap };
        this.bars.set(job.id, bar);
      }
      bar.meter.value = share[job.status] ?? 5;
      bar.meter.setAttribute("aria-valuetext", job.status ?? "waiting");
      bar.wrap.dataset.status = job.status ?? "";
      bar.status.textContent = `${job.status ?? "waiting"} · ${plural(job.polls, "check")}`;
    }
    const done = progress.succeeded + progress.failed + progress.notQueued;
    this.summary.textContent = `${done} of ${progress.total} done`;
  }

  /** The final outcome per server (or of the group job). */
  finish(result) {
    const rows = result.servers.length
      ? result.servers.map((s) => [this.row(s.server), s.outcome, s.errorMessage])
      : result.jobs.map((j) => [this.rows.get("") ?? this.row(`job ${j.id}`), j.outcome, j.lastError]);
    for (const [row, outcome, message] of rows) {
      const [text, tone] = OUTCOME[outcome] ?? [outcome, "unknown"];
      row.outcome.replaceChildren(badge(text, tone));
      if (message && outcome !== "notQueued") this.explain(row, message);
    }
    const outcomes = rows.map(([, outcome]) => outcome);
    const seconds = ((Date.now() - this.started) / 1000).toFixed(1);
    if (result.ok) this.setState("Succeeded", "succeeded");
    else if (outcomes.every((o) => o === "notQueued")) this.setState("Not queued", "notQueued");
    else if (outcomes.some((o) => o === "succeeded")) this.setState("Partly done", "partly");
    else if (outcomes.every((o) => o === "timedOut")) this.setState("Timed out", "timedOut");
    else this.setState("Failed", "failed");
    this.summary.textContent = `finished in ${seconds} s`;
  }

  fail(error) {
    if (isClcError(error) && error.kind === "aborted") {
      this.setState("Cancelled", "cancelled");
      for (const bar of this.bars.values()) bar.wrap.dataset.status = "cancelled";
      $(".op-error", this.item).textContent =
        "Stopped following the job. It keeps running on the server: refresh later to see its effect.";
      $(".op-error", this.item).classList.add("note");
    } else {
      this.setState("Error", "error");
      $(".op-error", this.item).textContent = describe(error);
    }
    for (const row of this.rows.values()) {
      if (row.request.textContent === "sending") row.request.replaceChildren(badge("not sent", "error"));
    }
    this.summary.textContent = "";
  }

  done() {
    delete this.item.dataset.running;
    if (document.activeElement === this.cancel) {
      // Keep the keyboard user where they were: on this entry, not lost at the top of the page.
      const heading = $(".op-title", this.item);
      heading.tabIndex = -1;
      heading.focus();
    }
    this.cancel.hidden = true;
  }
}

/** Runs an operation, shows what the API queued, follows its jobs to the end, then refreshes the table. */
async function track(what, start) {
  const client = clc;
  const activity = new Activity(what);
  const controller = new AbortController();
  activity.cancel.addEventListener("click", () => {
    controller.abort(new Error("cancelled from the page"));
    activity.cancel.disabled = true;
  });
  try {
    const answer = await start(client);
    activity.showQueued(answer);
    activity.setState("Waiting", "pending");
    activity.cancel.hidden = false;
    running.add(controller);
    const result = await client.wait(answer, {
      ...WAIT,
      signal: controller.signal,
      onProgress: (progress) => activity.progress(progress),
    });
    activity.finish(result);
  } catch (error) {
    activity.fail(error);
  } finally {
    running.delete(controller);
    activity.done();
    if (client === clc) await loadServers();
  }
}
