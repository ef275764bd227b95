// The demo console: every operation of the SDK against a CLC API (by default the local sandbox).
// Every string that comes from a server is put on the page with textContent, never as HTML.
import { Clc, isClcError } from "/pkg/index.js";

const $ = (selector) => document.querySelector(selector);
const POLL = { minPollMs: 300, maxPollMs: 2000, timeoutMs: 5 * 60_000 };

let clc = null;
let groups = []; // { id, path, type, status } for the group picker

// ---- small DOM helpers --------------------------------------------------------------------------------

function el(tag, props = {}, ...children) {
  const node = document.createElement(tag);
  for (const [key, value] of Object.entries(props)) {
    if (key === "class") node.className = value;
    else if (key in node) node[key] = value;
    else node.setAttribute(key, value);
  }
  for (const child of children) node.append(child instanceof Node ? child : String(child ?? ""));
  return node;
}

function badge(text, kind) {
  return el("span", { class: `badge ${kind ?? text ?? ""}` }, text ?? "unknown");
}

/** A readable sentence for any error, with what the user can do about it. */
function describe(error) {
  if (!isClcError(error)) return String(error?.message ?? error);
  switch (error.kind) {
    case "network":
      return `Cannot reach the API (${error.message}). Is the sandbox running at that address?`;
    case "unauthorized":
      return `${error.message} Your session may have expired: log out and log in again.`;
    case "forbidden":
      return `Not allowed: ${error.message}`;
    case "timeout":
      return "The API did not answer in time. Try again.";
    case "validation":
      return error.message;
    default:
      return error.status ? `${error.message} (HTTP ${error.status})` : error.message;
  }
}

// ---- login ----------------------------------------------------------------------------------------------

$("#base-url").value = location.origin;

$("#login-form").addEventListener("submit", async (event) => {
  event.preventDefault();
  const button = $("#login-button");
  $("#login-error").textContent = "";
  button.disabled = true;
  button.textContent = "Logging in…";
  try {
    clc = await Clc.login(
      { username: $("#username").value, password: $("#password").value },
      { baseUrl: $("#base-url").value.trim(), timeoutMs: 15_000 },
    );
    const { userName, accountAlias, roles } = clc.session;
    $("#session-text").textContent = `${userName} · ${accountAlias} · ${roles.join(", ")}`;
    $("#session").hidden = false;
    $("#login-card").hidden = true;
    $("#console").hidden = false;
    await loadServers();
    document.querySelector("#servers input[type=checkbox]")?.focus();
  } catch (error) {
    $("#login-error").textContent = describe(error);
  } finally {
    button.disabled = false;
    button.textContent = "Log in";
  }
});

$("#logout").addEventListener("click", () => {
  clc = null;
  $("#session").hidden = true;
  $("#console").hidden = true;
  $("#login-card").hidden = false;
  $("#activity").replaceChildren();
  $("#no-activity").hidden = false;
  $("#username").focus();
});

// ---- the server table -------------------------------------------------------------------------------------

function dataCenters() {
  const listed = $("#data-centers").value.split(",").map((dc) => dc.trim()).filter(Boolean);
  return [...new Set([clc.session.locationAlias, ...listed].filter(Boolean).map((dc) => dc.toUpperCase()))];
}

/** Walks a group tree depth-first: [{ group, path }]. */
function flatten(group, parents = []) {
  const path = [...parents, group.name];
  return [{ group, path }, ...group.groups.flatMap((child) => flatten(child, path))];
}

async function loadServers() {
  $("#table-error").textContent = "";
  $("#loading").hidden = false;
  $("#refresh").disabled = true;
  const checked = new Set(selectedIds());
  try {
    const sections = [];
    for (const dc of dataCenters()) {
      const center = await clc.getDataCenter(dc);
      const root = center.links.find((link) => link.rel === "group");
      if (!root?.id) continue;
      const tree = await clc.getGroup(root.id);
      for (const { group, path } of flatten(tree)) {
        const ids = group.links.filter((link) => link.rel === "server" && link.id).map((link) => link.id);
        const servers = await Promise.all(ids.map((id) => clc.getServer(id)));
        sections.push({ dc: center, group, path, servers, root: group === tree });
      }
    }
    renderTable(sections, checked);
    groups = sections
      .filter((s) => !s.root && s.group.type !== "archive")
      .map((s) => ({ id: s.group.id, path: s.path.join(" / "), status: s.group.status }));
    renderGroupPicker();
  } catch (error) {
    $("#table-error").textContent = `Could not load the servers: ${describe(error)}`;
  } finally {
    $("#loading").hidden = true;
    $("#refresh").disabled = false;
  }
}

function renderTable(sections, checked) {
  const table = $("#servers");
  table.querySelectorAll("tbody").forEach((body) => body.remove());
  for (const { group, path, servers } of sections) {
    if (servers.length === 0) continue;
    const body = el("tbody");
    const title = el("th", { scope: "rowgroup", colSpan: 6, class: "group-row" },
      el("span", { class: "group-path" }, path.join(" / ")),
      group.status === "archived" ? badge("archived") : "",
      group.type && group.type !== "default" ? badge(group.type, "type") : "");
    body.append(el("tr", {}, title));
    for (const server of servers) {
      const details = server.details ?? {};
      const box = el("input", { type: "checkbox", value: server.id, checked: checked.has(server.id) });
      const snapshots = details.snapshots ?? [];
      body.append(el("tr", {},
        el("td", {}, el("label", { class: "server-name" }, box, server.name)),
        el("td", { class: "muted" }, server.description ?? ""),
        el("td", {}, badge(details.powerState)),
        el("td", {}, badge(server.status)),
        el("td", {}, details.inMaintenanceMode ? badge("maintenance") : el("span", { class: "muted" }, "no")),
        el("td", { class: "muted" }, snapshots.length ? snapshots.map((s) => s.name).join(", ") : "none"),
      ));
    }
    table.append(body);
  }
}

function renderGroupPicker() {
  const select = $("#group");
  const current = select.value;
  select.replaceChildren(...groups.map((g) =>
    el("option", { value: g.id, disabled: g.status === "archived" },
      g.status === "archived" ? `${g.path} (archived)` : g.path)));
  if (groups.some((g) => g.id === current)) select.value = current;
}

function selectedIds() {
  return [...document.querySelectorAll("#servers input[type=checkbox]:checked")].map((box) => box.value);
}

$("#refresh").addEventListener("click", () => loadServers());

// ---- operations ----------------------------------------------------------------------------------------

const LABELS = {
  shutDownServer: "Shut down",
  resetServer: "Reset",
  powerOnServer: "Power on",
  archiveServer: "Archive",
  createSnapshot: "Create snapshot",
};

/** Reads the Days field; refuses anything but a whole number from 1 to 10, before any request. */
function snapshotDays() {
  const raw = $("#days").value.trim();
  const days = Number(raw);
  if (raw === "" || !Number.isInteger(days) || days < 1 || days > 10) {
    throw new Error(`Days must be a whole number from 1 to 10 (got "${raw || "nothing"}").`);
  }
  return days;
}

for (const button of document.querySelectorAll("[data-op]")) {
  button.addEventListener("click", () => {
    const op = button.dataset.op;
    $("#action-error").textContent = "";
    const ids = selectedIds();
    if (ids.length === 0) {
      $("#action-error").textContent = "Select at least one server first.";
      return;
    }
    let options;
    try {
      options = op === "createSnapshot" ? { expirationDays: snapshotDays() } : undefined;
    } catch (error) {
      $("#action-error").textContent = error.message;
      $("#days").focus();
      return;
    }
    const title = `${LABELS[op]}: ${ids.join(", ")}`;
    track(title, () => clc[op](ids, options));
  });
}

$("#archive-group").addEventListener("click", () => {
  $("#action-error").textContent = "";
  const group = groups.find((g) => g.id === $("#group").value);
  if (!group) {
    $("#action-error").textContent = "Choose a group to archive.";
    return;
  }
  track(`Archive group: ${group.path}`, () => clc.archiveGroup(group.id));
});

/** Runs an operation, shows what was queued, follows its jobs to the end, then refreshes the table. */
async function track(title, start) {
  const item = $("#activity-item").content.firstElementChild.cloneNode(true);
  const state = item.querySelector(".op-state");
  const cancel = item.querySelector(".cancel");
  const setState = (text, kind) => {
    state.textContent = text;
    state.className = `op-state badge ${kind}`;
  };
  item.querySelector(".op-title").textContent = title;
  setState("sending", "pending");
  $("#no-activity").hidden = true;
  $("#activity").prepend(item);

  const controller = new AbortController();
  cancel.addEventListener("click", () => controller.abort(new Error("cancelled from the page")));
  const bars = new Map();
  try {
    const answer = await start();
    renderQueue(item.querySelector(".queue"), answer);
    setState("waiting", "pending");
    const result = await clc.wait(answer, {
      ...POLL,
      signal: controller.signal,
      onProgress: (progress) => renderProgress(item.querySelector(".jobs"), bars, progress),
    });
    renderOutcomes(item.querySelector(".outcomes"), result);
    setState(result.ok ? "succeeded" : "finished with problems", result.ok ? "succeeded" : "failed");
  } catch (error) {
    if (isClcError(error) && error.kind === "aborted") {
      setState("cancelled", "stopped");
      item.querySelector(".op-error").textContent =
        "Stopped waiting. The job itself keeps running on the server; refresh later to see its effect.";
    } else {
      setState("error", "failed");
      item.querySelector(".op-error").textContent = describe(error);
    }
  } finally {
    cancel.hidden = true;
    if (clc) await loadServers();
  }
}

function renderQueue(list, answer) {
  if (!Array.isArray(answer)) {
    list.append(el("li", {}, badge("queued"), ` job ${answer.id ?? answer.href}`));
    return;
  }
  for (const entry of answer) {
    list.append(entry.isQueued
      ? el("li", {}, badge("queued"), ` ${entry.server}`)
      : el("li", {}, badge("not queued", "failed"), ` ${entry.server}: `,
          el("span", { class: "reason" }, entry.errorMessage ?? "no reason given")));
  }
}

const STATUS_SHARE = { notStarted: 10, executing: 55, resumed: 55, succeeded: 100, failed: 100 };

function renderProgress(container, bars, progress) {
  for (const job of progress.jobs) {
    let bar = bars.get(job.id);
    if (!bar) {
      const id = `job-${job.id}-${Math.random().toString(36).slice(2, 8)}`;
      const meter = el("progress", { id, max: 100, value: 0 });
      const label = el("label", { htmlFor: id }, `Job ${job.id}`);
      const text = el("span", { class: "job-status" });
      container.append(el("div", { class: "job" }, label, meter, text));
      bar = { meter, text };
      bars.set(job.id, bar);
    }
    bar.meter.value = STATUS_SHARE[job.status] ?? 5;
    bar.text.textContent = `${job.status ?? "waiting"} · ${job.polls} poll${job.polls === 1 ? "" : "s"}`;
  }
}

const OUTCOME_TEXT = {
  succeeded: "succeeded",
  failed: "failed",
  notQueued: "not queued",
  timedOut: "timed out",
  unknown: "unknown",
};

function renderOutcomes(list, result) {
  const rows = result.servers.length
    ? result.servers.map((s) => [s.server, s.outcome, s.errorMessage])
    : result.jobs.map((j) => [`job ${j.id}`, j.outcome, j.lastError]);
  for (const [name, outcome, message] of rows) {
    list.append(el("li", {}, badge(OUTCOME_TEXT[outcome] ?? outcome, outcome), ` ${name}`,
      message ? el("span", { class: "reason" }, `: ${message}`) : ""));
  }
}
